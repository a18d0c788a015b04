"""Loading organisations from ODS's extracts (organisations/ods/importing.py, ``import_ods``):
created, updated, re-parented with dates, closed, never deleted; the same files twice change
nothing; a dry run changes nothing; bad rows reported by file and line; a move of region keeps
its counts where it is; the reach table rebuilt once; zips and both forms of the PCN files."""

import csv
import datetime
import io
import shutil
import zipfile
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import Workbook

from organisations import closure
from organisations.choices import OrganisationKind, Region, RelationshipKind
from organisations.models import Organisation, OrganisationClosure, OrganisationRelationship
from organisations.ods import PLACEHOLDER, SAMPLES, ods_import
from tests.factories import OrganisationFactory, RelationshipFactory, UserFactory

pytestmark = pytest.mark.django_db
BAD = Path(__file__).resolve().parent / "ods"
TODAY = datetime.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(timezone.make_aware(datetime.datetime(2026, 11, 20, 9)), tick=False):
        yield


@pytest.fixture
def folder(tmp_path):
    """A copy of the sample extracts, to change."""
    shutil.copytree(SAMPLES, tmp_path / "ods")
    return tmp_path / "ods"


def read(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text())))


def write(path: Path, rows) -> None:
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL).writerows(rows)
    path.write_text(out.getvalue())


def change(path: Path, code: str, **at) -> None:
    """Set fields (``c12="C"``: column 12, 0-based) of the row of ``code``."""
    rows = read(path)
    for fields in rows:
        if fields[0] == code:
            for key, value in at.items():
                fields[int(key[1:])] = value
    write(path, rows)


def links(code: str, kind=RelationshipKind.PART_OF) -> list[tuple]:
    return [
        (link.parent.ods_code, link.start_on, link.end_on)
        for link in OrganisationRelationship.objects.filter(child__ods_code=code, kind=kind)
        .select_related("parent")
        .order_by("start_on", "parent__ods_code")
    ]


def state():
    return (
        list(Organisation.objects.order_by("pk").values()),
        list(OrganisationRelationship.objects.order_by("pk").values()),
        LogEntry.objects.count(),
    )


def test_it_creates_the_organisations_and_their_dated_links():
    summary = ods_import(directory=SAMPLES)
    assert (summary.created, summary.updated, summary.rejected) == (12, 0, [])
    practice = Organisation.objects.get(ods_code="Z99901")
    assert (practice.name, practice.kind, practice.region, practice.postcode) == (
        "Riverside Medical Practice",
        OrganisationKind.GP_PRACTICE,
        Region.MIDLANDS,
        "AB1 3RP",
    )
    assert practice.opened_on == datetime.date(1974, 4, 1) and practice.closed_on is None
    icb = Organisation.objects.get(ods_code="QZZ")  # named by eother, placed by its location
    assert (icb.name, icb.kind) == ("NHS Demoshire Integrated Care Board", OrganisationKind.ICB)
    assert not Organisation.objects.filter(ods_code__in=["99Z", "Z9Z0X", "Y99990"]).exists()
    # The practice is in its commissioner's ICB from the day it joined, and in its PCN.
    assert links("Z99901") == [
        ("U99901", datetime.date(2020, 7, 1), None),
        ("QZZ", datetime.date(2022, 7, 1), None),
    ]
    assert links("Z99902") == [  # moved PCN: both memberships, dated
        ("U99902", datetime.date(2020, 7, 1), datetime.date(2024, 3, 31)),
        ("QZZ", datetime.date(2022, 7, 1), None),
        ("U99901", datetime.date(2024, 4, 1), None),
    ]
    assert links("FZZ02") == [("FZZ80", datetime.date(2011, 3, 1), None)]
    assert links("RZC", RelationshipKind.SUCCESSOR) == [("RZA", datetime.date(2025, 4, 1), None)]
    head_office = Organisation.objects.get(ods_code="FZZ80")
    assert (head_office.name, head_office.region) == ("Demoshire Pharmacy Group Ltd", "midlands")
    assert Organisation.objects.get(ods_code="Z99903").closed_on == datetime.date(2025, 6, 30)
    # Audited: one entry for each organisation and link written.
    assert LogEntry.objects.count() == 12 + 11


def test_a_second_run_of_the_same_files_changes_nothing():
    ods_import(directory=SAMPLES)
    before = state()
    with mock.patch.object(closure, "rebuild", wraps=closure.rebuild) as rebuild:
        summary = ods_import(directory=SAMPLES)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, 12)
    assert (summary.links_started, summary.links_ended) == (0, 0)
    assert state() == before
    assert rebuild.call_count == 0


def test_it_updates_what_ods_changes_and_records_who(folder):
    ods_import(directory=folder)
    admin = UserFactory(is_staff=True)
    change(folder / "epraccur.csv", "Z99901", c1="RIVERSIDE MEDICAL CENTRE", c9="AB1 9RC")
    summary = ods_import(by=admin, directory=folder)
    assert (summary.created, summary.updated, summary.moved) == (0, 1, 0)
    practice = Organisation.objects.get(ods_code="Z99901")
    assert (practice.name, practice.postcode) == ("Riverside Medical Centre", "AB1 9RC")
    entry = LogEntry.objects.get_for_object(practice).latest("pk")
    assert entry.actor == admin
    assert entry.changes_dict["name"] == ["Riverside Medical Practice", "Riverside Medical Centre"]


def test_a_new_commissioner_in_another_icb_ends_the_old_link_and_starts_the_new(folder):
    ods_import(directory=folder)
    rows = read(folder / "eccg.csv")
    rows.append(rows[0][:])
    rows[-1][:4] = ["98Z", "NHS OTHERSHIRE ICB - 98Z", "Y60", "QZX"]
    write(folder / "eccg.csv", rows)
    change(folder / "epraccur.csv", "Z99901", c14="98Z", c15="20260901")
    summary = ods_import(directory=folder)
    assert (summary.created, summary.links_started, summary.links_ended) == (1, 1, 1)
    assert Organisation.objects.get(ods_code="QZX").name == "NHS Othershire ICB"
    assert links("Z99901")[1:] == [
        ("QZZ", datetime.date(2022, 7, 1), datetime.date(2026, 8, 31)),
        ("QZX", datetime.date(2026, 9, 1), None),
    ]
    # The reach follows on the day: the new ICB reaches it from the day it joined.
    new, practice = (Organisation.objects.get(ods_code=code).pk for code in ("QZX", "Z99901"))
    assert closure.reaches(new, practice, TODAY)
    assert not closure.reaches(new, practice, datetime.date(2026, 8, 31))


def test_a_practice_that_moves_pcn_is_re_parented_from_the_day_it_joins(folder):
    ods_import(directory=folder)
    rows = read(folder / "epcncorepartnerdetails.csv")
    rows[0][9] = "20261031"  # Riverside Medical Practice leaves Riverside PCN…
    rows.append([*rows[0][:4], "U99902", "WEIR VALLEY PCN", "99Z", "", "20261101", "", "TRUE"])
    write(folder / "epcncorepartnerdetails.csv", rows)
    change(folder / "epcn.csv", "U99902", c5="")  # …for Weir Valley, open again
    ods_import(directory=folder)
    assert [link for link in links("Z99901") if link[0].startswith("U")] == [
        ("U99901", datetime.date(2020, 7, 1), datetime.date(2026, 10, 31)),
        ("U99902", datetime.date(2026, 11, 1), None),
    ]


def test_it_closes_what_ods_shows_closed_and_never_deletes(folder):
    ods_import(directory=folder)
    kept = OrganisationFactory(ods_code="RZQ", kind=OrganisationKind.NHS_TRUST)
    by_hand = RelationshipFactory(
        child=Organisation.objects.get(ods_code="RZA"),
        parent=Organisation.objects.get(ods_code="QZZ"),
        start_on=datetime.date(2024, 4, 1),
    )
    change(folder / "edispensary.csv", "FZZ01", c12="C")  # closed, no date given
    change(folder / "etr.csv", "RZB", c11="20261031")
    rows = [r for r in read(folder / "etr.csv") if r[0] != "RZA"]  # left out of this file
    write(folder / "etr.csv", rows)
    summary = ods_import(directory=folder)
    assert (summary.updated, summary.closed) == (2, 2)
    assert Organisation.objects.get(ods_code="FZZ01").closed_on == TODAY
    assert Organisation.objects.get(ods_code="RZB").closed_on == datetime.date(2026, 10, 31)
    assert Organisation.objects.filter(ods_code__in=["RZA", "RZQ"]).count() == 2
    assert Organisation.objects.get(pk=kept.pk).closed_on is None
    assert OrganisationRelationship.objects.get(pk=by_hand.pk).end_on is None
    # The first day it was seen closed stays its close date on later runs.
    with time_machine.travel(timezone.make_aware(datetime.datetime(2026, 12, 1, 9))):
        assert ods_import(directory=folder).updated == 0
    assert Organisation.objects.get(ods_code="FZZ01").closed_on == TODAY


def test_a_dry_run_changes_nothing_and_says_what_it_would(folder):
    ods_import(directory=folder)
    change(folder / "etr.csv", "RZB", c11="20261031")
    before = state()
    summary = ods_import(directory=folder, dry_run=True)
    assert (summary.updated, summary.closed, summary.dry_run) == (1, 1, True)
    assert state() == before


def test_a_dry_run_that_moves_and_re_parents_leaves_the_reach_and_counts_as_they_were(folder):
    from incidents import summary
    from incidents.models import IncidentMonth, IncidentTally

    ods_import(directory=folder)
    trust = Organisation.objects.get(ods_code="RZA")
    IncidentMonth.objects.create(
        organisation=trust, month=datetime.date(2026, 10, 1), counts={"total": 3}, total=3
    )
    summary.rebuild_tallies()
    rows = read(folder / "eccg.csv")
    rows.append(rows[0][:])
    rows[-1][:4] = ["98Z", "NHS OTHERSHIRE ICB - 98Z", "Y60", "QZX"]
    write(folder / "eccg.csv", rows)
    change(folder / "epraccur.csv", "Z99901", c14="98Z", c15="20260901")
    change(folder / "etr.csv", "RZA", c2="Y56")
    before = state()
    reach = list(OrganisationClosure.objects.order_by("pk").values())
    tallies = list(IncidentTally.objects.order_by("pk").values())
    found = ods_import(directory=folder, dry_run=True)
    assert (found.created, found.moved, found.links_started, found.reach_refreshed) == (
        1,
        1,
        1,
        True,
    )
    assert state() == before
    assert list(OrganisationClosure.objects.order_by("pk").values()) == reach
    assert list(IncidentTally.objects.order_by("pk").values()) == tallies


def test_bad_rows_are_reported_by_file_and_line_and_the_rest_loads():
    summary = ods_import(directory=BAD)
    assert sorted(summary.rejected) == [
        "epraccur.csv:2: its commissioner “00X” is not a sub-ICB location of an ICB in eccg",
        "epraccur.csv:3: status “Q” is not one ODS uses",
        "epraccur.csv:4: The ODS code of a GP practice is a letter and 5 digits, like A81001",
        "etr.csv:2: “1994-04-01” is not a date written as CCYYMMDD",
        "etr.csv:3: national grouping “W00” is not an NHS England region",
        "etr.csv:4: no NHS England region (national grouping)",
    ]
    assert set(Organisation.objects.values_list("ods_code", flat=True)) == {
        "RZX",
        "QZY",
        "Z99801",
        "Z99802",
    }
    # An ICB named by nothing but its sub-ICB location's name; the placeholder where that
    # does not say, corrected by a later run that has a name for it.
    assert Organisation.objects.get(ods_code="QZY").name == "NHS Elsewhere ICB"


def test_an_icb_with_no_name_in_the_files_gets_a_placeholder_a_later_run_corrects(folder):
    (folder / "eother.csv").unlink()
    change(folder / "eccg.csv", "99Z", c1="DEMOSHIRE LOCATION")
    ods_import(directory=folder)
    assert Organisation.objects.get(ods_code="QZZ").name == PLACEHOLDER.format(code="QZZ")
    change(folder / "eccg.csv", "99Z", c1="NHS DEMOSHIRE ICB - 99Z")
    ods_import(directory=folder)
    assert Organisation.objects.get(ods_code="QZZ").name == "NHS Demoshire ICB"
    shutil.copy(SAMPLES / "eother.csv", folder)
    ods_import(directory=folder)
    assert Organisation.objects.get(ods_code="QZZ").name == "NHS Demoshire Integrated Care Board"


def test_a_move_to_another_region_moves_its_kept_counts(folder):
    from incidents import summary
    from incidents.models import IncidentMonth, IncidentTally

    ods_import(directory=folder)
    trust = Organisation.objects.get(ods_code="RZA")
    month = datetime.date(2026, 10, 1)
    IncidentMonth.objects.create(organisation=trust, month=month, counts={"total": 3}, total=3)
    summary.rebuild_tallies()
    change(folder / "etr.csv", "RZA", c2="Y56")
    result = ods_import(directory=folder)
    assert (result.updated, result.moved) == (1, 1)
    tallies = {
        row.region: row.total
        for row in IncidentTally.objects.filter(kind=OrganisationKind.NHS_TRUST, month=month)
    }
    assert tallies.get(Region.LONDON) == 3 and not tallies.get(Region.MIDLANDS)


def test_the_reach_table_is_rebuilt_once_and_queries_do_not_grow_with_rows(folder, tmp_path):
    with mock.patch.object(closure, "rebuild", wraps=closure.rebuild) as rebuild:
        ods_import(directory=folder)
    assert rebuild.call_count == 1
    icb, practice = (Organisation.objects.get(ods_code=c).pk for c in ("QZZ", "Z99902"))
    assert OrganisationClosure.objects.filter(ancestor_id=icb, descendant_id=practice).exists()

    def queries(practices: int) -> int:
        place = tmp_path / f"many{practices}"
        shutil.copytree(SAMPLES, place)
        template = read(place / "epraccur.csv")[0]
        write(
            place / "epraccur.csv",
            [
                [f"Z{70000 + practices * 10 + n:05d}", f"SURGERY {n}", *template[2:]]
                for n in range(practices)
            ],
        )
        with CaptureQueriesContext(connection) as captured:
            ods_import(directory=place)
        return len(captured)

    # Forty more practices cost a batch more at most (SQLite's batches are small), not a query
    # each.
    assert queries(60) <= queries(20) + 3


def test_it_reads_the_extracts_inside_ods_s_zips(folder, tmp_path):
    zipped = tmp_path / "zipped"
    zipped.mkdir()
    for path in folder.iterdir():
        with zipfile.ZipFile(zipped / f"{path.stem}.zip", "w") as archive:
            archive.write(path, path.name)
    summary = ods_import(directory=zipped)
    assert (summary.created, summary.rejected) == (12, [])
    assert "epraccur.zip/epraccur.csv" in summary.files


def test_the_pcns_from_the_workbook_with_its_header_rows(folder):
    (folder / "epcn.csv").unlink()
    (folder / "epcncorepartnerdetails.csv").unlink()
    book = Workbook()
    details = book.active
    details.title = "PCNDetails"
    details.append(["PCN details, as published"])
    details.append(["PCN Code", "PCN Name", "Current Sub ICB Loc Code", "Sub ICB Location"])
    details["E2"], details["F2"] = "Open Date", "Close Date"
    details.append(["U99901", "RIVERSIDE PRIMARY CARE NETWORK", "99Z", "", "20200701", None])
    details.append(
        ["U99902", "WEIR VALLEY PCN", "99Z", "", datetime.datetime(2020, 7, 1), "20240331"]
    )
    partners = book.create_sheet("PCN Core Partner Details")
    partners.append(
        [
            "Partner\nOrganisation\nCode",
            "Partner\nName",
            "PCN Code",
            "Practice to PCN\nRelationship\nStart Date",
            "Practice to PCN\nRelationship\nEnd Date",
        ]
    )
    partners.append(["Z99902", "WEIR LANE SURGERY", "U99902", "20200701", "20240331"])
    partners.append(["Z99902", "WEIR LANE SURGERY", "U99901", "20240401", None])
    partners.append(["Z99901", "RIVERSIDE MEDICAL PRACTICE", "U99909", "20200701", None])
    with zipfile.ZipFile(folder / "epcn.zip", "w") as archive:
        data = io.BytesIO()
        book.save(data)
        archive.writestr("ePCN.xlsx", data.getvalue())
    summary = ods_import(directory=folder)
    assert summary.rejected == [
        "epcn.zip/ePCN.xlsx (PCN Core Partner Details):4: the PCN “U99909” is not a PCN in "
        "the PCN details"
    ]
    assert Organisation.objects.get(ods_code="U99902").closed_on == datetime.date(2024, 3, 31)
    assert [link[:2] for link in links("Z99902") if link[0].startswith("U")] == [
        ("U99902", datetime.date(2020, 7, 1)),
        ("U99901", datetime.date(2024, 4, 1)),
    ]


def test_the_command_prints_rejections_the_summary_and_a_dry_run(folder):
    out = io.StringIO()
    call_command("import_ods", str(BAD), "--dry-run", stdout=out, stderr=io.StringIO())
    printed = out.getvalue()
    assert "Rejected: etr.csv:2: “1994-04-01” is not a date written as CCYYMMDD" in printed
    assert "Dry run: 4 created, 0 updated" in printed and "Nothing was changed." in printed
    assert not Organisation.objects.exists()
    call_command("import_ods", str(folder), stdout=out, stderr=io.StringIO())
    out = io.StringIO()
    call_command("import_ods", str(folder), stdout=out, stderr=io.StringIO())
    assert "Imported: 0 created, 0 updated" in out.getvalue()


def test_the_command_refuses_a_folder_without_extracts(tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="There is no ODS extract in"):
        call_command("import_ods", str(tmp_path), stdout=io.StringIO(), stderr=io.StringIO())


def test_the_command_records_the_site_administrator_it_is_given_and_refuses_others():
    from django.core.management import CommandError

    admin = UserFactory(email="admin@example.org", is_staff=True)
    UserFactory(email="someone@example.org")
    quiet = {"stdout": io.StringIO(), "stderr": io.StringIO()}
    with pytest.raises(CommandError, match="There is no user with the email address"):
        call_command("import_ods", str(SAMPLES), "--by", "nobody@example.org", **quiet)
    with pytest.raises(CommandError, match="is not an active site administrator"):
        call_command("import_ods", str(SAMPLES), "--by", "someone@example.org", **quiet)
    call_command("import_ods", str(SAMPLES), "--by", " Admin@Example.org ", **quiet)
    practice = Organisation.objects.get(ods_code="Z99901")
    assert LogEntry.objects.get_for_object(practice).get().actor == admin


def test_seed_national_loads_its_organisations_from_ods_extracts(tmp_path, settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_national", scale=0.03, write_ods=str(tmp_path), stdout=out)
    assert "epraccur" in out.getvalue() and (tmp_path / "edispensary.csv").exists()
    call_command(
        "seed_national",
        scale=0.03,
        ods=str(tmp_path),
        no_incidents=True,
        no_alerts=True,
        stdout=out,
        stderr=io.StringIO(),
    )
    assert "0 rows rejected" in out.getvalue()
    assert Organisation.objects.filter(kind=OrganisationKind.GP_PRACTICE).count() > 150
    assert Organisation.objects.filter(kind=OrganisationKind.PHARMACY_HEAD_OFFICE).count() == 2
    moved = {
        link.child_id
        for link in OrganisationRelationship.objects.filter(end_on=datetime.date(2025, 3, 31))
    }
    assert moved  # practices that moved PCN, from the core partner details
    assert ods_import(directory=tmp_path).created == 0


def test_a_membership_given_twice_at_once_is_rejected_not_doubled(folder):
    rows = read(folder / "epcncorepartnerdetails.csv")
    rows.append([*rows[0][:8], "20210101", "", "TRUE"])  # Riverside Medical Practice again
    write(folder / "epcncorepartnerdetails.csv", rows)
    summary = ods_import(directory=folder)
    assert summary.rejected == [
        "epcncorepartnerdetails.csv:5: Z99901 is already given U99901 as its parent"
    ]
    assert [link for link in links("Z99901") if link[0] == "U99901"] == [
        ("U99901", datetime.date(2020, 7, 1), None)
    ]
    assert ods_import(directory=folder).links_started == 0
