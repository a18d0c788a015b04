"""An organisation's list of high-risk medicines: the national list, less what its MSO switched
off, with its own additions. New reports are flagged from it (incidents/medicines.py)."""

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from core.forms import form_page, submitted
from core.http import allow
from incidents.permissions import Perm
from organisations.models import Organisation
from organisations.scoping import get_object_for

from .. import services
from ..forms import HighRiskTermForm
from ..models import HighRiskMedicine


def _organisation(request, ods_code):
    return get_object_for(request.user, Organisation, Perm.HIGH_RISK_MANAGE, ods_code=ods_code)


@allow("GET", "POST")
def high_risk_list(request, ods_code):
    organisation = _organisation(request, ods_code)
    form = HighRiskTermForm(submitted(request))
    return form_page(
        request,
        form,
        save=lambda data: services.high_risk_add(
            by=request.user, organisation=organisation, term=data["term"], group=data["group"]
        ),
        saved=lambda _: f"“{form.cleaned_data['term']}” is on the list",
        then=reverse("incidents:high_risk", kwargs={"ods_code": organisation.ods_code}),
        refusal_field="term",
        page=lambda form: _high_risk_page(request, organisation, form),
    )


def _high_risk_page(request, organisation, form):
    rows = HighRiskMedicine.objects.filter(
        Q(organisation__isnull=True) | Q(organisation=organisation)
    )
    off = {row.term.lower() for row in rows if row.organisation_id and row.excluded}
    context = {
        "organisation": organisation,
        "form": form,
        "national": [r for r in rows if r.organisation_id is None],
        "own": [r for r in rows if r.organisation_id and not r.excluded],
        "off": off,
    }
    return render(request, "incidents/high_risk.html", context)


@allow("POST")
def high_risk_remove(request, ods_code, pk):
    organisation = _organisation(request, ods_code)
    entry = get_object_or_404(
        HighRiskMedicine.objects.filter(
            Q(organisation__isnull=True) | Q(organisation=organisation)
        ),
        pk=pk,
    )
    services.high_risk_remove(by=request.user, organisation=organisation, entry=entry)
    messages.success(request, f"“{entry.term}” is off the list for {organisation.name}")
    return redirect("incidents:high_risk", ods_code=organisation.ods_code)
