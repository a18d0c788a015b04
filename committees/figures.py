"""The figures of a committee's assurance report for a period, worked out from the data: no
figure is typed. ``report_figures`` returns plain data (numbers, strings, lists and dicts) so
that an approved report keeps them as a snapshot (``AssuranceReport.snapshot``) and shows the
same figures whatever changes later.

Each section reads the period (first to last day, both included) and, for comparison, the
period of the same length just before. Incidents are counted by the day they happened (as the
incident dashboard counts them), duplicates left out; alerts by their responses' deadlines and
the day they were closed; improvement projects by the days they started and ended; posts and
handovers as they stood on the last day.
"""

import datetime

from django.core.cache import cache
from django.db.models import Count, Max, Q
from django.utils import timezone

from alerts.models import NO_DEADLINE, AlertActionResponse, AlertResponse
from core import spc
from improvement import measures
from improvement.models import Project
from incidents import charts
from incidents.choices import MODERATE_OR_WORSE, PHYSICAL_HARM, LearningResponse
from incidents.figures import REPORTING_LAG_MONTHS, month_starts, monthly_totals, rebased_at
from incidents.models import (
    Incident,
    IncidentAction,
    IncidentMedicine,
    PatientFeedback,
    ProcessChange,
    Status,
)
from organisations.choices import OrganisationKind, Post
from organisations.models import Appointment, Handover, Organisation, OrganisationClosure

from .choices import Attendance
from .models import Committee, Meeting, MeetingAction, MeetingAttendance

CHART_MONTHS = 24

# The sections of a report, in order: key, title, whether the chair's narrative is required.
SECTIONS = (
    ("summary", "Summary and assurance", True),
    ("incidents", "Incidents reported", True),
    ("harm", "Harm", False),
    ("medicines", "High-risk medicines and controlled drugs", False),
    ("themes", "Themes", False),
    ("learning", "Learning responses", False),
    ("projects", "Improvement projects", False),
    ("never_events", "Never events", False),
    ("alerts", "National patient safety alerts", True),
    ("actions", "Actions past their dates", False),
    ("posts", "Medication Safety Officer and board director", False),
    ("committee", "The committee's meetings", False),
    ("practices", "By practice", False),  # a primary care network's report only
)
REQUIRED = tuple(key for key, _, required in SECTIONS if required)


def previous_period(
    start: datetime.date, end: datetime.date
) -> tuple[datetime.date, datetime.date]:
    """The period of the same length just before: as many whole months before a period of
    whole months (the quarter before a quarter), else as many days."""
    before = start - datetime.timedelta(days=1)
    if start.day == 1 and (end + datetime.timedelta(days=1)).day == 1:
        months = (end.year - start.year) * 12 + end.month - start.month + 1
        month = start.month - months
        return datetime.date(start.year + (month - 1) // 12, (month - 1) % 12 + 1, 1), before
    return before - (end - start), before


def last_quarter(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last complete calendar quarter before ``today``."""
    first_of_this = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    end = first_of_this - datetime.timedelta(days=1)
    return datetime.date(end.year, end.month - 2, 1), end


def _incidents(organisation_ids, start, end):
    return Incident.objects.filter(
        organisation_id__in=organisation_ids, occurred_on__gte=start, occurred_on__lte=end
    ).exclude(status=Status.DUPLICATE)


def _start_of(day: datetime.date) -> datetime.datetime:
    """Midnight at the start of a day, here (a range of times, which an index can read)."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _chart(organisation_ids, end: datetime.date, organisation) -> dict:
    """Reports each month for the 24 months to the period's last month, as an XmR chart: from
    the monthly counts, and a count of the last month's incidents to its last day if the
    period ends before that month does."""
    starts = month_starts(end, CHART_MONTHS)
    counted = monthly_totals(organisation_ids, starts[0], end)
    if (end + datetime.timedelta(days=1)).day != 1:
        counted[starts[-1]] = _incidents(organisation_ids, starts[-1], end).count()
    first = next((i for i, start in enumerate(starts) if counted.get(start)), len(starts) - 1)
    # A period that ended within the reporting lag still has reports arriving for its last
    # month (incidents.figures.REPORTING_LAG_MONTHS).
    filling = (timezone.localdate() - end).days < 31 * REPORTING_LAG_MONTHS
    changes = ProcessChange.objects.filter(organisation=organisation, changed_on__lte=end)
    chart = spc.xmr(
        [(f"{start:%b %Y}", counted.get(start, 0)) for start in starts[first:]],
        incomplete=REPORTING_LAG_MONTHS if filling else 0,
        rebase=rebased_at(starts[first:], [change.first_month for change in changes]),
    )
    return spc.as_data(chart)


def chart_of(data: dict) -> spc.Chart:
    """The chart kept in a snapshot, to draw (one kept before groups were, too)."""
    return spc.from_data(data)


def _incident_totals(organisation_ids, start, end) -> dict:
    return _incidents(organisation_ids, start, end).aggregate(
        total=Count("id"),
        moderate_or_worse=Count("id", filter=Q(physical_harm__in=MODERATE_OR_WORSE)),
        high_risk=Count("id", filter=Q(high_risk=True)),
        controlled_drug=Count("id", filter=Q(controlled_drug=True)),
        never_events=Count("id", filter=Q(never_event=True)),
    )


def _alerts(organisation_ids, start, end) -> dict:
    """Each response of the period: to an alert published by its last day, and not closed
    before its first. Its deadline is the last of its actions'; it was on time when closed by
    then, late when closed after, overdue when still open after it at the period's end."""
    end_of_period = _start_of(end + datetime.timedelta(days=1))
    start_of_period = _start_of(start)
    responses = (
        AlertResponse.objects.filter(
            organisation_id__in=organisation_ids, alert__published_at__lt=end_of_period
        )
        .exclude(completed_at__lt=start_of_period)
        .select_related("alert", "organisation")
        .annotate(deadline=Max("alert__actions__due_on"))
        .order_by("alert__issued_on", "alert__reference", "organisation__name")
    )
    rows, counts = [], {"on_time": 0, "late": 0, "overdue": 0, "open": 0}
    by_organisation: dict[int, dict] = {}
    for response in responses:
        deadline = response.deadline or NO_DEADLINE
        closed_on = (
            timezone.localdate(response.completed_at)
            if response.completed_at and response.completed_at < end_of_period
            else None
        )
        if closed_on is not None:
            outcome = "on_time" if closed_on <= deadline else "late"
        else:
            outcome = "overdue" if deadline < end else "open"
        counts[outcome] += 1
        each = by_organisation.setdefault(response.organisation_id, dict.fromkeys(counts, 0))
        each[outcome] += 1
        rows.append(
            {
                "reference": response.alert.reference,
                "organisation": response.organisation.name,
                "ods_code": response.organisation.ods_code,
                "title": response.alert.title,
                "deadline": None if deadline == NO_DEADLINE else deadline.isoformat(),
                "closed_on": closed_on.isoformat() if closed_on else None,
                "outcome": outcome,
            }
        )
    return {**counts, "total": len(rows), "responses": rows}, by_organisation


def covered(organisation: Organisation, on: datetime.date) -> list[Organisation]:
    """The organisations a report covers on a day: the committee's own and those it took over;
    for a primary care network, its practices too (as its incident dashboard rolls them up)."""
    reach = OrganisationClosure.objects.valid_on(on).filter(ancestor=organisation)
    if organisation.kind != OrganisationKind.PCN:
        reach = reach.filter(area=False)
    return list(Organisation.objects.filter(pk__in=reach.values("descendant_id")).order_by("name"))


def _practices(practices, start, end, previous_start, previous_end, alerts) -> list[dict]:
    """A primary care network's figures practice by practice."""
    ids = [practice.pk for practice in practices]
    counted = {
        row["organisation_id"]: row
        for row in _incidents(ids, previous_start, end)
        .values("organisation_id")
        .annotate(
            total=Count("id", filter=Q(occurred_on__gte=start)),
            previous=Count("id", filter=Q(occurred_on__lte=previous_end)),
            moderate_or_worse=Count(
                "id", filter=Q(occurred_on__gte=start, physical_harm__in=MODERATE_OR_WORSE)
            ),
            never_events=Count("id", filter=Q(occurred_on__gte=start, never_event=True)),
        )
        .order_by()
    }
    empty = {"total": 0, "previous": 0, "moderate_or_worse": 0, "never_events": 0}
    return [
        {
            "name": practice.name,
            "ods_code": practice.ods_code,
            **{key: counted.get(practice.pk, empty)[key] for key in empty},
            "alerts": alerts.get(practice.pk, {"on_time": 0, "late": 0, "overdue": 0, "open": 0}),
        }
        for practice in practices
    ]


def _projects(organisation_ids, start, end) -> dict:
    """Projects started and ended in the period, with what their measures came to, and those
    in progress on its last day."""
    projects = Project.objects.filter(organisation_id__in=organisation_ids).select_related("lead")
    ended = list(
        projects.finished_between(start, end)
        .exclude(status=Project.Status.ACTIVE)
        .prefetch_related("points")
        .order_by("finished_on", "pk")
    )
    return {
        "started": [
            {
                "title": p.title,
                "lead": p.lead.full_name or p.lead.email,
                "started_on": p.started_on.isoformat(),
                "co_produced": p.is_co_produced,
            }
            for p in projects.started_between(start, end).order_by("started_on", "pk")
        ],
        "ended": [
            {
                "title": p.title,
                "status": p.get_status_display(),
                "finished_on": p.finished_on.isoformat(),
                "measure": f"{p.measure} ({p.measure_unit})",
                "results": p.results,
                "co_produced": p.is_co_produced,
                **measures.result(p, list(p.points.all())),
            }
            for p in ended
        ],
        "in_progress": projects.filter(started_on__lte=end)
        .filter(Q(finished_on__isnull=True) | Q(finished_on__gt=end))
        .count(),
    }


def report_figures(committee: Committee, start: datetime.date, end: datetime.date) -> dict:
    """Every section's figures for the period, and the period before for comparison."""
    organisation = committee.organisation
    reached = covered(organisation, end)
    ids = [o.pk for o in reached] or [organisation.pk]
    before_start, before_end = previous_period(start, end)
    alerts, alerts_by_organisation = _alerts(ids, start, end)
    practices = [o for o in reached if o.kind == OrganisationKind.GP_PRACTICE]
    period = _incidents(ids, start, end)
    totals = _incident_totals(ids, start, end)
    previous = _incident_totals(ids, before_start, before_end)
    harm = dict(period.values_list("physical_harm").annotate(n=Count("id")).order_by())
    previous_harm = dict(
        _incidents(ids, before_start, before_end)
        .values_list("physical_harm")
        .annotate(n=Count("id"))
        .order_by()
    )
    groups = list(
        IncidentMedicine.objects.filter(incident__in=period.values("pk"))
        .exclude(high_risk_group="")
        .values_list("high_risk_group")
        .annotate(n=Count("incident", distinct=True))
        .order_by("-n", "high_risk_group")
    )
    themes = list(
        period.filter(themes__isnull=False)
        .values_list("themes__name")
        .annotate(n=Count("id", distinct=True))
        .order_by("-n", "themes__name")[:10]
    )
    closed = Incident.objects.filter(
        organisation_id__in=ids,
        status=Status.CLOSED,
        closed_at__gte=_start_of(start),
        closed_at__lt=_start_of(end + datetime.timedelta(days=1)),
    )
    learning = dict(
        closed.exclude(learning_response="")
        .values_list("learning_response")
        .annotate(n=Count("id"))
        .order_by()
    )
    feedback = PatientFeedback.objects.filter(
        organisation_id__in=ids, received_on__gte=start, received_on__lte=end
    )
    feedback_themes = list(
        feedback.filter(themes__isnull=False)
        .values_list("themes__name")
        .annotate(n=Count("id", distinct=True))
        .order_by("-n", "themes__name")[:10]
    )
    meetings = list(
        Meeting.objects.filter(
            committee=committee, starts_at__date__gte=start, starts_at__date__lte=end
        ).order_by("starts_at")
    )
    attendance = MeetingAttendance.objects.filter(meeting__in=meetings).aggregate(
        seats=Count("id"), present=Count("id", filter=Q(status=Attendance.PRESENT))
    )
    holders = {
        post: [a.holder_name for a in found]
        for post in (Post.MSO, Post.BOARD_DIRECTOR)
        for found in [
            list(
                Appointment.objects.filter(organisation=organisation, post=post)
                .current(end)
                .select_related("user")
            )
        ]
    }
    handovers = (
        Handover.objects.filter(organisation=organisation, opened_at__date__lte=end)
        .exclude(completed_at__date__lt=start)
        .exclude(cancelled_at__date__lt=start)
    )
    return {
        "period": [start.isoformat(), end.isoformat()],
        "previous": [before_start.isoformat(), before_end.isoformat()],
        "organisation": {
            "name": organisation.name,
            "ods_code": organisation.ods_code,
            "covers": [o.name for o in reached if o.pk != organisation.pk],
        },
        "incidents": {**totals, "previous": previous, "chart": _chart(ids, end, organisation)},
        "harm": [
            {
                "level": str(label),
                "count": harm.get(code, 0),
                "previous": previous_harm.get(code, 0),
            }
            for code, label in PHYSICAL_HARM.choices
        ],
        "medicines": {
            "high_risk": totals["high_risk"],
            "controlled_drug": totals["controlled_drug"],
            "previous_high_risk": previous["high_risk"],
            "previous_controlled_drug": previous["controlled_drug"],
            "groups": [{"group": g, "count": n} for g, n in groups],
        },
        "themes": [{"theme": t, "count": n} for t, n in themes],
        "feedback": {
            "count": feedback.count(),
            "previous": PatientFeedback.objects.filter(
                organisation_id__in=ids, received_on__gte=before_start, received_on__lte=before_end
            ).count(),
            "themes": [{"theme": t, "count": n} for t, n in feedback_themes],
        },
        "learning": [
            {"response": str(label), "count": learning.get(code, 0)}
            for code, label in LearningResponse.choices
            if code != LearningResponse.NONE
        ],
        "projects": _projects(ids, start, end),
        "never_events": sorted(period.filter(never_event=True).values_list("reference", flat=True)),
        "alerts": alerts,
        "actions": {
            "incident_actions_overdue": IncidentAction.objects.filter(
                incident__organisation_id__in=ids,
                state=IncidentAction.State.OPEN,
                due_on__lt=end,
            ).count(),
            "alert_actions_overdue": AlertActionResponse.objects.filter(
                response__organisation_id__in=ids
            )
            .overdue(end)
            .count(),
            "committee_actions_overdue": MeetingAction.objects.filter(meeting__committee=committee)
            .overdue(end)
            .count(),
        },
        "posts": {
            "mso": holders[Post.MSO],
            "board_director": holders[Post.BOARD_DIRECTOR],
            "handovers": handovers.count(),
        },
        "committee": {
            "meetings": len(meetings),
            "quorate": sum(1 for m in meetings if m.quorate),
            "not_quorate": sum(1 for m in meetings if m.quorate is False),
            "attendance_unrecorded": sum(1 for m in meetings if m.quorate is None),
            "attendance_rate": round(100 * attendance["present"] / attendance["seats"])
            if attendance["seats"]
            else None,
        },
        "practices": _practices(
            practices, start, end, before_start, before_end, alerts_by_organisation
        )
        if organisation.kind == OrganisationKind.PCN
        else [],
    }


# A draft's figures are worked out again when they are older than this (and when the chair or
# secretary asks, and on approval): a draft's page then reads them rather than the data.
DRAFT_FIGURES_SECONDS = 600


def _draft_key(report) -> str:
    return f"committees:draft-figures:{report.pk}:{report.period_start}:{report.period_end}"


def draft_figures(report) -> tuple[dict, datetime.datetime]:
    """A draft's figures as they were at most ten minutes ago, and when they were worked out:
    kept in the cache, so that reading a draft does not count a quarter's incidents again."""
    kept = cache.get(_draft_key(report))
    now = timezone.now()
    if kept is None or (now - kept["at"]).total_seconds() > DRAFT_FIGURES_SECONDS:
        kept = {
            "figures": report_figures(report.committee, report.period_start, report.period_end),
            "at": now,
        }
        cache.set(_draft_key(report), kept, DRAFT_FIGURES_SECONDS)
    return kept["figures"], kept["at"]


def forget_draft_figures(report) -> None:
    """Have a draft's figures worked out again when it is next read."""
    cache.delete(_draft_key(report))


def report_context(report) -> dict:
    """What the report's web page and its PDF show: its kept figures once approved, else a
    draft's figures as they are now (at most ten minutes old, with when they were worked out);
    each section with its narrative; the chart to draw."""
    worked_out_at = None
    if report.snapshot:
        found = report.snapshot
    else:
        found, worked_out_at = draft_figures(report)
    chart = chart_of(found["incidents"]["chart"])
    return {
        "report": report,
        "worked_out_at": worked_out_at,
        "committee": report.committee,
        "organisation": report.committee.organisation,
        "figures": found,
        "previous": [datetime.date.fromisoformat(day) for day in found["previous"]],
        "sections": [
            {
                "key": key,
                "title": title,
                "required": required,
                "narrative": report.narratives.get(key, ""),
            }
            for key, title, required in SECTIONS
            # A report approved before a section existed keeps its figures without it.
            if (key != "practices" or found.get("practices")) and (key in found or key == "summary")
        ],
        "spc": charts.spc_drawing(chart),
        "chart": chart,
    }


def key_figures(snapshot: dict) -> dict:
    """The figures an ICB or a network sets side by side, from a report's kept figures."""
    incidents, alerts, actions = snapshot["incidents"], snapshot["alerts"], snapshot["actions"]
    start, end = (datetime.date.fromisoformat(day) for day in snapshot["period"])
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    return {
        "incidents": incidents["total"],
        "previous": incidents["previous"]["total"],
        "moderate_or_worse": incidents["moderate_or_worse"],
        "never_events": len(snapshot["never_events"]),
        # a signal of special cause in one of the period's months
        "special_cause": any(point["signals"] for point in incidents["chart"]["points"][-months:]),
        "alerts_on_time": alerts["on_time"],
        "alerts_late": alerts["late"],
        "alerts_overdue": alerts["overdue"],
        "actions_overdue": sum(actions.values()),
        "mso": snapshot["posts"]["mso"],
        "meetings": snapshot["committee"]["meetings"],
        "quorate": snapshot["committee"]["quorate"],
    }
