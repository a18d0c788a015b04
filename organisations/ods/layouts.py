"""The layouts of the NHS Organisation Data Service's CSV extracts and the codes they use:
where each file's fields are, NHS England's regions by their ODS codes, the status codes, a
GP practice's prescribing setting, the files the import knows, and the kind of organisation
each file lists.

The layouts are ODS's own, as the PDF inside each extract's zip describes them: no header row,
every field double-quoted, dates as CCYYMMDD, an empty field for none. Column positions
(0-based here):

- ``etr`` (NHS trusts), ``eccg`` (sub-ICB locations, column 3 their ICB), ``epraccur`` (GP
  practices, column 14 their commissioner, 15 and 16 the dates they joined and left it,
  column 25 the prescribing setting: 4, or RO76 in the newer export, a GP practice),
  ``edispensary`` (pharmacies, column 14 their head office, 15 and 16 the dates they joined
  and left it), ``epharmacyhq`` (pharmacy head offices; no region), ``eother`` (other
  national bodies, of which the import reads only the ICBs the sub-ICB locations name, for
  their names): code 0, name 1, national grouping 2 (the NHS England region: Y56 London and
  the rest), high-level health geography 3, postcode 9, open date 10, close date 11,
  status 12.
- Status codes come in the old export's letters (A, C, D, P) and the newer export's words
  (ACTIVE, CLOSED, DORMANT, PROPOSED): both are read.
- ``succ`` (successions): predecessor 0, successor 1, reason 2, effective date 3, and an
  indicator 4 (P: the row is written from the successor's side, so the codes are the other
  way round). Third-party parsers only: docs/adr/0029-organisations-from-ods.md.
- PCNs come as ``ePCN.xlsx`` (inside ``epcn.zip``) with header rows, or as the newer export's
  headerless CSV reports ``epcn`` (code 0, name 1, sub-ICB location 2, open 4, close 5,
  postcode 11) and ``epcncorepartnerdetails`` (practice 0, PCN 4, start 8, end 9).
"""

from dataclasses import dataclass

from ..choices import OrganisationKind, Region

# NHS England's regions by their ODS codes (the extracts' "national grouping").
REGIONS = {
    "Y56": Region.LONDON,
    "Y58": Region.SOUTH_WEST,
    "Y59": Region.SOUTH_EAST,
    "Y60": Region.MIDLANDS,
    "Y61": Region.EAST_OF_ENGLAND,
    "Y62": Region.NORTH_WEST,
    "Y63": Region.NORTH_EAST_AND_YORKSHIRE,
}
STATUSES = {
    "A": "active",
    "ACTIVE": "active",
    "C": "closed",
    "CLOSED": "closed",
    "D": "dormant",
    "DORMANT": "dormant",
    "P": "proposed",
    "PROPOSED": "proposed",
}
# epraccur's prescribing setting of a GP practice: 4 in the old export, the role RO76 in the new.
GP_PRACTICE_SETTINGS = {"4", "RO76"}
# Sub-ICB reporting entities are not places care is commissioned for: left out.
REPORTING_ENTITY = "SUB-ICB REPORTING ENTITY"


@dataclass(frozen=True)
class Layout:
    """Where a file's fields are: the parent's column (None: none) and the columns of the dates
    it joined and left it, whether the file has a status column and a region (its national
    grouping)."""

    parent: int | None = None
    status: bool = False
    setting: int | None = None  # the column that must say one of GP_PRACTICE_SETTINGS, if any
    joined: int | None = None
    region: bool = True


LAYOUTS = {
    "etr": Layout(),
    "eccg": Layout(parent=3),
    "epraccur": Layout(parent=14, status=True, setting=25, joined=15),
    "edispensary": Layout(parent=14, status=True, joined=15),
    "epharmacyhq": Layout(region=False),
    "eother": Layout(region=False),
}
# The newer export's PCN reports (headerless CSV) and the successions.
PCN_FILES = ("epcn", "epcncorepartnerdetails")
SUCCESSIONS = "succ"
WORKBOOK = "epcn.xlsx"  # ePCN.xlsx, whatever its case
FEWEST_FIELDS = 12  # code to close date

KNOWN = (*LAYOUTS, *PCN_FILES, SUCCESSIONS)

# A sub-ICB location: read as what names its ICB (NHS Data Dictionary: "reference data
# artefacts … used as proxies for the Integrated Care Board of which they form a component
# part"), not kept as an organisation.
SUB_ICB = "sub-icb"


def kind_of(file: str, name: str) -> str:
    """What an organisation of this file is: an NHS trust's kind from its name (ODS's etr holds
    trusts, foundation trusts and ambulance trusts alike)."""
    if file == "etr":
        upper = name.upper()
        if "AMBULANCE" in upper:
            return OrganisationKind.AMBULANCE_TRUST
        if "FOUNDATION TRUST" in upper:
            return OrganisationKind.FOUNDATION_TRUST
        return OrganisationKind.NHS_TRUST
    return {
        "eccg": SUB_ICB,
        "epraccur": OrganisationKind.GP_PRACTICE,
        "edispensary": OrganisationKind.COMMUNITY_PHARMACY,
        "epharmacyhq": OrganisationKind.PHARMACY_HEAD_OFFICE,
        "eother": OrganisationKind.ICB,  # only its ICBs are read (see the module's docstring)
    }[file]
