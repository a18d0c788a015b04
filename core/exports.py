"""Spreadsheet exports that stream: CSV written line by line to the response, XLSX written row
by row (openpyxl's write-only mode) to a temporary file that is streamed and then removed, so
memory stays flat however many rows there are. A cell a spreadsheet would run as a formula is
written as text (OWASP, CSV injection): see ``neutralise``. ADR 0010."""

import csv
import tempfile

from django.http import FileResponse, StreamingHttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value):
    """A leading ' on a text that a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


class _Echo:
    """A file whose write returns what it was given: csv.writer then yields each line."""

    def write(self, value):
        return value


# A streamed CSV is sent in pieces of about this size: a piece a line cost a write (and a chunk
# of the HTTP response) a line, and took twice as long.
PIECE = 64 * 1024


def csv_response(columns, rows, filename: str) -> StreamingHttpResponse:
    """``rows`` (an iterable of tuples, already neutralised) as a streamed CSV download."""
    writer = csv.writer(_Echo())

    def lines():
        piece = [writer.writerow(columns)]
        size = 0
        for row in rows:
            line = writer.writerow(row)
            piece.append(line)
            size += len(line)
            if size >= PIECE:
                yield "".join(piece)
                piece, size = [], 0
        yield "".join(piece)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(sheet_name: str, columns, rows, filename: str) -> FileResponse:
    """``rows`` as an XLSX download: every text cell is text, never a formula; dates are
    dates."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_name)
    sheet.append(columns)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            elif value is not None and hasattr(value, "year"):
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it when sent)
    workbook.save(spool)
    spool.seek(0)
    return FileResponse(spool, as_attachment=True, filename=filename, content_type=XLSX)
