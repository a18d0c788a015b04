"""The home page: first what waits for the person (counts that link to the lists where each
is done: core.waiting, and their actions), then the organisation being worked in, its named
posts and what the person can do there, handovers, a new MSO's getting-started checklist, and
the switch between organisations. It gathers several apps, so it belongs to the project."""

from django.db.models import Q
from django.shortcuts import render

from core.http import allow
from core.waiting import waiting_for
from networks.getting_started import for_home
from organisations.access import access_for
from organisations.choices import Post, Role
from organisations.current import (
    can_switch_organisation,
    get_current_organisation,
)
from organisations.forms import OrganisationSwitchForm
from organisations.models import Handover, Organisation
from organisations.permissions import SUCCESSOR_SEES_HANDOVER, Perm, every_perm
from organisations.views.organisations import named_posts, post_controls

from . import actions


@allow("GET")
def home(request):
    user = request.user
    access = access_for(user)
    organisation = get_current_organisation(request)
    context = {
        "organisation": organisation,
        "networks": user.network_memberships.select_related("network"),
        "switch_form": None,
        "waiting": waiting_for(user, organisation, also=actions.waiting(user)),
        # What someone who works across organisations (a network lead) can do.
        "sees_register": access.has(Perm.REGISTER_VIEW),
        "decides_changes": access.has(Perm.CHANGES_DECIDE) or access.has(Perm.SPECIALISTS_DECIDE),
        "sees_specialists": access.has(Perm.SPECIALISTS_VIEW),
    }
    if organisation is not None:
        here = [g for g in access.grants if g.organisation_id == organisation.pk]
        perms = access.permissions(organisation)
        context.update(
            {
                "roles": [Role(g.key).label for g in here if g.source == "role"],
                "posts": [Post(g.key).label for g in here if g.source == "post"],
                "named_posts": named_posts(user, organisation),
                **post_controls(perms),
                "handovers": _handovers(user, organisation),
                **for_home(user, organisation),
                "perms": {perm.name: perm in perms for perm in every_perm()},
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
