"""The national MSO register for network leads: search, filter, sort, page, and export
exactly the rows filtered, streamed (organisations/register.py builds them)."""

import hashlib
import logging

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from core import exports
from core.charts import Part, Row, by_region
from core.http import allow, query_string_without_page
from core.replica import replica_reads

from .. import register
from ..access import access_for
from ..choices import OrganisationKind, Region
from ..forms import RegisterFilterForm
from ..models import ChangeRequest, Organisation
from ..permissions import Perm

PAGE_SIZE = 50
logger = logging.getLogger(__name__)
State = register.State
# How the chart draws each state of an MSO post: a fill in the colour of the state's tag on
# the rows (organisations/includes/register_state.html), and whether it is hatched.
POST_LOOKS = {
    State.IN_POST: ("#007f3b", False),
    State.HANDOVER: ("#ed8b00", True),
    State.COVERED: ("#005eb8", False),
    State.VACANT: ("#d5281b", False),
    State.NOT_COVERED: ("#ffb81c", True),
}


# The ICBs a lead may filter the register by change once a year or so: kept this long.
ICB_CHOICES_SECONDS = 600


def _icb_choices(request) -> list[tuple[int, str]]:
    """The ICBs the person may filter by, as (id, name), kept in the cache for whoever sees
    the same organisations (the whole country, a region)."""
    access = access_for(request.user)
    seen = access.filter(Perm.REGISTER_VIEW, Organisation)
    key = hashlib.sha256(f"{seen}|{access.on}".encode()).hexdigest()
    return cache.get_or_set(
        f"register:icbs:{key}",
        lambda: list(
            Organisation.objects.visible_to(request.user, Perm.REGISTER_VIEW)
            .open()
            .filter(kind=OrganisationKind.ICB)
            .order_by("name")
            .values_list("pk", "name")
        ),
        ICB_CHOICES_SECONDS,
    )


def _filtered(request):
    if not access_for(request.user).has(Perm.REGISTER_VIEW):
        raise PermissionDenied
    form = RegisterFilterForm(request.GET, icbs=_icb_choices(request))
    return form, form.filters()


def _posts_by_region(request, filters) -> dict:
    """The chart of MSO posts by state in each region, and its figures for the table."""
    parts = [Part(state.value, state.label, *POST_LOOKS[state]) for state in POST_LOOKS]
    regions = dict(Region.choices)
    rows = [
        Row(regions.get(region, "No region"), {state.value: n for state, n in counts.items()})
        for region, counts in register.mso_posts_by_region(request.user, filters).items()
    ]
    return by_region(
        rows,
        parts,
        title="MSO posts in each region, by state",
        bars="organisations on the register as searched, split by the state of their MSO post",
        key="mso-posts",
    )


@allow("GET")
@replica_reads
def register_list(request):
    form, filters = _filtered(request)
    page = register.Pages(request.user, filters, PAGE_SIZE).get_page(form.page_number)
    context = {
        "posts": _posts_by_region(request, filters),
        "form": form,
        "page": page,
        "rows": [
            (row, register.states(row, filters.post), register.professional(row))
            for row in register.attach_professional(register.attach_cover(page.object_list))
        ],
        "post": filters.post,
        "query_string": query_string_without_page(request),
        # The MSO register's changes (permissions.MSO_REGISTER_CHANGES).
        "waiting": ChangeRequest.objects.visible_to(request.user).pending().count(),
    }
    return render(request, "organisations/register.html", context)


@allow("GET")
@replica_reads
def register_export(request, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404("No such format")
    _form, filters = _filtered(request)
    rows = register.rows(request.user, filters)
    logger.info("Register exported as %s by user %s: %s", fmt, request.user.pk, filters)
    lines = register.export_rows(rows, filters.post)
    name = f"mso-register-{timezone.localdate():%Y-%m-%d}.{fmt}"
    if fmt == "csv":
        return exports.csv_response(register.columns(rows), lines, name)
    return exports.xlsx_response("MSO register", register.columns(rows), lines, name)
