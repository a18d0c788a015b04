from allauth.mfa.models import Authenticator
from django.shortcuts import render

from mso_portal.http import allow
from organisations.access import access_for
from organisations.models import Appointment, Membership
from organisations.permissions import Perm


@allow("GET")
def account(request):
    user = request.user
    context = {
        "memberships": Membership.objects.visible_to(user, Perm.ORGANISATION_VIEW)
        .filter(user=user)
        .select_related("organisation"),
        "posts": Appointment.objects.visible_to(user)
        .filter(user=user)
        .current()
        .select_related("organisation"),
        "mfa_enabled": Authenticator.objects.filter(user=user)
        .exclude(type=Authenticator.Type.RECOVERY_CODES)
        .exists(),
        "mfa_required": access_for(user).requires_mfa,
    }
    return render(request, "accounts/account.html", context)
