from .access import access_for
from .current import can_switch_organisation, get_current_organisation
from .permissions import Perm


def navigation(request):
    """What the header shows: the organisation being worked in and the links this person has.
    Built from the person's access (one query for their grants) and the current organisation
    (one query); checking a permission in their own organisation needs no more."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    access = access_for(user)
    organisation = get_current_organisation(request)
    return {
        "current_organisation": organisation,
        "can_switch_organisation": can_switch_organisation(request),
        "can_browse_organisations": access.has(Perm.ORGANISATIONS_DIRECTORY),
        "can_view_register": access.has(Perm.REGISTER_VIEW),
        "can_join_networks": access.has(Perm.NETWORKS_JOIN),
        "can_view_members": organisation is not None
        and access.has(Perm.MEMBERS_VIEW, organisation),
        "can_administer": access.has(Perm.SERVICE_ADMIN),
        "can_report_incidents": access.has(Perm.INCIDENTS_REPORT),
        "can_list_incidents": access.has(Perm.INCIDENTS_LIST),
        "can_see_incident_statistics": access.has(Perm.INCIDENTS_STATISTICS),
        "can_see_committees": organisation is not None
        and access.has(Perm.COMMITTEES_VIEW, organisation),
        "can_compare_reports": access.has(Perm.COMMITTEE_REPORTS_COMPARE),
        "can_see_alerts": access.has(Perm.ALERTS_VIEW)
        or access.has(Perm.ALERTS_COMPLIANCE)
        or access.has(Perm.ALERTS_PUBLISH),
    }
