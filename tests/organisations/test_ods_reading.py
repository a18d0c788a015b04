"""Reading ODS's CSV extracts (organisations/ods/reading.py, pcns.py) in their own layouts: no
header, quoted fields, CCYYMMDD dates, status codes in the old and the new export's spelling;
each bad row rejected with its file, line and reason; rows the import leaves out on purpose left
out."""

import csv
import datetime
import io

import pytest

from organisations import ods
from organisations.choices import OrganisationKind, Region


def row(code, name, *, region="Y60", geography="QHL", opened="19740401", closed="", **at):
    """A 27-field row as ODS writes it; ``at``: {"c12": "A"} puts a value in column 12."""
    fields = [""] * 27
    fields[:4] = [code, name, region, geography]
    fields[4:10] = ["1 HIGH STREET", "", "ASHBY", "", "", "AB1 2CD"]
    fields[10:12] = [opened, closed]
    for key, value in at.items():
        fields[int(key[1:])] = value
    return fields


def written(rows) -> str:
    out = io.StringIO()
    csv.writer(out, quoting=csv.QUOTE_ALL).writerows(rows)
    return out.getvalue()


def read(file, rows):
    return list(ods.read_rows(file, csv.reader(io.StringIO(written(rows)))))


def test_trusts_their_kind_from_their_name_and_their_region():
    found = read(
        "etr",
        [
            row("RZA", "ASHBY GENERAL HOSPITALS NHS TRUST"),
            row("RYA", "WEST MIDLANDS AMBULANCE SERVICE UNIVERSITY NHS FOUNDATION TRUST"),
            row("RZB", "OLD TOWN HOSPITALS NHS FOUNDATION TRUST", region="Y56"),
        ],
    )
    assert [(r.code, r.kind, r.region) for r in found] == [
        ("RZA", OrganisationKind.NHS_TRUST, Region.MIDLANDS),
        ("RYA", OrganisationKind.AMBULANCE_TRUST, Region.MIDLANDS),
        ("RZB", OrganisationKind.FOUNDATION_TRUST, Region.LONDON),
    ]
    assert found[0].opened_on == datetime.date(1974, 4, 1) and found[0].is_open


def test_practices_with_their_commissioner_and_either_spelling_of_status():
    found = read(
        "epraccur",
        [
            row("C84001", "LIMES SURGERY", c12="A", c14="52R", c25="4"),
            row("C84002", "OLD SURGERY", closed="20240331", c12="CLOSED", c14="52R", c25="4"),
            row("C84003", "PRISON HEALTH", c12="ACTIVE", c14="52R", c25="22"),  # not a practice
        ],
    )
    assert found[2] is None
    limes, old = found[:2]
    assert (limes.parent, limes.status, limes.is_open) == ("52R", "active", True)
    assert (old.status, old.closed_on, old.is_open) == ("closed", datetime.date(2024, 3, 31), False)


def test_sub_icb_locations_with_their_icb_and_no_reporting_entities():
    found = read(
        "eccg",
        [
            row("52R", "NHS NOTTINGHAM AND NOTTINGHAMSHIRE ICB - 52R", geography="QT1"),
            row("Z000X", "NHS ENGLAND SUB-ICB REPORTING ENTITY"),
        ],
    )
    assert (found[0].kind, found[0].parent) == ("sub-icb", "QT1") and found[1] is None


def test_pharmacies_with_their_head_office():
    found = read("edispensary", [row("FA001", "MARKET SQUARE PHARMACY", c12="A", c14="P12345")])
    assert (found[0].kind, found[0].parent) == (OrganisationKind.COMMUNITY_PHARMACY, "P12345")


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        (["RZA", "ASHBY"], "2 fields, where at least 12 are expected"),
        (row("RZA", "", opened="19740401"), "no organisation code or name"),
        (
            row("RZA", "ASHBY", opened="1974-04-01"),
            "“1974-04-01” is not a date written as CCYYMMDD",
        ),
        (row("RZA", "ASHBY", opened="20240101", closed="20230101"), "it closes before it opens"),
    ],
)
def test_a_bad_row_is_rejected_with_its_line_and_why(fields, reason):
    found = read("etr", [row("RZC", "GOOD NHS TRUST"), fields])
    assert found[0].code == "RZC"
    assert str(found[1]) == f"etr:2: {reason}"


def test_the_newer_export_s_setting_of_a_practice_and_its_dates_with_its_commissioner():
    (found,) = read(
        "epraccur",
        [row("C84001", "LIMES", c12="ACTIVE", c14="52R", c15="20220701", c16="", c25="RO76")],
    )
    assert (found.joined_on, found.left_on) == (datetime.date(2022, 7, 1), None)


def test_a_region_ods_does_not_give_in_england_is_rejected():
    (found,) = read("etr", [row("RZA", "ASHBY", region="W00")])
    assert str(found) == "etr:1: national grouping “W00” is not an NHS England region"


def test_successions_either_way_round():
    rows = [["RZC", "RZA", "R", "20250401", "S"], ["RZA", "RZD", "R", "20250401", "P"]]
    found = list(ods.read_successions("succ", rows))
    assert [(s.predecessor, s.successor) for s in found] == [("RZC", "RZA"), ("RZD", "RZA")]
    (bad,) = ods.read_successions("succ", [["RZC", "RZA", "R", "2025-04-01", "S"]])
    assert str(bad) == "succ:1: “2025-04-01” is not a date written as CCYYMMDD"


def test_an_unknown_status_is_rejected():
    found = read("epraccur", [row("C84001", "LIMES", c12="X", c25="4")])
    assert str(found[0]) == "epraccur:1: status “X” is not one ODS uses"


def test_a_file_is_known_by_its_name(tmp_path):
    path = tmp_path / "epharmacyhq.csv"
    path.write_text(written([row("P12345", "BIG PHARMACY CHAIN LTD", region="")]))
    (found,) = ods.read_file(path)
    assert (found.kind, found.region) == (OrganisationKind.PHARMACY_HEAD_OFFICE, "")
    with pytest.raises(ValueError, match="not an ODS extract"):
        list(ods.read_file(tmp_path / "other.csv"))


def test_a_workbook_without_a_sheet_or_a_column_is_said_to_be_so():
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "PCNDetails"
    book.active.append(["PCN Code", "PCN Name", "Open Date", "Close Date"])
    data = io.BytesIO()
    book.save(data)
    found = [str(item) for item in ods.read_workbook("ePCN.xlsx", data.getvalue())]
    assert found == [
        "ePCN.xlsx (PCNDetails):1: no column “current sub icb loc code”",
        "ePCN.xlsx (PCN Core Partner Details):0: the workbook has no sheet “PCN Core Partner "
        "Details”",
    ]
    (bad,) = ods.read_workbook("ePCN.xlsx", b"not a workbook")
    assert str(bad).startswith("ePCN.xlsx:0: not an Excel workbook")
