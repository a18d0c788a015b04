from django.urls import reverse

from .access import access_for
from .current import can_switch_organisation, get_current_organisation
from .permissions import Perm


def navigation(request):
    """What the header shows: the organisation being worked in and the menu of what this person
    may open, each link as (address, text). Built from the person's access (one query for their
    grants, which also reads the organisations they are held in); checking a permission in their
    own organisation needs no more. Pages read ``can_browse_organisations``, ``can_administer``
    and ``can_view_members`` too."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    access = access_for(user)
    organisation = get_current_organisation(request)
    can = {
        "can_browse_organisations": access.has(Perm.ORGANISATIONS_DIRECTORY),
        "can_administer": access.has(Perm.SERVICE_ADMIN),
        "can_view_members": organisation is not None
        and access.has(Perm.MEMBERS_VIEW, organisation),
    }
    menu = [(reverse("home"), "Home")]
    if organisation is not None:
        menu.append((organisation.get_absolute_url(), "Your organisation"))
        if can["can_view_members"]:
            menu.append((reverse("organisations:members", args=[organisation.ods_code]), "Members"))
    if access.has(Perm.INCIDENTS_LIST):
        menu.append((reverse("incidents:list"), "Incidents"))
    elif access.has(Perm.INCIDENTS_STATISTICS):
        menu.append((reverse("incidents:statistics"), "Incident statistics"))
    if (
        access.has(Perm.ALERTS_VIEW)
        or access.has(Perm.ALERTS_COMPLIANCE)
        or access.has(Perm.ALERTS_PUBLISH)
    ):
        menu.append((reverse("alerts:inbox"), "Alerts"))
    if organisation is not None and access.has(Perm.COMMITTEES_VIEW, organisation):
        menu.append((reverse("committees:list", args=[organisation.ods_code]), "Committee"))
    if organisation is not None and access.has(Perm.PROJECTS_VIEW, organisation):
        menu.append((reverse("improvement:projects", args=[organisation.ods_code]), "Improvement"))
    if access.has(Perm.COMMITTEE_REPORTS_COMPARE):
        menu.append((reverse("committees:compare"), "Assurance reports"))
    if access.has(Perm.INCIDENTS_REPORT):
        menu.append((reverse("incidents:mine"), "My reports"))
    if can_switch_organisation(request):
        menu.append((reverse("organisations:switch"), "Switch organisation"))
    if access.has(Perm.REGISTER_VIEW):
        menu.append((reverse("register:list"), "MSO register"))
    if access.has(Perm.SPECIALISTS_VIEW):
        menu.append((reverse("register:specialists"), "Patient Safety Specialists"))
    if can["can_browse_organisations"]:
        menu.append((reverse("organisations:list"), "Organisations"))
    if access.has(Perm.NETWORKS_JOIN) or access.has(Perm.SPECIALIST_NETWORKS_JOIN):
        menu.append((reverse("networks:list"), "Networks"))
    if can["can_administer"]:
        menu.append((reverse("admin:index"), "Administration"))
    return {"current_organisation": organisation, "menu": menu, **can}
