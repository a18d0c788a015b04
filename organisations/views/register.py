"""The national MSO register for network leads: search, filter, sort, page, and export
exactly the rows filtered, streamed (organisations/register.py builds them)."""

import csv
import logging
import tempfile

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from mso_portal.http import allow, query_string_without_page

from .. import register
from ..access import access_for
from ..choices import OrganisationKind
from ..forms import RegisterFilterForm
from ..models import ChangeRequest, Organisation
from ..permissions import Perm

PAGE_SIZE = 50
logger = logging.getLogger(__name__)


def _filtered(request):
    if not access_for(request.user).has(Perm.REGISTER_VIEW):
        raise PermissionDenied
    icbs = (
        Organisation.objects.visible_to(request.user, Perm.REGISTER_VIEW)
        .open()
        .filter(kind=OrganisationKind.ICB)
        .order_by("name")
    )
    form = RegisterFilterForm(request.GET, icbs=icbs)
    return form, form.filters()


@allow("GET")
def register_list(request):
    form, filters = _filtered(request)
    page = register.Pages(request.user, filters, PAGE_SIZE).get_page(form.page_number)
    context = {
        "form": form,
        "page": page,
        "rows": [(row, register.states(row, filters.post)) for row in page.object_list],
        "post": filters.post,
        "query_string": query_string_without_page(request),
        "waiting": ChangeRequest.objects.visible_to(request.user).pending().count(),
    }
    return render(request, "organisations/register.html", context)


class _Echo:
    """A file whose write returns what it was given: csv.writer then yields each line."""

    def write(self, value):
        return value


@allow("GET")
def register_export(request, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404("No such format")
    _form, filters = _filtered(request)
    rows = register.rows(request.user, filters)
    logger.info("Register exported as %s by user %s: %s", fmt, request.user.pk, filters)
    lines = register.export_rows(rows, filters.post)
    name = f"mso-register-{timezone.localdate():%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        writer = csv.writer(_Echo())
        response = StreamingHttpResponse(
            (writer.writerow(line) for line in _with_header(lines)),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    return FileResponse(
        _workbook(lines),
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _with_header(lines):
    yield register.COLUMNS
    yield from lines


def _workbook(lines):
    """An XLSX file of the rows, written row by row (openpyxl's write-only mode keeps memory
    flat) to a temporary file that is streamed and then removed. Every text cell is text,
    never a formula."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("MSO register")
    sheet.append(register.COLUMNS)
    for line in lines:
        cells = []
        for value in line:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            else:
                cell.number_format = "yyyy-mm-dd"
            cells.append(cell)
        sheet.append(cells)
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it when sent)
    workbook.save(spool)
    spool.seek(0)
    return spool
