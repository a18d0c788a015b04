"""The links the alert's chain reads, for what was written before them: each agenda item to the
alert its title names (of the alerts that reached the meeting's organisation), and each
approved report to the alert responses its kept figures list. The rules are those of
committees/chain.py on the day this was written, kept here so that the migration does not
change with that module."""

import re

from django.db import migrations

PCN = "pcn"


def _names(title: str, reference: str) -> int:
    found = re.search(rf"(?<![\w/]){re.escape(reference)}(?![\w/])", title, re.IGNORECASE)
    return found.start() if found else -1


def link_agenda_items(apps, schema_editor):
    AgendaItem = apps.get_model("committees", "AgendaItem")
    AlertResponse = apps.get_model("alerts", "AlertResponse")
    reached: dict[int, list] = {}
    linked = []
    items = AgendaItem.objects.select_related("meeting__committee").order_by("pk")
    for item in items.iterator(chunk_size=2000):
        organisation_id = item.meeting.committee.organisation_id
        if organisation_id not in reached:
            reached[organisation_id] = list(
                AlertResponse.objects.filter(organisation_id=organisation_id).values_list(
                    "alert__reference", "alert_id"
                )
            )
        lowered = item.title.lower()
        named = [
            (where, alert_id)
            for reference, alert_id in reached[organisation_id]
            if reference.lower() in lowered and (where := _names(item.title, reference)) >= 0
        ]
        if named:
            item.alert_id = min(named)[1]
            linked.append(item)
    AgendaItem.objects.bulk_update(linked, ["alert"], batch_size=1000)


def keep_reported_alerts(apps, schema_editor):
    """Reports approved before their figures kept each organisation's ODS code name it: it is
    found by name among the organisations the report covered (left out when two share it)."""
    AssuranceReport = apps.get_model("committees", "AssuranceReport")
    ReportedAlert = apps.get_model("committees", "ReportedAlert")
    Alert = apps.get_model("alerts", "Alert")
    Organisation = apps.get_model("organisations", "Organisation")
    OrganisationClosure = apps.get_model("organisations", "OrganisationClosure")
    reports = (
        AssuranceReport.objects.exclude(state="draft")
        .select_related("committee__organisation")
        .order_by("pk")
    )
    for report in reports.iterator(chunk_size=500):
        rows = (report.snapshot or {}).get("alerts", {}).get("responses", [])
        if not rows:
            continue
        alerts = dict(
            Alert.objects.filter(reference__in={row["reference"] for row in rows}).values_list(
                "reference", "pk"
            )
        )
        by_code = dict(
            Organisation.objects.filter(
                ods_code__in={row["ods_code"] for row in rows if row.get("ods_code")}
            ).values_list("ods_code", "pk")
        )
        organisation = report.committee.organisation
        reach = OrganisationClosure.objects.filter(ancestor_id=organisation.pk)
        if organisation.kind != PCN:
            reach = reach.filter(area=False)
        covered = {organisation.pk, *reach.values_list("descendant_id", flat=True)}
        by_name: dict[str, set] = {}
        for pk, name in Organisation.objects.filter(pk__in=covered).values_list("pk", "name"):
            by_name.setdefault(name, set()).add(pk)
        kept = {}
        for row in rows:
            if row.get("ods_code"):
                organisation_id = by_code.get(row["ods_code"])
            else:
                named = by_name.get(row["organisation"], set())
                organisation_id = next(iter(named)) if len(named) == 1 else None
            alert_id = alerts.get(row["reference"])
            if alert_id is not None and organisation_id is not None:
                kept[(alert_id, organisation_id)] = row["outcome"]
        ReportedAlert.objects.bulk_create(
            [
                ReportedAlert(
                    report_id=report.pk,
                    alert_id=alert_id,
                    organisation_id=organisation_id,
                    outcome=outcome,
                )
                for (alert_id, organisation_id), outcome in kept.items()
            ],
            ignore_conflicts=True,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("committees", "0009_agenda_alert_and_reported_alerts"),
    ]

    operations = [
        migrations.RunPython(link_agenda_items, migrations.RunPython.noop),
        migrations.RunPython(keep_reported_alerts, migrations.RunPython.noop),
    ]
