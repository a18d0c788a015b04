from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone

from accounts.models import User
from core.forms import form_page, submitted
from core.http import allow
from core.nhsuk_forms.fields import NHSDateField, choose_from

from .. import handovers, services
from ..access import access_for
from ..models import Handover, HandoverItem, Organisation
from ..permissions import Perm
from ..scoping import get_object_for


class HandoverItemForm(forms.Form):
    owner = choose_from(
        "Who does it?",
        User.objects.none(),
        message="Select a member of the organisation",
        required=False,
        empty_label="Nobody yet",
    )
    due_on = NHSDateField(
        label="Due date", help_text="For example, 31 3 2027", message="Enter the due date"
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = services.members_of(organisation)


class DoneForm(forms.Form):
    done = forms.BooleanField(required=False)


@allow("GET")
def handover_detail(request, ods_code, pk):
    organisation = get_object_for(request.user, Organisation, ods_code=ods_code)
    handover = get_object_for(
        request.user,
        Handover.objects.select_related("organisation", "appointment__user"),
        within=organisation,
        pk=pk,
    )
    items = (
        HandoverItem.objects.visible_to(request.user)
        .filter(handover=handover)
        .select_related("owner", "done_by")
    )
    if access_for(request.user).has(Perm.HANDOVER_MANAGE, organisation):
        manageable = {item.pk for item in items}
    else:  # the items they own, after their post ended or without one
        manageable = set(
            HandoverItem.objects.visible_to(request.user, Perm.HANDOVER_MANAGE)
            .filter(handover=handover)
            .values_list("pk", flat=True)
        )
    who = handovers.people(handover)
    context = {
        "organisation": organisation,
        "handover": handover,
        "successor": who.successor,
        "rows": handovers.rows(handover, items, who),
        "manageable": manageable,
        "today": timezone.localdate(),
    }
    return render(request, "organisations/handover_detail.html", context)


def _item(request, ods_code, pk):
    organisation = get_object_for(request.user, Organisation, ods_code=ods_code)
    item = get_object_for(
        request.user,
        HandoverItem.objects.select_related("handover"),
        Perm.HANDOVER_MANAGE,
        within=organisation,
        pk=pk,
    )
    return organisation, item


@allow("GET", "POST")
def handover_item(request, ods_code, pk):
    organisation, item = _item(request, ods_code, pk)
    form = HandoverItemForm(
        submitted(request),
        organisation=organisation,
        initial={"owner": item.owner, "due_on": item.due_on},
    )

    def save(data):
        item.owner = data["owner"]
        item.due_on = data["due_on"]
        return services.handover_item_save(by=request.user, item=item)

    return form_page(
        request,
        form,
        "organisations/handover_item.html",
        {"organisation": organisation, "item": item},
        save=save,
        saved=f"“{item.get_task_display()}” is saved",
        then=item.handover,
        refusal_field="owner",
    )


@allow("POST")
def handover_item_done(request, ods_code, pk):
    organisation, item = _item(request, ods_code, pk)
    form = DoneForm(request.POST)
    done = form.is_valid() and form.cleaned_data["done"]
    services.handover_item_done(by=request.user, item=item, done=done)
    messages.success(
        request, f"“{item.get_task_display()}” is {'done' if done else 'not done yet'}"
    )
    return redirect(item.handover)
