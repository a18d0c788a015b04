"""An organisation's reporting lists: its high-risk medicines (dm+d substances and products:
the national list, less what its MSO switched off, with its own additions; new reports are
flagged from it: incidents/medicines.py), and the shapes of its hospital numbers (refused in
its reports: incidents/privacy.py)."""

from itertools import groupby
from operator import attrgetter

from django.contrib import messages
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from core.confirm import confirm_first
from core.forms import form_page, submitted
from core.http import allow
from incidents.permissions import Perm
from organisations.models import Organisation
from organisations.scoping import get_object_for

from .. import medicines as medicine_flags
from .. import services
from ..forms import HighRiskMedicineForm, HospitalNumberForm
from ..models import HighRiskMedicine, HospitalNumber


def _organisation(request, ods_code):
    return get_object_for(request.user, Organisation, Perm.HIGH_RISK_MANAGE, ods_code=ods_code)


@allow("GET", "POST")
def high_risk_list(request, ods_code):
    organisation = _organisation(request, ods_code)
    form = HighRiskMedicineForm(submitted(request))
    return form_page(
        request,
        form,
        save=lambda data: services.high_risk_add(
            by=request.user,
            organisation=organisation,
            medicine=data["medicine"],
            group=data["group"],
        ),
        saved=lambda _: f"{form.cleaned_data['medicine'].name} is on the list",
        then=reverse("incidents:high_risk", kwargs={"ods_code": organisation.ods_code}),
        refusal_field="medicine",
        page=lambda form: _high_risk_page(request, organisation, form),
    )


def _high_risk_page(request, organisation, form):
    rows = list(
        HighRiskMedicine.objects.filter(Q(organisation__isnull=True) | Q(organisation=organisation))
    )
    off = {row.dmd_code for row in rows if row.organisation_id and row.excluded}
    national = [row for row in rows if row.organisation_id is None]
    context = {
        "organisation": organisation,
        "form": form,
        "national_source": medicine_flags.NATIONAL_SOURCE,
        "national": [
            (group, medicine_flags.SOURCES.get(group, ""), list(members))
            for group, members in groupby(national, key=attrgetter("group"))
        ],
        "own": [row for row in rows if row.organisation_id and not row.excluded and row.dmd_code],
        "not_coded": [
            row for row in rows if row.organisation_id and not row.dmd_code and not row.excluded
        ],
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
    asking = confirm_first(
        request,
        question=f"Take {entry.name} off the list of high-risk medicines?",
        detail=f"Incidents involving it are no longer flagged as high-risk in {organisation.name}.",
        button="Take it off the list",
        back=reverse("incidents:high_risk", args=[organisation.ods_code]),
        caption=organisation.name,
    )
    if asking:
        return asking
    services.high_risk_remove(by=request.user, organisation=organisation, entry=entry)
    messages.success(request, f"{entry.name} is off the list for {organisation.name}")
    return redirect("incidents:high_risk", ods_code=organisation.ods_code)


def _numbers_organisation(request, ods_code):
    return get_object_for(
        request.user, Organisation, Perm.HOSPITAL_NUMBERS_MANAGE, ods_code=ods_code
    )


@allow("GET", "POST")
def hospital_numbers(request, ods_code):
    """The shapes of the organisation's hospital numbers, refused in its reports as an NHS
    number is."""
    organisation = _numbers_organisation(request, ods_code)
    return form_page(
        request,
        HospitalNumberForm(submitted(request)),
        "incidents/hospital_numbers.html",
        {
            "organisation": organisation,
            "rows": HospitalNumber.objects.filter(organisation=organisation),
        },
        save=lambda data: services.hospital_number_add(
            by=request.user, organisation=organisation, example=data["example"]
        ),
        saved=lambda entry: f"Text shaped like {entry.example} is refused in reports from now on",
        then=reverse("incidents:hospital_numbers", kwargs={"ods_code": organisation.ods_code}),
        refusal_field="example",
    )


@allow("POST")
def hospital_number_remove(request, ods_code, pk):
    organisation = _numbers_organisation(request, ods_code)
    entry = HospitalNumber.objects.filter(organisation=organisation, pk=pk).first()
    if entry is None:  # a second press, or another tab, took it off already
        messages.info(request, "That shape is no longer on the list")
    elif asking := confirm_first(
        request,
        question=f"Stop refusing text shaped like {entry.example}?",
        detail="Reports will no longer be checked for hospital numbers of this shape.",
        button="Stop refusing it",
        back=reverse("incidents:hospital_numbers", args=[organisation.ods_code]),
        caption=organisation.name,
    ):
        return asking
    else:
        services.hospital_number_remove(by=request.user, entry=entry)
        messages.success(request, f"Text shaped like {entry.example} is no longer refused")
    return redirect("incidents:hospital_numbers", ods_code=organisation.ods_code)
