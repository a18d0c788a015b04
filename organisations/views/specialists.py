"""The register of Patient Safety Specialists for the national and regional patient safety
leads: search, filter, page, and export exactly the rows filtered, streamed
(organisations/specialists.py builds them)."""

import logging

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from core import exports
from core.http import allow, query_string_without_page
from core.replica import replica_reads

from .. import specialists
from ..access import access_for
from ..forms import SpecialistFilterForm
from ..models import ChangeRequest
from ..permissions import Perm

PAGE_SIZE = 50
logger = logging.getLogger(__name__)


def _filtered(request):
    if not access_for(request.user).has(Perm.SPECIALISTS_VIEW):
        raise PermissionDenied
    form = SpecialistFilterForm(request.GET)
    filters = form.filters()
    return form, filters, specialists.organisations(request.user, filters)


@allow("GET")
@replica_reads
def specialist_register(request):
    form, _filters, organisations = _filtered(request)
    page = Paginator(organisations, PAGE_SIZE).get_page(form.page_number)
    context = {
        "form": form,
        "page": page,
        "rows": specialists.attach(page.object_list),
        "query_string": query_string_without_page(request),
        "waiting": ChangeRequest.objects.visible_to(request.user)
        .pending()
        .filter(kind=ChangeRequest.Kind.NEW_SPECIALIST)
        .count(),
    }
    return render(request, "organisations/specialists.html", context)


@allow("GET")
@replica_reads
def specialist_export(request, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404("No such format")
    _form, filters, organisations = _filtered(request)
    logger.info("Specialists exported as %s by user %s: %s", fmt, request.user.pk, filters)
    lines = specialists.export_rows(organisations)
    name = f"patient-safety-specialists-{timezone.localdate():%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        return exports.csv_response(specialists.COLUMNS, lines, name)
    return exports.xlsx_response("Patient Safety Specialists", specialists.COLUMNS, lines, name)
