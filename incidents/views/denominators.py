"""Denominators, which reporting rates are counted against (docs/adr/0027): an organisation's
safety team records its own month by month beside its incident figures; the MSO networks'
leads and the national patient safety team import a file of them for the organisations they
reach, checking it first (a dry run) if they wish."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from core.forms import form_page, submitted
from core.http import Refused, allow
from core.uploads import accepts_upload, upload_too_big
from organisations import denominators
from organisations.access import access_for
from organisations.choices import (
    DENOMINATOR_FOR_KIND,
    MEASURES,
    OrganisationKind,
    measure_for,
)
from organisations.models import Denominator, Organisation
from organisations.permissions import Perm
from organisations.scoping import get_object_for

from ..peer_forms import DenominatorForm, DenominatorImportForm


@allow("GET", "POST")
def denominator_list(request, ods_code):
    """The organisation's denominators, month by month, and a form to record or correct one."""
    organisation = get_object_for(
        request.user, Organisation, Perm.DENOMINATORS_MANAGE, ods_code=ods_code
    )
    measure = measure_for(organisation.kind)
    recorded = (
        Denominator.objects.visible_to(request.user)
        .filter(organisation=organisation)
        .select_related("recorded_by")
        .order_by("-month")
    )
    context = {
        "organisation": organisation,
        "recorded": recorded,
        "kind": OrganisationKind(organisation.kind).label,
        "rule": MEASURES[measure] if measure else None,
    }
    if measure is None:
        return render(request, "incidents/denominator_list.html", context)
    today = timezone.localdate()
    initial = {}
    if change := request.GET.get("month", ""):
        try:
            month = denominators.month_of(change, today)
        except ValidationError:
            month = None
        if month is not None:
            known = next((row.value for row in recorded if row.month == month), None)
            initial = {"month": f"{month:%Y-%m}", "value": known or ""}
    form = DenominatorForm(submitted(request), initial=initial, measure=measure, today=today)
    here = reverse("incidents:denominators", kwargs={"ods_code": organisation.ods_code})
    return form_page(
        request,
        form,
        "incidents/denominator_list.html",
        context,
        save=lambda data: denominators.denominator_record(
            by=request.user, organisation=organisation, month=data["month"], value=data["value"]
        ),
        saved=lambda row: f"{row.month:%B %Y}: {row.value:,} {MEASURES[measure].unit} recorded",
        then=here,
        refusal_field="value",
    )


def _importer(request):
    if not access_for(request.user).has(Perm.DENOMINATORS_IMPORT):
        raise Refused(
            "Importing denominators is for the MSO networks' leads and the national patient "
            "safety team. An organisation's safety team records its own beside its incident "
            "figures."
        )


@allow("GET", "POST")
@accepts_upload(_importer)
def denominator_import(request):
    """A CSV file of denominators: checked (what importing it would do), or imported."""
    _importer(request)
    form = DenominatorImportForm(
        submitted(request), request.FILES or None, too_big=upload_too_big(request)
    )
    found, imported = None, False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["file"].read(denominators.MAX_BYTES + 1)
        if len(data) > denominators.MAX_BYTES:
            form.add_error("file", "The file must be smaller than 8 MB")
        else:
            found = denominators.plan(data, by=request.user)
            if found.readable and request.POST.get("action") == "import":
                denominators.apply(found, by=request.user)
                imported = True
                messages.success(request, f"Imported: {found.summary}")
    context = {
        "form": form,
        "plan": found,
        "imported": imported,
        "measures": [
            (OrganisationKind(kind).label, MEASURES[measure].unit)
            for kind, measure in DENOMINATOR_FOR_KIND.items()
        ],
    }
    return render(request, "incidents/denominator_import.html", context)
