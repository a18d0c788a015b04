"""An organisation's incident dashboard: figures, never an incident. For a PCN, its practices
whose figures the person may see are rolled up with it, and listed one by one."""

from django.shortcuts import render
from django.utils import timezone

from core.http import allow
from incidents.permissions import Perm
from organisations.access import access_for
from organisations.models import Organisation, OrganisationClosure
from organisations.scoping import get_object_for

from .. import charts
from ..figures import figures
from ..models import ProcessChange


def _reached(user, ods_code, on) -> tuple[Organisation | None, list[Organisation]]:
    """The organisation of the ODS code if the person may see its figures, and it with those
    it took over and (for a PCN) its practices, each where the person may see figures: one
    query, from the reach table."""
    below = OrganisationClosure.objects.valid_on(on).filter(ancestor__ods_code=ods_code)
    seen = Organisation.objects.visible_to(user).filter(pk__in=below.values("descendant_id"))
    permissions = access_for(user).permission_map()
    reached = [o for o in seen if Perm.INCIDENTS_FIGURES in permissions[o]]
    return next((o for o in reached if o.ods_code == ods_code), None), reached


@allow("GET")
def dashboard(request, ods_code):
    today = timezone.localdate()
    organisation, reached = _reached(request.user, ods_code, today)
    if organisation is None:  # 404, or 403 where the person sees it but not its figures
        organisation = get_object_for(
            request.user, Organisation, Perm.INCIDENTS_FIGURES, ods_code=ods_code
        )
        reached = [organisation]
    changes = list(ProcessChange.objects.visible_to(request.user).filter(organisation=organisation))
    found = figures(reached, on=today, changes=[change.first_month for change in changes])
    context = {
        "organisation": organisation,
        "reached": reached,
        "figures": found,
        "spc": charts.spc_drawing(found.monthly),
        "harm_chart": charts.bars(found.harm),
        "stage_chart": charts.bars(found.stages),
        "medicine_chart": charts.bars(found.medicines),
        "group_chart": charts.bars(found.high_risk_groups),
        "can_list": access_for(request.user).has(Perm.INCIDENTS_LIST, organisation),
        "can_log_feedback": access_for(request.user).has(Perm.INCIDENTS_REVIEW, organisation),
        "changes": changes,
    }
    return render(request, "incidents/dashboard.html", context)
