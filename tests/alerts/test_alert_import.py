"""Importing alerts from a CSV or JSON file (alerts/importing.py, docs/alerts-import.md): by the
``import_alerts`` command and the upload page; idempotent on the reference, with a dry run, every
problem reported by line (or alert number), and nothing of a file with a problem imported."""

import csv
import datetime
import io
import json
import re
from pathlib import Path

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from alerts import choices, importing, services
from alerts.models import Alert, AlertActionResponse, AlertResponse
from organisations.choices import OrganisationKind
from tests.alerts.conftest import ISSUED, assert_deadlines_are_live, assert_tallies_are_live

pytestmark = pytest.mark.django_db

DOC = Path(__file__).resolve().parents[2] / "docs" / "alerts-import.md"
NATPSA, RECALL = "NatPSA/2026/004/NHSPS", "MDA/2026/012"
DEEP = (
    "The JSON file cannot be read: its lists and objects are nested more than 10 deep, on "
    "line 1, column {column}. A file of alerts nests them 4 deep at most"
)


def rows() -> list[dict]:
    """Line 2 and 3: a NatPSA with two actions; line 4: a Class 2 recall, default deadline."""
    return [
        {
            "reference": NATPSA,
            "title": "Oral methotrexate: weekly doses given daily",
            "issuer": "nhs-england",
            "type": "natpsa",
            "issued_on": "2026-11-02",
            "summary": "Methotrexate is taken once a week. Daily doses have caused deaths.",
            "link": "https://www.england.nhs.uk/patient-safety/",
            "applies_to": "nhs-trust;foundation-trust",
            "medicines": "Methotrexate 2.5mg tablets|322237001;Folic acid",
            "action": "Check that prescribing systems default to weekly",
            "action_deadline": "2026-12-02",
        },
        {
            "reference": NATPSA,
            "action": "Give patients the methotrexate leaflet",
            "action_deadline": "01/01/2027",
        },
        {
            "reference": RECALL,
            "title": "Insulin pen needles: batch recall",
            "issuer": "MHRA",
            "type": "recall-2",
            "issued_on": "02/11/2026",
            "summary": "Batch 4471 may not deliver a full dose, so quarantine it.",
            "applies_to": "nhs-trust",
            "medicines": "Insulin pen needles",
            "action": "Quarantine batch 4471",
        },
    ]


def csv_of(records, columns=importing.COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    return out.getvalue().encode()


def alerts_json() -> list[dict]:
    return [
        {
            "reference": NATPSA,
            "title": "Oral methotrexate: weekly doses given daily",
            "issuer": "NHS England",
            "type": "natpsa",
            "issued_on": "2026-11-02",
            "summary": "Methotrexate is taken once a week. Daily doses have caused deaths.",
            "link": "https://www.england.nhs.uk/patient-safety/",
            "applies_to": ["nhs-trust", "foundation-trust"],
            "medicines": [
                {"name": "Methotrexate 2.5mg tablets", "dmd_code": "322237001"},
                "Folic acid",
            ],
            "actions": [
                {
                    "description": "Check that prescribing systems default to weekly",
                    "deadline": "2026-12-02",
                },
                {"description": "Give patients the methotrexate leaflet", "deadline": "01/01/2027"},
            ],
        },
        {
            "reference": RECALL,
            "title": "Insulin pen needles: batch recall",
            "issuer": "mhra",
            "type": "Medicines Recall: Class 2",
            "issued_on": "02/11/2026",
            "summary": "Batch 4471 may not deliver a full dose, so quarantine it.",
            "applies_to": ["nhs-trust"],
            "medicines": ["Insulin pen needles"],
            "actions": [{"description": "Quarantine batch 4471", "deadline": None}],
        },
    ]


def imported(data: bytes, filename="alerts.csv", *, by=None, publish=False):
    found = importing.plan(data, filename)
    assert found.problems == []
    return importing.apply(found, by=by, publish=publish)


def outcomes(found) -> list[tuple]:
    return [(a.where, a.reference, a.outcome, a.changes) for a in found.alerts]


def assert_the_two_alerts():
    natpsa, recall = Alert.objects.get(reference=NATPSA), Alert.objects.get(reference=RECALL)
    assert natpsa.title == "Oral methotrexate: weekly doses given daily"
    assert (natpsa.issuer, natpsa.alert_type, natpsa.issued_on) == ("nhs-england", "natpsa", ISSUED)
    assert natpsa.link == "https://www.england.nhs.uk/patient-safety/"
    assert natpsa.applicable_kinds == ["nhs-trust", "foundation-trust"]
    assert [(m.name, m.dmd_code) for m in natpsa.medicines.all()] == [
        ("Methotrexate 2.5mg tablets", "322237001"),
        ("Folic acid", ""),
    ]
    assert [(a.position, a.description, a.due_on) for a in natpsa.actions.all()] == [
        (0, "Check that prescribing systems default to weekly", datetime.date(2026, 12, 2)),
        (1, "Give patients the methotrexate leaflet", datetime.date(2027, 1, 1)),
    ]
    assert (recall.issuer, recall.alert_type, recall.applicable_kinds) == (
        "mhra",
        "recall-2",
        ["nhs-trust"],
    )
    assert [m.name for m in recall.medicines.all()] == ["Insulin pen needles"]
    # A Class 2 recall's action with no deadline is due 48 hours after issue.
    assert [(a.description, a.due_on) for a in recall.actions.all()] == [
        ("Quarantine batch 4471", ISSUED + datetime.timedelta(2))
    ]
    assert not natpsa.is_published and not recall.is_published


class TestImporting:
    def test_a_csv_file_makes_alerts_with_their_medicines_and_actions(self, patient_safety_team):
        found = imported(csv_of(rows()), by=patient_safety_team)
        assert outcomes(found) == [
            ("line 2", NATPSA, "new", []),
            ("line 4", RECALL, "new", []),
        ]
        assert found.summary == "2 new, 0 updated, 0 unchanged"
        assert_the_two_alerts()
        assert {a.created_by for a in Alert.objects.all()} == {patient_safety_team}

    @pytest.mark.parametrize("wrapped", [True, False], ids=["alerts object", "list"])
    def test_a_json_file_makes_the_same(self, patient_safety_team, wrapped):
        data = {"alerts": alerts_json()} if wrapped else alerts_json()
        found = imported(json.dumps(data).encode(), "alerts.JSON", by=patient_safety_team)
        assert outcomes(found) == [
            ("alert 1", NATPSA, "new", []),
            ("alert 2", RECALL, "new", []),
        ]
        assert_the_two_alerts()

    def test_json_medicines_may_be_one_string(self, patient_safety_team):
        alert = alerts_json()[0] | {"medicines": "Methotrexate 2.5mg tablets|322237001;Folic acid"}
        imported(json.dumps([alert]).encode(), "alerts.json")
        assert [m.name for m in Alert.objects.get().medicines.all()] == [
            "Methotrexate 2.5mg tablets",
            "Folic acid",
        ]

    def test_importing_the_same_file_again_changes_nothing(self, patient_safety_team):
        data = csv_of(rows())
        imported(data, by=patient_safety_team)
        ids = sorted(Alert.objects.values_list("pk", flat=True))
        logged = LogEntry.objects.count()
        again = imported(data, by=patient_safety_team)
        assert outcomes(again) == [
            ("line 2", NATPSA, "unchanged", []),
            ("line 4", RECALL, "unchanged", []),
        ]
        assert again.summary == "0 new, 0 updated, 2 unchanged"
        assert sorted(Alert.objects.values_list("pk", flat=True)) == ids
        assert LogEntry.objects.count() == logged  # nothing was written at all
        assert_the_two_alerts()

    def test_a_csv_and_a_json_file_of_the_same_alerts_agree(self, patient_safety_team):
        imported(csv_of(rows()), by=patient_safety_team)
        found = importing.plan(json.dumps(alerts_json()).encode(), "alerts.json")
        assert [a.outcome for a in found.alerts] == ["unchanged", "unchanged"]

    def test_a_changed_title_updates_the_alert_and_says_so(self, patient_safety_team):
        imported(csv_of(rows()), by=patient_safety_team)
        changed = rows()
        changed[0]["title"] = "Oral methotrexate: once a week"
        changed[2]["type"] = "recall-3"  # and with it the default deadline
        found = imported(csv_of(changed), by=patient_safety_team)
        assert outcomes(found) == [
            ("line 2", NATPSA, "updated", ["title"]),
            ("line 4", RECALL, "updated", ["type", "actions"]),
        ]
        assert found.summary == "0 new, 2 updated, 0 unchanged"
        assert Alert.objects.count() == 2
        assert Alert.objects.get(reference=NATPSA).title == "Oral methotrexate: once a week"
        recall = Alert.objects.get(reference=RECALL)
        assert [a.due_on for a in recall.actions.all()] == [ISSUED + datetime.timedelta(days=5)]

    def test_a_class_1_recall_is_a_national_patient_safety_alert(self, patient_safety_team):
        """The MHRA issues Class 1 medicines recalls as NatPSAs: their reference is one."""
        changed = rows()
        changed[2]["type"] = "recall-1"
        found = importing.plan(csv_of(changed), "alerts.csv")
        assert found.problems == [
            "line 4: Enter a National Patient Safety Alert reference like NatPSA/2026/004/NHSPS"
        ]
        for reference in ("NatPSA/2026/005/MHRA", "EL (26)A/05"):  # or as the MHRA gave them
            changed[2]["reference"] = reference
            assert importing.plan(csv_of(changed), "alerts.csv").problems == []

    def test_the_file_replaces_an_alerts_medicines(self, patient_safety_team):
        imported(csv_of(rows()))
        changed = rows()
        changed[0]["medicines"] = "Methotrexate 10mg tablets"
        found = imported(csv_of(changed))
        assert found.alerts[0].changes == ["medicines"]
        assert [m.name for m in Alert.objects.get(reference=NATPSA).medicines.all()] == [
            "Methotrexate 10mg tablets"
        ]

    def test_a_reference_matches_whatever_its_spacing(self, patient_safety_team):
        imported(csv_of(rows()))
        spaced = rows()
        for row in spaced[:2]:
            row["reference"] = f"  {NATPSA} "
        found = importing.plan(csv_of(spaced), "alerts.csv")
        assert [(a.reference, a.outcome) for a in found.alerts][0] == (NATPSA, "unchanged")

    def test_publishing_sends_the_new_alerts(
        self, patient_safety_team, trust, other_trust, django_capture_on_commit_callbacks
    ):
        with django_capture_on_commit_callbacks(execute=True):
            imported(csv_of(rows()), by=patient_safety_team, publish=True)
        for alert in Alert.objects.all():
            assert alert.is_published and alert.published_by == patient_safety_team
            assert set(
                AlertResponse.objects.filter(alert=alert).values_list("organisation", flat=True)
            ) == {
                trust.pk,
                other_trust.pk,
            }
            assert AlertActionResponse.objects.filter(response__alert=alert).count() == (
                2 * alert.actions.count()
            )
            assert_tallies_are_live(alert)
            assert_deadlines_are_live()
            assert alert.notified_at is not None

    def test_publishing_publishes_only_the_new(self, patient_safety_team, trust):
        imported(csv_of(rows()[:2]))  # the NatPSA, as a draft
        found = imported(csv_of(rows()), publish=True)
        assert [a.outcome for a in found.alerts] == ["unchanged", "new"]
        assert not Alert.objects.get(reference=NATPSA).is_published
        assert Alert.objects.get(reference=RECALL).is_published

    def test_an_alert_that_cannot_be_published_undoes_the_whole_file(
        self, patient_safety_team, trust
    ):
        # The recall (line 2) is published first; the NatPSA after it has no actions.
        lines = [rows()[2], rows()[0] | {"action": "", "action_deadline": ""}]
        found = importing.plan(csv_of(lines), "alerts.csv")
        assert found.problems == []
        with pytest.raises(ValidationError) as refused:
            importing.apply(found, by=patient_safety_team, publish=True)
        assert refused.value.messages == [
            "line 3: A National Patient Safety Alert needs its required actions before it is "
            "published"
        ]
        assert not Alert.objects.exists() and not AlertResponse.objects.exists()


def _kinds_known() -> str:
    return ", ".join(code for code, _ in OrganisationKind.choices)


def _change(line: int, **values):
    """rows() with ``values`` on the row of the file's ``line`` (the header is line 1)."""

    def changed():
        records = rows()
        records[line - 2].update(values)
        return records

    return changed


def _appended(*records):
    return lambda: rows() + [dict(r) for r in records]


class TestProblems:
    @pytest.mark.parametrize(
        ("records", "problem"),
        [
            (
                _change(4, type="bogus"),
                "line 4: The type “bogus” is not one we know: use one of "
                + ", ".join(code for code, _ in choices.AlertType.choices),
            ),
            (
                _change(4, issuer="NHS Wales"),
                "line 4: The issuer “NHS Wales” is not one we know: use one of "
                + ", ".join(code for code, _ in choices.Issuer.choices),
            ),
            (
                _change(4, applies_to="nhs-trust;hospital"),
                f"line 4: The kind of organisation “hospital” is not one we know: use one of "
                f"{_kinds_known()}",
            ),
            (_change(4, applies_to=" ; "), "line 4: applies_to names no kind of organisation"),
            (_change(4, title=" "), "line 4: title is missing"),
            (
                _change(4, issued_on="2026-11-31"),
                "line 4: The date issued “2026-11-31” is not a date: write it as 2026-03-31 or "
                "31/03/2026",
            ),
            (
                _change(3, action_deadline="2026-11-01"),
                "line 3: The action “Give patients the methotrexate leaflet” has a deadline "
                "before the day the alert was issued",
            ),
            (
                _change(3, action_deadline="next week"),
                "line 3: The action's deadline “next week” is not a date: write it as "
                "2026-03-31 or 31/03/2026",
            ),
            (
                _change(3, action_deadline=""),
                "line 3: The action “Give patients the methotrexate leaflet” needs a deadline",
            ),
            (
                _change(4, medicines="Insulin pen needles|12AB"),
                "line 4: The dm+d code “12AB” of Insulin pen needles is not 6 to 18 digits",
            ),
            (
                lambda: [
                    r | {"reference": "NatPSA/2025/004/NHSPS"} if r["reference"] == NATPSA else r
                    for r in rows()
                ],
                "line 2: The reference's year (2025) must be the year the alert was issued (2026)",
            ),
            (
                _change(4, link="www.mhra.gov.uk"),
                "line 4: The link “www.mhra.gov.uk” is not a web address",
            ),
            (
                _change(3, title="Oral methotrexate: something else"),
                f"line 3: title is not as on line 2, the first row of {NATPSA}: the other "
                "rows of an alert repeat its columns or leave them empty",
            ),
            (
                _appended(rows()[0]),
                f"line 5: {NATPSA} is in the file twice (first on line 2): the rows of one "
                "alert must come one after another",
            ),
        ],
        ids=[
            "unknown type",
            "unknown issuer",
            "unknown kind",
            "no kind",
            "no title",
            "bad date",
            "deadline before issue",
            "bad deadline",
            "no deadline",
            "bad dm+d code",
            "reference year",
            "bad link",
            "rows of an alert disagree",
            "reference twice",
        ],
    )
    def test_a_bad_row_is_reported_by_its_line_and_nothing_is_imported(
        self, patient_safety_team, records, problem
    ):
        found = importing.plan(csv_of(records()), "alerts.csv")
        assert found.problems == [problem]
        with pytest.raises(ValidationError):
            importing.apply(found, by=patient_safety_team)
        assert not Alert.objects.exists()

    def test_every_problem_is_reported_in_line_order(self):
        records = rows()
        records[2].update(type="bogus", issued_on="yesterday")
        records[1]["action_deadline"] = "2026-01-01"
        records[0]["summary"] = ""
        found = importing.plan(csv_of(records), "alerts.csv")
        assert [problem.split(":")[0] for problem in found.problems] == [
            "line 2",
            "line 4",
            "line 4",
        ]
        assert "summary is missing" in found.problems[0]
        assert "The type “bogus”" in found.problems[1]
        assert "The date issued “yesterday”" in found.problems[2]

    def test_a_missing_column(self):
        columns = [c for c in importing.COLUMNS if c not in ("summary", "applies_to")]
        found = importing.plan(csv_of(rows(), columns), "alerts.csv")
        assert found.problems == ["The CSV file has no column summary, applies_to (line 1)"]
        assert found.alerts == []

    def test_a_column_it_does_not_know_is_named_not_ignored(self):
        columns = [("lnik" if c == "link" else c) for c in importing.COLUMNS]
        records = [{("lnik" if k == "link" else k): v for k, v in row.items()} for row in rows()]
        found = importing.plan(csv_of(records, columns), "alerts.csv")
        assert found.problems == [
            "The CSV file has a column this import does not know: lnik (line 1). Its columns "
            "are " + ", ".join(importing.COLUMNS)
        ]
        assert found.alerts == []

    def test_a_json_field_it_does_not_know_is_named(self):
        alerts = alerts_json()
        alerts[1]["deadline"] = "2026-12-01"
        found = importing.plan(json.dumps(alerts).encode(), "alerts.json")
        assert found.problems == ["alert 2: it has a field this import does not know: deadline"]

    def test_a_json_alert_is_reported_by_its_number(self):
        alerts = alerts_json()
        del alerts[1]["type"]
        alerts.append(alerts_json()[0])
        alerts.append("MDA/2026/013")
        alerts.append(alerts_json()[1] | {"reference": "MDA/2026/014", "actions": "Quarantine"})
        found = importing.plan(json.dumps({"alerts": alerts}).encode(), "alerts.json")
        assert found.problems == [
            "alert 2: type is missing",
            f"alert 3: {NATPSA} is in the file twice (first as alert 1)",
            "alert 4: it is not an object ({…})",
            'alert 5: its actions must be a list of {"description", "deadline"}',
        ]

    @pytest.mark.parametrize(
        ("data", "problem"),
        [
            (
                b'[{"reference": "MDA/2026/012",\n "title" "x"}]',
                "Expecting ':' delimiter on line 2, column 10",
            ),
            (b'{"alert": []}', 'must hold a list of alerts, or {"alerts": […]}'),
        ],
    )
    def test_a_json_file_that_is_not_a_list_of_alerts(self, data, problem):
        found = importing.plan(data, "alerts.json")
        assert len(found.problems) == 1 and problem in found.problems[0]

    def test_a_file_that_is_not_utf_8(self):
        records = rows()
        records[2]["summary"] = "Batch 4471 in the café"
        data = csv_of(records).decode().encode("cp1252")
        assert importing.plan(data, "alerts.csv").problems == [
            "The file is not UTF-8 text: line 4 has a character in another encoding. Save it "
            "as “CSV UTF-8” (or JSON in UTF-8) and try again"
        ]

    def test_a_file_with_a_bom_is_read(self):
        assert importing.plan(b"\xef\xbb\xbf" + csv_of(rows()), "alerts.csv").problems == []

    @pytest.mark.parametrize("name", ["alerts.xlsx", "alerts.txt", "alerts"])
    def test_a_file_that_is_not_csv_or_json(self, name):
        assert importing.plan(csv_of(rows()), name).problems == [
            "The file must be a CSV or a JSON file (.csv or .json)"
        ]

    def test_a_file_with_nul_bytes(self):
        data = csv_of(rows()).replace(b"Folic", b"Fo\x00lic")
        assert importing.plan(data, "alerts.csv").problems == [
            "The file is not text: line 2 holds a NUL character"
        ]

    def test_a_file_too_big(self):
        data = csv_of(rows()) + b"#" * importing.MAX_BYTES
        assert importing.plan(data, "alerts.csv").problems == ["The file must be smaller than 2 MB"]

    @pytest.mark.parametrize(
        "data",
        [b"[" * 200_000 + b"]" * 200_000, b'{"alerts": ' * 100_000 + b"[]" + b"}" * 100_000],
        ids=["lists", "objects"],
    )
    def test_a_json_file_nested_absurdly_deep_is_refused_not_a_crash(self, data):
        """Found by a security probe: json.loads raised RecursionError (a 500 on the page)."""
        column = 11 if data.startswith(b"[") else 111
        assert importing.plan(data, "alerts.json").problems == [DEEP.format(column=column)]

    def test_the_depth_is_counted_outside_the_json_strings_and_from_its_line(self):
        alerts = alerts_json()
        alerts[0]["summary"] = '"[{" ' * 100  # its quotes escaped, \"
        text = json.dumps(alerts, indent=1)
        assert importing.plan(text.encode(), "alerts.json").problems == []
        link = '"https://www.england.nhs.uk/patient-safety/"'
        line = text[: text.index(link)].count("\n") + 1
        # The link in 8 lists, inside the list of alerts and the alert: 10 deep, read.
        found = importing.plan(text.replace(link, "[" * 8 + link + "]" * 8).encode(), "alerts.json")
        assert found.problems[0].startswith("alert 1: The link “[[[[[[[['https://")
        # In 9: refused, at the ninth (its line starts '  "link": ').
        found = importing.plan(text.replace(link, "[" * 9 + link + "]" * 9).encode(), "alerts.json")
        assert found.problems == [DEEP.replace("line 1", f"line {line}").format(column=19)]


class TestPublishedAlerts:
    def test_their_actions_cannot_change(self, patient_safety_team, trust):
        imported(csv_of(rows()))
        services.alert_publish(by=patient_safety_team, alert=Alert.objects.get(reference=NATPSA))
        changed = rows()
        changed[1]["action_deadline"] = "2027-01-02"
        found = importing.plan(csv_of(changed), "alerts.csv")
        assert found.problems == [
            f"line 2: {NATPSA} is published, and its actions cannot change now"
        ]
        with pytest.raises(ValidationError):
            importing.apply(found, by=patient_safety_team)
        natpsa = Alert.objects.get(reference=NATPSA)
        assert [a.due_on for a in natpsa.actions.all()][1] == datetime.date(2027, 1, 1)

    def test_nor_can_a_published_alert_with_no_actions_gain_some(self, patient_safety_team, trust):
        # alert_save keeps a published alert's actions however many it has: the plan must
        # refuse the file, not promise an update that the import then fails.
        recall_alone = rows()[2] | {"action": ""}
        imported(csv_of([recall_alone]))
        services.alert_publish(by=patient_safety_team, alert=Alert.objects.get())
        found = importing.plan(csv_of([rows()[2]]), "alerts.csv")
        assert found.problems == [
            f"line 2: {RECALL} is published, and its actions cannot change now"
        ]

    def test_their_words_can_be_put_right(self, patient_safety_team, trust):
        imported(csv_of(rows()))
        services.alert_publish(by=patient_safety_team, alert=Alert.objects.get(reference=NATPSA))
        changed = rows()
        changed[0]["summary"] = "Methotrexate is taken once a week."
        found = imported(csv_of(changed))
        assert outcomes(found)[0] == ("line 2", NATPSA, "updated", ["summary"])
        natpsa = Alert.objects.get(reference=NATPSA)
        assert natpsa.summary == "Methotrexate is taken once a week." and natpsa.is_published


@pytest.fixture
def alerts_csv(tmp_path):
    path = tmp_path / "alerts.csv"
    path.write_bytes(csv_of(rows()))
    return path


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_alerts", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


class TestTheCommand:
    def test_it_imports_and_prints_the_plan(self, alerts_csv, patient_safety_team):
        out, err = run(alerts_csv, "--by", patient_safety_team.email.upper())
        assert out.splitlines() == [
            f"line 2: {NATPSA}: new",
            f"line 4: {RECALL}: new",
            "Imported alerts.csv: 2 new, 0 updated, 0 unchanged.",
        ]
        assert err == ""
        assert_the_two_alerts()
        assert {a.created_by for a in Alert.objects.all()} == {patient_safety_team}

    def test_again_it_changes_nothing_and_lists_the_changes(self, alerts_csv):
        run(alerts_csv)
        changed = rows()
        changed[0]["title"] = "Oral methotrexate: once a week"
        alerts_csv.write_bytes(csv_of(changed))
        out, _ = run(alerts_csv)
        assert out.splitlines() == [
            f"line 2: {NATPSA}: updated (title)",
            f"line 4: {RECALL}: unchanged",
            "Imported alerts.csv: 0 new, 1 updated, 1 unchanged.",
        ]
        assert Alert.objects.count() == 2

    def test_a_dry_run_writes_nothing(self, alerts_csv, trust):
        out, _ = run(alerts_csv, "--dry-run", "--publish")
        assert out.splitlines() == [
            f"line 2: {NATPSA}: new",
            f"line 4: {RECALL}: new",
            "Dry run: importing alerts.csv would make 2 new, 0 updated, 0 unchanged, and "
            "would publish the 2 new. Nothing was changed.",
        ]
        assert not Alert.objects.exists() and not AlertResponse.objects.exists()

    def test_a_dry_run_of_a_change(self, alerts_csv):
        run(alerts_csv)
        changed = rows()
        changed[2]["medicines"] = "Insulin pen needles 4mm"
        alerts_csv.write_bytes(csv_of(changed))
        out, _ = run(alerts_csv, "--dry-run")
        assert f"line 4: {RECALL}: updated (medicines)" in out.splitlines()
        assert [m.name for m in Alert.objects.get(reference=RECALL).medicines.all()] == [
            "Insulin pen needles"
        ]

    def test_publish_sends_the_new_alerts(
        self, alerts_csv, patient_safety_team, trust, other_trust
    ):
        out, _ = run(alerts_csv, "--publish", "--by", patient_safety_team.email)
        assert out.splitlines()[-1] == (
            "Imported alerts.csv: 2 new, 0 updated, 0 unchanged; the 2 new are published."
        )
        assert AlertResponse.objects.count() == 4  # two alerts, two trusts each
        assert AlertActionResponse.objects.count() == 2 * 2 + 2 * 1
        assert {a.published_by for a in Alert.objects.all()} == {patient_safety_team}

    def test_publish_without_by_records_no_one(self, alerts_csv, trust):
        run(alerts_csv, "--publish")
        assert AlertResponse.objects.count() == 2
        assert {(a.created_by, a.published_by) for a in Alert.objects.all()} == {(None, None)}

    def test_a_bad_file_exits_non_zero_with_the_problems(self, alerts_csv):
        records = rows()
        records[2]["type"] = "bogus"
        records[1]["action_deadline"] = "2026-10-01"
        alerts_csv.write_bytes(csv_of(records))
        err = io.StringIO()
        with pytest.raises(CommandError) as refused:
            call_command("import_alerts", str(alerts_csv), stdout=io.StringIO(), stderr=err)
        assert refused.value.returncode == 1
        assert str(refused.value) == (
            "The file cannot be imported: 2 problems (above). Nothing of it was imported."
        )
        lines = err.getvalue().splitlines()
        assert len(lines) == 2
        assert lines[0].startswith("line 3: The action “Give patients the methotrexate leaflet”")
        assert lines[1].startswith("line 4: The type “bogus” is not one we know")
        assert not Alert.objects.exists()

    def test_a_file_that_fails_as_it_is_published_imports_nothing(self, tmp_path, trust):
        path = tmp_path / "alerts.csv"
        path.write_bytes(csv_of([rows()[2], rows()[0] | {"action": ""}]))
        with pytest.raises(CommandError, match="1 problem "):
            run(path, "--publish")
        assert not Alert.objects.exists()

    def test_a_missing_file(self, tmp_path):
        with pytest.raises(CommandError, match=r"^There is no file .*nothing\.csv$"):
            run(tmp_path / "nothing.csv")

    def test_a_folder(self, tmp_path):
        with pytest.raises(CommandError, match="is a folder, not a file"):
            run(tmp_path)

    def test_by_must_name_a_user_who_writes_alerts(self, alerts_csv, mso):
        with pytest.raises(CommandError, match="There is no user with the email address nobody@"):
            run(alerts_csv, "--by", "nobody@example.org")
        with pytest.raises(CommandError, match="does not write alerts"):
            run(alerts_csv, "--by", mso.email)
        assert not Alert.objects.exists()

    def test_a_json_file_nested_absurdly_deep_is_refused(self, tmp_path):
        path = tmp_path / "alerts.json"
        path.write_bytes(b"[" * 200_000 + b"]" * 200_000)
        err = io.StringIO()
        with pytest.raises(CommandError, match="1 problem "):
            call_command("import_alerts", str(path), stdout=io.StringIO(), stderr=err)
        assert err.getvalue().splitlines() == [DEEP.format(column=11)]

    def test_a_json_file(self, tmp_path):
        path = tmp_path / "alerts.json"
        path.write_text(json.dumps(alerts_json()))
        out, _ = run(path)
        assert out.splitlines()[0] == f"alert 1: {NATPSA}: new"
        assert_the_two_alerts()


def upload(data: bytes, name="alerts.csv", **fields):
    return {"file": SimpleUploadedFile(name, data), **fields}


class TestTheUploadPage:
    def test_a_lead_checks_the_file_then_imports_it(self, client_for, patient_safety_team, trust):
        client = client_for(patient_safety_team)
        data = csv_of(rows())
        page = client.post(reverse("alerts:import"), upload(data, action="check"))
        assert page.status_code == 200
        assert page.context["plan"].summary == "2 new, 0 updated, 0 unchanged"
        assert f"{NATPSA}: new" in page.text and f"{RECALL}: new" in page.text
        assert not Alert.objects.exists()

        done = client.post(reverse("alerts:import"), upload(data, action="import"), follow=True)
        assert done.redirect_chain == [(reverse("alerts:list"), 302)]
        assert "Imported: 2 new, 0 updated, 0 unchanged" in done.text
        assert_the_two_alerts()
        assert {a.created_by for a in Alert.objects.all()} == {patient_safety_team}

        again = client.post(reverse("alerts:import"), upload(data, action="check"))
        assert f"{NATPSA}: unchanged" in again.text
        assert Alert.objects.count() == 2

    def test_it_publishes_when_asked(self, client_for, patient_safety_team, trust):
        client_for(patient_safety_team).post(
            reverse("alerts:import"), upload(csv_of(rows()), action="import", publish="on")
        )
        assert Alert.objects.published().count() == 2
        assert AlertResponse.objects.filter(organisation=trust).count() == 2

    def test_a_bad_file_is_listed_and_nothing_imported(self, client_for, patient_safety_team):
        records = rows()
        records[2]["type"] = "bogus"
        page = client_for(patient_safety_team).post(
            reverse("alerts:import"), upload(csv_of(records), action="import")
        )
        assert page.status_code == 200
        assert page.context["plan"].problems[0].startswith("line 4: The type “bogus”")
        assert "The file cannot be imported" in page.text
        assert "line 4: The type “bogus” is not one we know" in page.text
        assert page.text.count("Error: Import alerts") == 1
        assert not Alert.objects.exists()

    @pytest.mark.parametrize(
        ("name", "data", "problem"),
        [
            ("alerts.csv", "reference\nMDA/2026/012 café\n".encode("latin-1"), "not UTF-8 text"),
            ("alerts.pdf", b"%PDF-1.7\n", "must be a CSV or a JSON file"),
            ("alerts.csv", b"x" * (2 * 1024 * 1024 + 1), "smaller than 2 MB"),
        ],
        ids=["not utf-8", "not csv", "too big"],
    )
    def test_a_file_it_cannot_read(self, client_for, patient_safety_team, name, data, problem):
        page = client_for(patient_safety_team).post(
            reverse("alerts:import"), upload(data, name, action="check")
        )
        assert page.status_code == 200
        assert problem in page.text
        assert not Alert.objects.exists()

    def test_a_json_file_nested_absurdly_deep_is_refused(self, client_for, patient_safety_team):
        data = b"[" * 200_000 + b"]" * 200_000
        page = client_for(patient_safety_team).post(
            reverse("alerts:import"), upload(data, "alerts.json", action="import")
        )
        assert page.status_code == 200
        assert page.context["plan"].problems == [DEEP.format(column=11)]
        assert "nested more than 10 deep, on line 1, column 11" in page.text
        assert not Alert.objects.exists()

    def test_no_file(self, client_for, patient_safety_team):
        page = client_for(patient_safety_team).post(reverse("alerts:import"), {"action": "check"})
        assert "Select a file of alerts" in page.text

    def test_an_mso_is_refused(self, client_for, mso):
        client = client_for(mso)
        assert client.get(reverse("alerts:import")).status_code == 403
        refused = client.post(reverse("alerts:import"), upload(csv_of(rows()), action="import"))
        assert refused.status_code == 403
        assert not Alert.objects.exists()


class TestTheDocument:
    def test_its_examples_import_as_it_says(self, patient_safety_team):
        text = DOC.read_text()
        example_csv = re.search(r"```csv\n(.*?)```", text, re.S)[1]
        example_json = re.search(r"```json\n(.*?)```", text, re.S)[1]
        found = imported(example_csv.encode(), "example.csv")
        assert outcomes(found) == [
            ("line 2", NATPSA, "new", []),
            ("line 4", RECALL, "new", []),
        ]
        recall = Alert.objects.get(reference=RECALL)
        assert [a.due_on for a in recall.actions.all()] == [ISSUED + datetime.timedelta(2)]
        again = importing.plan(example_json.encode(), "example.json")
        assert again.problems == [] and [a.outcome for a in again.alerts] == [
            "unchanged",
            "unchanged",
        ]

    def test_it_lists_every_value_the_import_takes(self):
        text = DOC.read_text()
        for heading, values in (
            ("### Issuers", choices.Issuer.choices),
            ("### Types", choices.AlertType.choices),
            ("### Kinds of organisation", OrganisationKind.choices),
        ):
            table = text.split(heading, 1)[1].split("\n\n", 2)[1]
            listed = {
                tuple(cell.strip().strip("`") for cell in line.strip("|").split("|"))
                for line in table.splitlines()[2:]
            }
            assert listed == {(code, str(label)) for code, label in values}, heading

    def test_it_lists_the_columns_and_default_deadlines(self):
        text = DOC.read_text()
        for column in importing.COLUMNS:
            assert f"| `{column}` |" in text
        said = {0: "the day it is issued", 2: "2 days later (48 hours)", 5: "5 days later"}
        deadlines = text.split("### Deadlines", 1)[1]
        for alert_type, after in choices.RECALL_DEADLINE.items():
            assert f"| `{alert_type}` | {said[after.days]} |" in deadlines
