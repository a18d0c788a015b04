"""Incident statistics for network leads: counts by region and kind of organisation over the
last 12 months, for the organisations a lead reaches (national: all; regional: their region).
Counts only: never an incident, its text or its patient."""

import datetime

from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone

from mso_portal.http import Refused, allow
from organisations.access import access_for
from organisations.choices import OrganisationKind, Region
from organisations.models import Organisation
from organisations.permissions import Perm

from .. import choices
from ..models import OPEN_STATUSES, Incident, Status


@allow("GET")
def statistics(request):
    if not access_for(request.user).has(Perm.INCIDENTS_STATISTICS):
        raise Refused("Incident statistics across organisations are for MSO network leads.")
    today = timezone.localdate()
    since = today - datetime.timedelta(days=365)
    reached = Organisation.objects.visible_to(request.user, Perm.INCIDENTS_STATISTICS)
    rows = list(
        Incident.objects.filter(organisation__in=reached.values("pk"), occurred_on__gt=since)
        .exclude(status=Status.DUPLICATE)
        .values("organisation__region", "organisation__kind")
        .annotate(
            total=Count("id"),
            moderate_or_worse=Count("id", filter=Q(physical_harm__in=choices.MODERATE_OR_WORSE)),
            controlled_drug=Count("id", filter=Q(controlled_drug=True)),
            open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
            organisations=Count("organisation", distinct=True),
        )
        .order_by("organisation__region", "organisation__kind")
    )
    regions, kinds = dict(Region.choices), dict(OrganisationKind.choices)
    for row in rows:
        row["region"] = regions.get(row["organisation__region"], row["organisation__region"])
        row["kind"] = kinds.get(row["organisation__kind"], row["organisation__kind"])
    totals = {
        key: sum(row[key] for row in rows)
        for key in ("total", "moderate_or_worse", "controlled_drug", "open")
    }
    context = {"rows": rows, "totals": totals, "since": since}
    return render(request, "incidents/statistics.html", context)
