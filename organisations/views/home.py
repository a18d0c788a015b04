from django.contrib import messages
from django.db.models import Q
from django.shortcuts import redirect, render

from mso_portal.http import allow

from ..access import access_for
from ..choices import Post, Role
from ..current import can_switch_organisation, get_current_organisation, set_current_organisation
from ..forms import OrganisationSwitchForm
from ..models import Handover, Organisation
from ..permissions import SUCCESSOR_SEES_HANDOVER, Perm
from .organisations import named_posts


@allow("GET")
def home(request):
    user = request.user
    access = access_for(user)
    organisation = get_current_organisation(request)
    context = {
        "organisation": organisation,
        "networks": user.network_memberships.select_related("network"),
        "switch_form": None,
    }
    if organisation is not None:
        here = [g for g in access.grants if g.organisation_id == organisation.pk]
        perms = access.permissions(organisation)
        context.update(
            {
                "roles": [Role(g.key).label for g in here if g.source == "role"],
                "posts": [Post(g.key).label for g in here if g.source == "post"],
                "named_posts": named_posts(user, organisation),
                "handovers": _handovers(user, organisation),
                "perms": {perm.name: perm in perms for perm in Perm},
            }
        )
        if can_switch_organisation(request):
            context["switch_form"] = OrganisationSwitchForm(
                organisations=Organisation.objects.worked_in_by(user).order_by("name"),
                initial={"organisation": organisation},
            )
    return render(request, "organisations/home.html", context)


def _handovers(user, organisation):
    """Open handovers of the organisation, and those the person hands over or takes over
    elsewhere."""
    theirs = SUCCESSOR_SEES_HANDOVER["organisations.Handover"](user)
    return (
        Handover.objects.visible_to(user)
        .open()
        .filter(Q(organisation=organisation) | Q(appointment__user=user) | theirs)
        .select_related("organisation", "appointment__user")
    )


@allow("GET", "POST")
def organisation_switch(request):
    form = OrganisationSwitchForm(
        request.POST if request.method == "POST" else None,
        organisations=Organisation.objects.worked_in_by(request.user).order_by("name"),
        initial={"organisation": get_current_organisation(request)},
    )
    if request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data["organisation"]
        set_current_organisation(request, organisation)
        messages.success(request, f"You are now working in {organisation.name}")
        return redirect("home")
    return render(request, "organisations/organisation_switch.html", {"form": form})
