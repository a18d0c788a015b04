from .current import get_current_organisation
from .permissions import Perm, has_permission, organisations_of


def navigation(request):
    """What the header shows: the organisation being worked in and the links this person has."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    organisation = get_current_organisation(request)
    return {
        "current_organisation": organisation,
        "can_switch_organisation": organisations_of(user)[:2].count() > 1,
        "can_browse_organisations": has_permission(user, Perm.ORGANISATIONS_DIRECTORY),
        "can_view_members": organisation is not None
        and has_permission(user, Perm.MEMBERS_VIEW, organisation),
    }
