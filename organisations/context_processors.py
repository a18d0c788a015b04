from .access import access_for
from .current import get_current_organisation
from .navigation import MENU
from .permissions import Perm


def navigation(request):
    """What the header shows: the organisation being worked in and the menu of what this person
    may open, each link as (address, text), from the entries the apps add (navigation.py).
    Built from the person's access (one query for their grants, which also reads the
    organisations they are held in); checking a permission in their own organisation needs no
    more. Pages read ``can_browse_organisations``, ``can_administer`` and ``can_view_members``
    too."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    access = access_for(user)
    organisation = get_current_organisation(request)
    menu = [link for entry in MENU if (link := entry.link(request, access, organisation))]
    return {
        "current_organisation": organisation,
        "menu": menu,
        "can_browse_organisations": access.has(Perm.ORGANISATIONS_DIRECTORY),
        "can_administer": access.has(Perm.SERVICE_ADMIN),
        "can_view_members": organisation is not None
        and access.has(Perm.MEMBERS_VIEW, organisation),
    }
