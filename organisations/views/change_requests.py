"""Changes to the national MSO register: asked for by an organisation's MSO or board director
(two questions, then the details), decided by a network lead (the national patient safety team
for its programme's posts), followed by both."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from core.confirm import confirm_first
from core.forms import form_page, submitted
from core.http import allow, query_string_without_page

from .. import change_requests
from ..access import access_for
from ..current import get_current_organisation
from ..forms import (
    ChangeDecisionForm,
    ChangeRequestFilterForm,
    ChangeRequestForm,
    ChangeRequestStartForm,
)
from ..models import Appointment, ChangeRequest, Organisation
from ..permissions import Perm
from ..scoping import get_object_for

PAGE_SIZE = 50


@allow("GET")
def change_request_list(request):
    access = access_for(request.user)
    changes = ChangeRequest.objects.visible_to(request.user).select_related(
        "organisation", "submitted_by"
    )
    # Those who follow an organisation's changes or decide them, and whoever asked for one.
    if not (
        access.has_anywhere(Perm.CHANGES_VIEW, narrowed=False)
        or access.has_anywhere(Perm.CHANGES_DECIDE)
        or access.has_anywhere(Perm.SPECIALISTS_VIEW)
        or changes.exists()
    ):
        raise PermissionDenied
    form = ChangeRequestFilterForm(request.GET or None)
    if form.is_valid():
        if q := form.query:
            changes = changes.filter(
                Q(organisation__ods_code=q.upper()) | Q(organisation__name__icontains=q)
            )
        if status := form.cleaned_data["status"]:
            changes = changes.filter(status=status)
    page = Paginator(changes, PAGE_SIZE).get_page(form.page_number)
    context = {
        "form": form,
        "page": page,
        "query_string": query_string_without_page(request),
        "can_submit": access.has(Perm.CHANGES_SUBMIT),
    }
    return render(request, "organisations/change_request_list.html", context)


@allow("GET", "POST")
def change_request_start(request):
    if not access_for(request.user).has(Perm.CHANGES_SUBMIT):
        raise PermissionDenied
    current = get_current_organisation(request)
    ods_code = request.GET.get("ods_code", "")[:10] or (current.ods_code if current else "")
    kind = request.GET.get("kind", "")
    form = ChangeRequestStartForm(
        submitted(request),
        user=request.user,
        initial={"ods_code": ods_code, "kind": kind if kind in ChangeRequest.Kind.values else ""},
    )
    if request.method == "POST" and form.is_valid():
        return redirect(
            "register:change_create",
            ods_code=form.organisation.ods_code,
            kind=form.cleaned_data["kind"],
        )
    return render(request, "organisations/change_request_start.html", {"form": form})


def _holders(user, organisation, post) -> list:
    """Who holds the post today, to set beside a change to it."""
    if post is None:
        return []
    return list(
        Appointment.objects.visible_to(user)
        .filter(organisation=organisation, post=post)
        .current()
        .select_related("user")
        .order_by("start_on", "pk")
    )


@allow("GET", "POST")
def change_request_create(request, ods_code, kind):
    organisation = get_object_for(
        request.user, Organisation, Perm.CHANGES_SUBMIT, ods_code=ods_code
    )
    if kind not in ChangeRequest.Kind.values:
        raise Http404("No such change")
    if not change_requests.may_ask(request.user, organisation, kind):
        raise PermissionDenied
    form = ChangeRequestForm(submitted(request), organisation=organisation, kind=kind)
    # One change of a kind waits at a time: said before any typing, with a link to it.
    waiting = change_requests.waiting_like(request.user, organisation, kind)
    return form_page(
        request,
        form,
        save=lambda data: change_requests.submit(by=request.user, request=form.instance),
        saved=f"Your change is sent to {form.instance.decider}",
        refusal_field=next(iter(form.fields)),
        page=lambda form: render(
            request,
            "organisations/change_request_form.html",
            {
                "organisation": organisation,
                "form": form,
                "change": form.instance,
                "holders": _holders(request.user, organisation, form.instance.post),
                "start_url": reverse("register:change_start"),
                "waiting": waiting,
            },
        ),
    )


@allow("GET", "POST")
def change_request_detail(request, pk):
    change = get_object_for(
        request.user,
        ChangeRequest.objects.select_related(
            "organisation", "submitted_by", "decided_by", "replaces__user"
        ),
        pk=pk,
    )
    access = access_for(request.user)
    decides_it = access.has(change.decided_with, change.organisation)
    decider = change.is_pending and decides_it
    decides_own = change_requests.decides_own(request.user, change) if decider else ""
    can_decide = decider and not decides_own
    if request.method == "POST" and not can_decide:
        if decides_it and not change.is_pending:  # decided or withdrawn meanwhile
            messages.error(
                request,
                f"This change is no longer waiting: it was {change.get_status_display().lower()}",
            )
            return redirect(change)
        raise PermissionDenied

    def page(form):
        context = {
            "change": change,
            "organisation": change.organisation,
            "holders": _holders(request.user, change.organisation, change.post),
            "form": form,
            "can_withdraw": change.is_pending
            and access.has(Perm.CHANGES_SUBMIT, change.organisation)
            and change_requests.may_withdraw(request.user, change),
            "sees_confidential": access.has(Perm.SPECIALISTS_CONFIDENTIAL, change.organisation),
            "decides_own": decides_own,
        }
        return render(request, "organisations/change_request_detail.html", context)

    if not can_decide:
        return page(None)
    form = ChangeDecisionForm(submitted(request))
    return form_page(
        request,
        form,
        save=lambda data: change_requests.decide(
            by=request.user,
            request=change,
            approve=data["decision"] == "approve",
            reason=data["reason"],
        ),
        saved=lambda _: (
            "The change is approved: the register shows it"
            if form.cleaned_data["decision"] == "approve"
            else "The change is rejected"
        ),
        then=change,
        refusal_field="decision",
        page=page,
    )


@allow("POST")
def change_request_withdraw(request, pk):
    change = get_object_for(
        request.user,
        ChangeRequest.objects.select_related("organisation"),
        Perm.CHANGES_SUBMIT,
        pk=pk,
    )
    if (
        change.is_pending
        and change_requests.may_withdraw(request.user, change)
        and (
            asking := confirm_first(
                request,
                question="Withdraw this change?",
                detail=f"It no longer waits for {change.decider}, and nothing of it is applied. "
                "You can ask for it again.",
                button="Withdraw the change",
                back=change.get_absolute_url(),
                caption=f"{change.get_kind_display()}, {change.organisation.name}",
            )
        )
    ):
        return asking
    try:
        change_requests.withdraw(by=request.user, request=change)
    except ValidationError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, "The change is withdrawn")
    return redirect(change)
