"""Loading NHSBSA's dm+d release: the committed sample in the release's layout loads, again with
the same result, gives each product the controlled-drug schedule of its VMP's dm+d category,
keeps invalid and previous codes, and rejects a broken record by file and line."""

import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from medicines.dmd import import_release
from medicines.models import Amp, Vmp, Vtm

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parents[2] / "medicines" / "sample_release"


def vmp_of(amp_name: str) -> Vmp:
    return Vmp.objects.get(pk=Amp.objects.get(name__startswith=amp_name).vmp_id)


def test_the_sample_release_loads_and_loads_again_the_same():
    first = import_release(SAMPLE)
    assert (first.counts["VTMs"].created, first.counts["VMPs"].created) == (20, 25)
    assert first.counts["AMPs"].created == 10 and not first.rejected
    loaded = sorted(Vmp.objects.values_list("pk", "name", "cd_category", "invalid"))
    second = import_release(SAMPLE)
    assert {name: c.unchanged for name, c in second.counts.items()} == {
        "VTMs": 20,
        "VMPs": 25,
        "AMPs": 10,
    }
    assert all(c.created == c.updated == 0 for c in second.counts.values())
    assert sorted(Vmp.objects.values_list("pk", "name", "cd_category", "invalid")) == loaded


def test_schedules_come_from_the_dmd_category_not_the_name():
    import_release(SAMPLE)
    oramorph = vmp_of("Oramorph")
    assert oramorph.name == "Morphine sulfate 10mg/5ml oral solution"
    assert oramorph.cd_schedule == "5"
    assert Vmp.objects.get(name__startswith="Codeine phosphate 60mg/1ml").cd_schedule == "2"
    assert Vmp.objects.get(name__startswith="Codeine phosphate 30mg").cd_schedule == "5"
    assert vmp_of("Sativex").cd_schedule == "4"
    assert Vmp.objects.get(name__startswith="Losartan potassium").cd_schedule == ""
    morphine = Vtm.objects.get(name="Morphine")
    hydromorphone = Vmp.objects.get(name__startswith="Hydromorphone")
    assert hydromorphone.vtm_id != morphine.pk


def test_invalid_and_previous_codes_are_kept():
    import_release(SAMPLE)
    current = Vmp.objects.get(name="Morphine sulfate 10mg modified-release tablets")
    old = Vmp.objects.get(pk=current.previous_id)
    assert old.invalid and not current.invalid


def test_a_dry_run_counts_and_writes_nothing():
    summary = import_release(SAMPLE, dry_run=True)
    assert summary.counts["VMPs"].created == 25
    assert not Vmp.objects.exists()


def test_a_broken_record_is_rejected_by_file_and_line_and_the_rest_loads(tmp_path):
    for path in SAMPLE.glob("*.xml"):
        shutil.copy(path, tmp_path)
    vmps = tmp_path / "f_vmp2_3071226.xml"
    text = vmps.read_text()
    text = text.replace("<NM>Apixaban 5mg tablets</NM>", "", 1)
    text = text.replace("<CATCD>0009</CATCD>", "<CATCD>0042</CATCD>", 1)
    vmps.write_text(text)
    summary = import_release(tmp_path)
    reasons = {(name, why) for name, _line, why in summary.rejected}
    assert ("f_vmp2_3071226.xml", "a VMP without its VPID or NM") in reasons
    assert any("category 0042 is not listed" in why for _name, why in reasons)
    assert all(line > 0 for _name, line, _why in summary.rejected)
    assert Vmp.objects.count() == 24


def test_the_command_says_what_it_did(capsys, tmp_path):
    call_command("import_dmd", str(SAMPLE), verbosity=0)
    call_command("import_dmd", str(SAMPLE), "--dry-run", verbosity=0)
    out = capsys.readouterr().out
    assert "VMPs: 25 new, 0 changed, 0 unchanged" in out
    assert "VMPs: 0 new, 0 changed, 25 unchanged" in out and "Nothing written (dry run)." in out
    with pytest.raises(CommandError, match="No f_lookup2_3"):
        call_command("import_dmd", str(tmp_path), verbosity=0)
