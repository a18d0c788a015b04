"""The chain of one alert: the incidents involving its medicines since it was issued, the
committees that tabled it and the board reports that carried it (committees/chain.py).

- Across organisations, for those who see who has responded to alerts (the MSO networks' leads,
  their region or all England; the national patient safety team): counts of incidents by
  region as the small-number rules allow (core/disclosure.py), never an incident; the
  organisations whose committee tabled it or whose response an approved report carried, by
  name, with the committee, the meeting dates and the report's period and dates. Never an
  agenda item's notes, minutes or a report's narrative.
- For one organisation, for those who see its alert responses: its own count of incidents,
  its meetings and the reports that carried its response.

Every figure is read in a constant number of queries, whatever the number of organisations.
"""

from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone

from alerts.choices import ResponseState
from alerts.effect import incidents_since, incidents_since_in
from alerts.models import Alert, AlertResponse
from alerts.permissions import Perm as AlertPerm
from committees.permissions import Perm
from core import disclosure
from core.http import Refused, allow, query_string_without_page
from organisations.access import access_for
from organisations.choices import Region
from organisations.models import Organisation
from organisations.scoping import get_object_for

from .. import chain
from ..models import AssuranceReport, Meeting, ReportedAlert

PAGE_SIZE = 50
ACROSS = AlertPerm.ALERTS_COMPLIANCE


def _percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


def _incidents_by_region(alert, organisations, regions, today):
    """The incidents since in the regions the person sees (None: all England), by region, as
    the small-number rules allow: each region's count with how many organisations it is drawn
    from (a region with none names nobody)."""
    found = incidents_since_in(alert, regions, on=today)
    if not (found.about_use and found.terms):
        return found, [], {}
    names = dict(Region.choices)
    rows = [
        {
            "region": str(names.get(region, "No region")),
            "organisations": found.organisations.get(region, size),
            "incidents": found.by_region.get(region, 0),
        }
        for region, size in organisations.values_list("region")
        .annotate(n=Count("pk"))
        .order_by("region")
    ]
    shown, totals = disclosure.protect(rows, ["incidents"])
    return found, shown, totals["incidents"]


def _reports(reported, links) -> list[dict]:
    """Each report that carried a response: the report, whose response it was, how it stood,
    and its address where the person may open it."""
    return [
        {
            "report": row.report,
            "of": row.organisation_id,
            "outcome": row.get_outcome_display(),
            "url": links.get(row.report_id, ""),
        }
        for row in reported
    ]


@allow("GET")
def alert_chain(request, alert_id):
    access = access_for(request.user)
    if not access.has(ACROSS):
        raise Refused(
            "The chain of an alert across organisations is for the MSO networks' leads and the "
            "national patient safety team. Your organisation's own is linked from the alert."
        )
    alert = get_object_or_404(Alert.objects.published().prefetch_related("medicines"), pk=alert_id)
    now, today = timezone.now(), timezone.localdate()
    organisations = Organisation.objects.visible_to(request.user, ACROSS)
    meetings = chain.tabled(Meeting.objects.visible_to(request.user, ACROSS), alert, now=now)
    reported = ReportedAlert.objects.visible_to(request.user, ACROSS).filter(alert=alert)
    reached = (
        AlertResponse.objects.visible_to(request.user, ACROSS)
        .filter(alert=alert)
        .aggregate(
            total=Count("pk"),
            not_applicable=Count("pk", filter=Q(state=ResponseState.NOT_APPLICABLE)),
        )
    )
    # The organisations in the chain, each with its name (at most every organisation's: two
    # queries, where ordering them in the database read both sets twice), by name.
    tabled = dict(
        meetings.values_list("committee__organisation_id", "committee__organisation__name")
        .order_by()
        .distinct()
    )
    carried = dict(
        reported.values_list("organisation_id", "organisation__name").order_by().distinct()
    )
    named = tabled | carried
    listed = sorted(named, key=lambda pk: (named[pk].casefold(), pk))
    page = Paginator(listed, PAGE_SIZE).get_page(request.GET.get("page"))
    ids = list(page)
    seen = access.regions(ACROSS)
    found, regions, total = _incidents_by_region(alert, organisations, seen, today)

    named = organisations.filter(pk__in=ids).only("pk", "name", "ods_code", "region").in_bulk()
    # Named only where the person sees it too (a closed or merged organisation may not be).
    page.object_list = [named[pk] for pk in ids if pk in named]
    dates = defaultdict(lambda: defaultdict(list))
    for row in (
        meetings.filter(committee__organisation_id__in=ids)
        .values_list("committee__organisation_id", "committee__name", "starts_at")
        .order_by("committee__name", "starts_at")
    ):
        dates[row[0]][row[1]].append(row[2])
    reports = list(
        reported.filter(organisation_id__in=ids)
        .select_related("report__committee__organisation")
        .order_by("report__period_end", "report_id")
    )
    # The reports the person may open themselves (the leads compare approved reports).
    readable = set(
        AssuranceReport.objects.visible_to(request.user, Perm.COMMITTEE_REPORTS_COMPARE)
        .filter(pk__in={row.report_id for row in reports})
        .values_list("pk", flat=True)
    )
    links = {pk: reverse("committees:compared_report", args=[pk]) for pk in readable}
    carried_by = defaultdict(list)
    for row in _reports(reports, links):
        carried_by[row["of"]].append(row)
    regions_names = dict(Region.choices)
    for organisation in page:
        organisation.region_label = regions_names.get(organisation.region, "No region")
        organisation.tabled_at = list(dates[organisation.pk].items())
        organisation.carried_in = carried_by[organisation.pk]
    context = {
        "alert": alert,
        "where": "England"
        if seen is None
        else ", ".join(str(regions_names.get(region, region)) for region in seen),
        "figures": {
            "reached": reached["total"],
            "not_applicable": reached["not_applicable"],
            "tabled": len(tabled),
            "tabled_percent": _percent(len(tabled), reached["total"]),
            "carried": len(carried),
            "carried_percent": _percent(len(carried), reached["total"]),
        },
        "since": found,
        "regions": regions,
        "total": total,
        "page": page,
        "query_string": query_string_without_page(request),
        "small": disclosure.SMALL,
        "fewest": disclosure.FEWEST_ORGANISATIONS,
    }
    return render(request, "committees/alert_chain.html", context)


@allow("GET")
def organisation_chain(request, alert_id, ods_code):
    """One organisation's chain, for whoever sees its alert responses: 404 for an organisation
    the person does not see, 403 for one they see but whose responses they may not."""
    organisation = get_object_for(request.user, Organisation, ods_code=ods_code)
    response = get_object_for(
        request.user,
        AlertResponse.objects.select_related("alert").filter(alert__published_at__isnull=False),
        within=organisation,
        alert_id=alert_id,
    )
    access = access_for(request.user)
    if AlertPerm.ALERTS_VIEW not in access.permissions(organisation):
        # Whoever only leads or owns an action of this response sees it, not the organisation's
        # committees and reports.
        raise PermissionDenied
    alert = response.alert
    now, today = timezone.now(), timezone.localdate()
    found = incidents_since(alert, [organisation.pk], on=today)
    meetings = list(
        chain.tabled(
            Meeting.objects.visible_to(request.user, AlertPerm.ALERTS_VIEW).filter(
                committee__organisation=organisation
            ),
            alert,
            now=now,
        )
        .select_related("committee")
        .order_by("starts_at", "pk")
    )
    reports = list(
        ReportedAlert.objects.visible_to(request.user, AlertPerm.ALERTS_VIEW)
        .filter(alert=alert, organisation=organisation)
        .select_related("report__committee__organisation")
        .order_by("report__period_end", "report_id")
    )
    opens_meetings = Perm.COMMITTEES_VIEW in access.permissions(organisation)
    links = {
        row.report_id: reverse(
            "committees:report",
            args=[
                row.report.committee.organisation.ods_code,
                row.report.committee_id,
                row.report_id,
            ],
        )
        for row in reports
        if Perm.COMMITTEES_VIEW in access.permissions(row.report.committee.organisation)
    }
    context = {
        "alert": alert,
        "organisation": organisation,
        "response": response,
        "since": found,
        "meetings": meetings,
        "opens_meetings": opens_meetings,
        "reports": _reports(reports, links),
    }
    return render(request, "committees/alert_chain_organisation.html", context)
