"""The organisations from the NHS Organisation Data Service's extracts
(docs/adr/0029-organisations-from-ods.md): reading the extracts, and importing them.

- layouts.py: the files' column layouts and the codes they use (regions, statuses, settings);
- records.py: what reading yields (an organisation's row, a PCN, a practice's membership of a
  PCN, a succession, a rejected row) and ODS's dates;
- reading.py: rows, files, and the folders of extracts as ``.csv`` or inside ``.zip``;
- pcns.py: the PCNs, from ePCN.xlsx or the epcn and epcncorepartnerdetails reports;
- names.py: ODS's names in title case, and an ICB's name where ODS gives only its code;
- plan.py: what the files ask for, worked out before anything is written;
- importing.py: ``ods_import``, which writes the organisations, their links and successors.

The names other modules use are re-exported here.
"""

from .importing import SAMPLES, OdsImportError, Summary, ods_import
from .layouts import LAYOUTS, REGIONS, STATUSES, SUB_ICB, kind_of
from .names import PLACEHOLDER, nhs_titlecase
from .pcns import read_partners, read_pcns, read_workbook
from .reading import Extracts, read_directory, read_file, read_rows, read_successions
from .records import OdsRow, Partner, Pcn, Rejected, Succession, date_of

__all__ = [
    "LAYOUTS",
    "PLACEHOLDER",
    "REGIONS",
    "SAMPLES",
    "STATUSES",
    "SUB_ICB",
    "Extracts",
    "OdsImportError",
    "OdsRow",
    "Partner",
    "Pcn",
    "Rejected",
    "Succession",
    "Summary",
    "date_of",
    "kind_of",
    "nhs_titlecase",
    "ods_import",
    "read_directory",
    "read_file",
    "read_partners",
    "read_pcns",
    "read_rows",
    "read_successions",
    "read_workbook",
]
