"""Changes of process an organisation's safety team records, each starting its incident chart
again (Making Data Count's rebasing; core/spc.py): listed and recorded beside the dashboard,
and taken off when recorded in error."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

from core.confirm import confirm_first
from core.forms import form_page, submitted
from core.http import allow
from incidents.permissions import Perm
from organisations.models import Organisation
from organisations.scoping import get_object_for

from .. import services
from ..forms import ProcessChangeForm
from ..models import ProcessChange


@allow("GET", "POST")
def process_change_create(request, ods_code):
    organisation = get_object_for(
        request.user, Organisation, Perm.INCIDENTS_REVIEW, ods_code=ods_code
    )
    form = ProcessChangeForm(submitted(request), organisation=organisation)
    return form_page(
        request,
        form,
        "incidents/process_change_form.html",
        {
            "organisation": organisation,
            "changes": ProcessChange.objects.visible_to(request.user).filter(
                organisation=organisation
            ),
        },
        save=lambda data: services.process_change_record(by=request.user, change=form.instance),
        saved="The change of process is recorded: the chart starts again after it",
        then=reverse("incidents:dashboard", kwargs={"ods_code": organisation.ods_code}),
    )


@allow("POST")
def process_change_remove(request, ods_code, pk):
    organisation = get_object_for(
        request.user, Organisation, Perm.INCIDENTS_REVIEW, ods_code=ods_code
    )
    change = get_object_for(
        request.user, ProcessChange, Perm.INCIDENTS_REVIEW, organisation=organisation, pk=pk
    )
    asking = confirm_first(
        request,
        question=f"Take “{change.what}” off the chart?",
        detail="The incident charts no longer mark this change to the process.",
        button="Take it off the chart",
        back=reverse("incidents:process_change_create", args=[organisation.ods_code]),
        caption=organisation.name,
    )
    if asking:
        return asking
    services.process_change_remove(by=request.user, change=change)
    messages.success(request, f"“{change.what}” is taken off the chart")
    return redirect("incidents:process_change_create", ods_code=organisation.ods_code)
