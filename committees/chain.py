"""The chain of one alert beyond the incidents since (alerts/effect.py): the committees that
tabled it and the board reports that carried it. Names and dates only: never an agenda item's
notes, a meeting's minutes or a report's narrative.

- An agenda item tables an alert when its title names the alert's reference and the alert
  reached the meeting's organisation (it has a response to it): the suggested item ("Alert
  <reference>: <title>") does, and so does an item the secretary types naming the reference. A
  suggested item whose title was rewritten without the reference no longer tables it: the
  agenda as printed is what the committee discussed. Only meetings that have taken place count.
- A report carried an organisation's response when its kept figures list it: a
  ``ReportedAlert``, written when the report is approved, so never for a draft.

The readers take querysets already scoped to the person (``visible_to``), so these rules apply
the same way to a network lead's region and to one organisation.
"""

import re

from alerts.models import Alert, AlertResponse
from organisations.models import Organisation

from .models import AgendaItem, ReportedAlert


def names(title: str, reference: str) -> int:
    """Where ``title`` names ``reference`` whole (not within a longer reference), or -1."""
    found = re.search(rf"(?<![\w/]){re.escape(reference)}(?![\w/])", title, re.IGNORECASE)
    return found.start() if found else -1


def alerts_named(organisation_id: int, titles: list[str]) -> list[int | None]:
    """For each title, the alert it tables: of the alerts that reached the organisation, the one
    whose reference it names first (None: none)."""
    if not any(titles):
        return [None] * len(titles)
    reached = list(
        AlertResponse.objects.filter(organisation_id=organisation_id).values_list(
            "alert__reference", "alert_id"
        )
    )
    tabled = []
    for title in titles:
        lowered = title.lower()
        named = [
            (where, alert_id)
            for reference, alert_id in reached
            if reference.lower() in lowered and (where := names(title, reference)) >= 0
        ]
        tabled.append(min(named)[1] if named else None)
    return tabled


def carried(report) -> list[ReportedAlert]:
    """The responses an approved report's kept figures list, as the rows to keep (unsaved)."""
    rows = (report.snapshot or {}).get("alerts", {}).get("responses", [])
    alerts = dict(
        Alert.objects.filter(reference__in={row["reference"] for row in rows}).values_list(
            "reference", "pk"
        )
    )
    organisations = dict(
        Organisation.objects.filter(
            ods_code__in={row["ods_code"] for row in rows if row.get("ods_code")}
        ).values_list("ods_code", "pk")
    )
    kept = {}
    for row in rows:
        key = (alerts.get(row["reference"]), organisations.get(row.get("ods_code")))
        if None not in key:
            kept[key] = row["outcome"]
    return [
        ReportedAlert(report=report, alert_id=alert_id, organisation_id=pk, outcome=outcome)
        for (alert_id, pk), outcome in kept.items()
    ]


def tabled(meetings, alert, *, now):
    """Of ``meetings`` (those the person may see), those that have taken place with the alert
    on their agenda."""
    on_agenda = AgendaItem.objects.filter(alert=alert).values("meeting_id")
    return meetings.filter(starts_at__lte=now, pk__in=on_agenda)
