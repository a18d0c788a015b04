"""Incident statistics for network leads: counts by region and kind of organisation over the
last 12 months, for the organisations a lead reaches (national: all; regional: their region).
Counts only: never an incident, its text or its patient. Read from the kept tallies
(``IncidentTally``), a few hundred rows at any size, and shown as small-number rules allow
(core/disclosure.py): no count under 5, and no row of fewer than 3 organisations."""

from django.db.models import Count, Sum
from django.shortcuts import render
from django.utils import timezone

from core import disclosure
from core.http import Refused, allow
from incidents.permissions import Perm
from organisations.access import access_for
from organisations.choices import OrganisationKind, Region
from organisations.models import Organisation

from ..figures import month_starts
from ..models import TALLIED, IncidentTally


def _regions(user) -> set[str] | None:
    """The regions whose statistics the person sees (None: all of England)."""
    scopes = access_for(user).scopes(Perm.INCIDENTS_STATISTICS)
    if any(scope.everywhere for scope in scopes):
        return None
    return set().union(*(scope.regions for scope in scopes))


@allow("GET")
def statistics(request):
    if not access_for(request.user).has(Perm.INCIDENTS_STATISTICS):
        raise Refused("Incident statistics across organisations are for MSO network leads.")
    today = timezone.localdate()
    since = month_starts(today, 12)[0]  # the last 12 months, this one included
    regions = _regions(request.user)
    tallies = IncidentTally.objects.filter(month__gte=since)
    if regions is not None:
        tallies = tallies.filter(region__in=regions)
    organisations = Organisation.objects.visible_to(request.user, Perm.INCIDENTS_STATISTICS).open(
        today
    )
    counted = {
        (row["region"], row["kind"]): row
        for row in tallies.values("region", "kind").annotate(**{k: Sum(k) for k in TALLIED})
    }
    sizes = {
        (row["region"], row["kind"]): row["n"]
        for row in organisations.values("region", "kind").annotate(n=Count("pk")).order_by()
    }
    region_names, kind_names = dict(Region.choices), dict(OrganisationKind.choices)
    rows = [
        {
            **{name: counted[key][name] for name in TALLIED},
            "region": region_names.get(key[0], key[0]),
            "kind": kind_names.get(key[1], key[1]),
            "organisations": sizes.get(key, 0),
        }
        for key in sorted(counted)
        if counted[key]["total"]
    ]
    shown, totals = disclosure.protect(rows, list(TALLIED))
    for row in shown:
        row["cells"] = [row[key] for key in TALLIED]
    context = {
        "rows": shown,
        "totals": {"cells": [totals[key] for key in TALLIED]},
        "since": since,
        "small": disclosure.SMALL,
        "fewest": disclosure.FEWEST_ORGANISATIONS,
    }
    return render(request, "incidents/statistics.html", context)
