"""Inviting people, and joining from an invitation.

The emailed link carries the invitation's token in its path only for the first visit: the
token is then kept in the session and the browser is sent to /invitations/accept/, so it never
reaches a later address, a ``next`` parameter or a Referer header, and logs redact it
(core/logging.py).
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache

from accounts.mfa import sign_in_with_new_password
from accounts.models import User
from core.confirm import confirm_first
from core.forms import error_codes, form_page, submitted
from core.http import allow

from .. import services
from ..current import set_current_organisation
from ..forms import AcceptInvitationForm, InvitationForm
from ..models import Invitation, Membership, Organisation
from ..permissions import Perm
from ..scoping import get_object_for

LINK_SESSION_KEY = "invitation_link"


@allow("GET", "POST")
def invitation_create(request, ods_code):
    organisation = get_object_for(
        request.user, Organisation, Perm.MEMBERS_MANAGE, ods_code=ods_code
    )
    context = {
        "organisation": organisation,
        "invitation_valid_days": settings.INVITATION_VALID_DAYS,
        "existing_member": None,
        "pending_invitation": None,
    }

    def invite(data):
        try:
            return services.invitation_create(by=request.user, organisation=organisation, **data)
        except ValidationError as error:
            if "email_failed" in error_codes(error):  # saved; sent again from the members page
                messages.error(request, error.messages[0])
                return None
            context.update(_already_there(request.user, organisation, data["email"].lower()))
            raise

    return form_page(
        request,
        InvitationForm(submitted(request), organisation=organisation),
        "organisations/invitation_create.html",
        context,
        save=invite,
        saved=lambda invitation: (
            f"An invitation has been sent to {invitation.email}" if invitation else ""
        ),
        then=reverse("organisations:members", args=[organisation.ods_code]),
        refusal_field="email",
    )


def _already_there(user, organisation, email) -> dict:
    """The member with this email, or the invitation to it waiting, to offer instead."""
    members = Membership.objects.visible_to(user).filter(organisation=organisation)
    return {
        "existing_member": User.objects.filter(memberships__in=members, email=email)
        .distinct()
        .first(),
        "pending_invitation": Invitation.objects.visible_to(user)
        .filter(organisation=organisation, email=email)
        .pending()
        .first(),
    }


def _act_on_invitation(request, ods_code, pk, service, done: str, ask=None):
    """Send again or withdraw an invitation (asking first, with ``ask``, a function of the
    invitation and organisation giving the question's words), then back to the members page
    with the outcome."""
    organisation = get_object_for(
        request.user, Organisation, Perm.MEMBERS_MANAGE, ods_code=ods_code
    )
    invitation = get_object_for(request.user, Invitation, pk=pk, organisation=organisation)
    back = reverse("organisations:members", args=[organisation.ods_code])
    if ask and (asking := confirm_first(request, back=back, **ask(invitation, organisation))):
        return asking
    try:
        service(by=request.user, invitation=invitation)
    except ValidationError as error:
        # Done already (a second press): news; any other refusal: an error.
        refused = messages.info if services.ALREADY in error_codes(error) else messages.error
        refused(request, error.messages[0])
    else:
        messages.success(request, done.format(email=invitation.email))
    return redirect("organisations:members", ods_code=organisation.ods_code)


@allow("POST")
def invitation_resend(request, ods_code, pk):
    return _act_on_invitation(
        request,
        ods_code,
        pk,
        services.invitation_resend,
        "The invitation has been sent to {email} again",
    )


@allow("POST")
def invitation_revoke(request, ods_code, pk):
    return _act_on_invitation(
        request,
        ods_code,
        pk,
        services.invitation_revoke,
        "The invitation to {email} has been withdrawn",
        ask=lambda invitation, organisation: {
            "question": f"Withdraw the invitation to {invitation.email}?",
            "detail": "The link in their email stops working. You can invite them again later.",
            "button": "Withdraw the invitation",
            "caption": organisation.name,
        },
    )


@login_not_required
@allow("GET")
def invitation_open(request, token):
    """The emailed link: keep its token in the session and continue without it."""
    request.session[LINK_SESSION_KEY] = token[:200]
    return redirect("invitation_accept")


def _unusable(request, message):
    return render(
        request, "organisations/invitation_unusable.html", {"message": message}, status=410
    )


@login_not_required
@never_cache  # it shows the invited person's email, signed in or not
@allow("GET", "POST")
def invitation_accept(request):
    token = request.session.get(LINK_SESSION_KEY, "")
    try:
        invitation = services.invitation_for_token(token)
    except services.InvitationError as error:
        return _unusable(request, str(error))
    user = request.user if request.user.is_authenticated else None
    existing = User.objects.filter(email=invitation.email).first()
    if user is None and existing is not None and not existing.is_active:
        return _unusable(
            request, "Your account is not active. Ask a site administrator to reactivate it."
        )
    has_account = user is not None or existing is not None
    form = None if has_account else AcceptInvitationForm(submitted(request), email=invitation.email)
    can_accept = user is not None or form is not None
    if request.method == "POST" and can_accept and (form is None or form.is_valid()):
        try:
            accepted_by = services.invitation_accept(
                token=token,
                user=user,
                full_name=form.cleaned_data["full_name"] if form else "",
                password=form.cleaned_data["password1"] if form else "",
            )
        except services.InvitationError as error:
            return _unusable(request, str(error))
        request.session.pop(LINK_SESSION_KEY, None)
        if user is None:
            sign_in_with_new_password(request, accepted_by)
        set_current_organisation(request, invitation.organisation)
        messages.success(request, f"You have joined {invitation.organisation.name}")
        return redirect("home")
    context = {"invitation": invitation, "form": form, "has_account": has_account}
    return render(request, "organisations/invitation_accept.html", context)
