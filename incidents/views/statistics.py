"""Incident statistics for network leads: counts by region and kind of organisation over the
last 12 months, for the organisations a lead reaches (national: all; regional: their region).
Counts only: never an incident, its text or its patient. Read from the kept tallies
(``IncidentTally``), a few hundred rows at any size, and shown as small-number rules allow
(core/disclosure.py): no count under 5, and no row of fewer than 3 organisations."""

from django import forms
from django.db.models import Count, Sum
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from core import disclosure, pdf
from core.forms import FromAddress
from core.http import Refused, allow
from core.replica import replica_reads
from incidents.permissions import Perm
from organisations.access import access_for
from organisations.choices import OrganisationKind, Region, region_choices
from organisations.models import Organisation

from .. import charts, learning, trends
from ..figures import REPORTING_LAG_MONTHS, month_starts
from ..models import TALLIED, Dimension, IncidentTally


@allow("GET")
@replica_reads
def statistics(request):
    if not access_for(request.user).has(Perm.INCIDENTS_STATISTICS):
        raise Refused("Incident statistics across organisations are for MSO network leads.")
    today = timezone.localdate()
    since = month_starts(today, 12)[0]  # the last 12 months, this one included
    regions = access_for(request.user).regions(Perm.INCIDENTS_STATISTICS)
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


class TrendsForm(FromAddress):
    dimension = forms.ChoiceField(
        label="Incidents by",
        choices=[(d.value, d.label) for d in trends.SHOWN],
        required=False,
    )
    region = forms.ChoiceField(label="Where", required=False)

    def __init__(self, data, *, regions):
        super().__init__(data)
        self.fields["region"].choices = region_choices(regions, everywhere="England")

    def choice(self) -> tuple[Dimension, str]:
        """What to show: the first of each list where the address asks for none it offers."""
        return Dimension(self.offered("dimension")), self.offered("region")


@allow("GET")
@replica_reads
def trends_view(request):
    if not access_for(request.user).has(Perm.INCIDENTS_STATISTICS):
        raise Refused("Incident trends across organisations are for MSO network leads.")
    regions = access_for(request.user).regions(Perm.INCIDENTS_STATISTICS)
    form = TrendsForm(request.GET, regions=regions)
    dimension, region = form.choice()
    form = TrendsForm({"dimension": dimension, "region": region}, regions=regions)
    found = trends.trends(dimension, region, regions, on=timezone.localdate())
    drawn = [
        (f"trend-{index}", each, charts.spc_drawing(each.chart) if each.chart else None)
        for index, each in enumerate([found.all, *found.series])
    ]
    context = {
        "form": form,
        "trends": found,
        "drawn": drawn,
        "small": disclosure.SMALL,
        "fewest": disclosure.FEWEST_ORGANISATIONS,
        "lag": REPORTING_LAG_MONTHS,
    }
    return render(request, "incidents/trends.html", context)


def _learning(request):
    if not access_for(request.user).has(Perm.INCIDENTS_STATISTICS):
        raise Refused("The national learning summary is for MSO network leads.")
    today = timezone.localdate()
    quarters = learning.offered(today)
    quarter = learning.Quarter.parse(request.GET.get("quarter", ""))
    if quarter not in quarters:
        quarter = quarters[0]
    regions = access_for(request.user).regions(Perm.INCIDENTS_STATISTICS)
    names = dict(Region.choices)
    context = learning.summary(quarter, regions, on=today)
    context |= {
        "quarters": quarters,
        "where": "England"
        if regions is None
        else ", ".join(sorted(names.get(region, region) for region in regions)),
    }
    return context


@allow("GET")
@replica_reads
def learning_summary(request):
    return render(request, "incidents/learning.html", _learning(request))


@allow("GET")
@replica_reads
def learning_summary_pdf(request):
    context = _learning(request)
    response = HttpResponse(
        pdf.render("incidents/learning_pdf.html", context), content_type="application/pdf"
    )
    name = f"national-learning-{context['quarter'].code}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
