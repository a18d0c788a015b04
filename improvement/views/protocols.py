"""An organisation's standard protocols for high-risk medicines: every member reads the current
ones and downloads their documents; the safety team adds, revises, retires and shares them."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone

from core.confirm import confirm_first
from core.forms import form_page
from core.http import allow
from core.uploads import accepts_upload, download, upload_too_big
from improvement.permissions import Perm
from organisations.access import access_for
from organisations.models import Organisation
from organisations.scoping import get_object_for

from .. import services
from ..forms import ProtocolForm
from ..models import Protocol
from .projects import share_page

MANAGE = Perm.IMPROVEMENT_MANAGE


def _organisation(request, ods_code, perm=Perm.PROTOCOLS_VIEW):
    return get_object_for(request.user, Organisation, perm, ods_code=ods_code)


def _protocol(request, ods_code, pk, perm=None) -> Protocol:
    organisation = _organisation(request, ods_code)
    return get_object_for(
        request.user,
        Protocol.objects.select_related("organisation", "owner"),
        perm,
        within=organisation,
        pk=pk,
    )


@allow("GET")
def protocol_list(request, ods_code):
    organisation = _organisation(request, ods_code)
    today = timezone.localdate()
    can_manage = access_for(request.user).has(MANAGE, organisation)
    protocols = (
        Protocol.objects.visible_to(request.user)
        .filter(organisation=organisation)
        .select_related("owner", "organisation")
    )
    context = {
        "organisation": organisation,
        "current": [p for p in protocols if p.retired_on is None],
        # Retired protocols stay on record for the team that kept them, not for staff.
        "retired": [p for p in protocols if p.retired_on is not None] if can_manage else [],
        "today": today,
        "can_manage": can_manage,
    }
    return render(request, "improvement/protocol_list.html", context)


@allow("GET")
def protocol_detail(request, ods_code, pk):
    protocol = _protocol(request, ods_code, pk)
    context = {
        "protocol": protocol,
        "organisation": protocol.organisation,
        "review_overdue": protocol.review_overdue(timezone.localdate()),
        "can_manage": access_for(request.user).has(MANAGE, protocol),
    }
    return render(request, "improvement/protocol_detail.html", context)


@allow("GET")
def protocol_document(request, ods_code, pk):
    protocol = _protocol(request, ods_code, pk)
    return download(protocol.file, filename=protocol.filename, content_type=protocol.content_type)


def _keeper(request, ods_code, pk=None):
    """Who may keep protocols: the organisation (for a new one) or the protocol."""
    if pk is None:
        return _organisation(request, ods_code, MANAGE)
    return _protocol(request, ods_code, pk, MANAGE)


@allow("GET", "POST")
@accepts_upload(_keeper)
def protocol_create(request, ods_code):
    return _protocol_form(request, _keeper(request, ods_code), None)


@allow("GET", "POST")
@accepts_upload(_keeper)
def protocol_update(request, ods_code, pk):
    protocol = _keeper(request, ods_code, pk)
    return _protocol_form(request, protocol.organisation, protocol)


def _protocol_form(request, organisation, protocol):
    posted = request.method == "POST"
    form = ProtocolForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        instance=protocol,
        organisation=organisation,
        too_big=upload_too_big(request),
    )
    return form_page(
        request,
        form,
        "improvement/protocol_form.html",
        {"organisation": organisation, "protocol": protocol},
        save=lambda data: services.protocol_save(by=request.user, protocol=form.instance),
        saved=lambda protocol: f"“{protocol}” is saved",
        refusal_field="title",
    )


@allow("POST")
def protocol_retire(request, ods_code, pk):
    protocol = _protocol(request, ods_code, pk, MANAGE)
    asking = confirm_first(
        request,
        question=f"Retire “{protocol}”?",
        detail="Staff no longer see it in the list of protocols. It is kept, with its history.",
        button="Retire the protocol",
        back=protocol.get_absolute_url(),
        caption=protocol.organisation.name,
    )
    if asking:
        return asking
    services.protocol_retire(by=request.user, protocol=protocol)
    messages.success(request, f"“{protocol}” is retired: staff no longer see it")
    return redirect("improvement:protocols", ods_code=ods_code)


@allow("GET", "POST")
def protocol_share(request, ods_code, pk):
    protocol = _protocol(request, ods_code, pk, MANAGE)
    return share_page(
        request,
        shared=protocol,
        back=protocol.get_absolute_url(),
        share=lambda network, tags: services.protocol_share(
            by=request.user, protocol=protocol, network=network, tags=tags
        ),
        what=f"A copy of its document, {protocol.filename}, with its title and summary.",
        tags=protocol.medicines,
    )
