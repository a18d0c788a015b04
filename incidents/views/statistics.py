"""Incident statistics for network leads: counts by region and kind of organisation over the
last 12 months, for the organisations a lead reaches (national: all; regional: their region).
Counts only: never an incident, its text or its patient."""

import datetime

from django.shortcuts import render
from django.utils import timezone

from core.http import Refused, allow
from incidents.permissions import Perm
from organisations.access import access_for
from organisations.choices import OrganisationKind, Region
from organisations.models import Organisation

from ..figures import counts_by_region_and_kind


@allow("GET")
def statistics(request):
    if not access_for(request.user).has(Perm.INCIDENTS_STATISTICS):
        raise Refused("Incident statistics across organisations are for MSO network leads.")
    today = timezone.localdate()
    since = today - datetime.timedelta(days=365)
    reached = Organisation.objects.visible_to(request.user, Perm.INCIDENTS_STATISTICS)
    rows = counts_by_region_and_kind(reached.values("pk"), since=since)
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
