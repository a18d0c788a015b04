"""Reporting rates against peers, for network leads: a funnel plot of the organisations they
reach of one kind and size band, each against the national rate of its peers, over 12 whole
months (docs/adr/0027-funnel-plots-and-denominators.md). Counts of 1 to 4 are never shown,
nor a point that would give one away (core/funnel.py's ``withheld``). Read from the kept
monthly counts and the denominators in three queries, never from incidents."""

from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone

from core import disclosure
from core.funnel import THIRDS, Position
from core.http import Refused, allow
from core.replica import replica_reads
from incidents.permissions import Perm
from organisations.access import access_for
from organisations.choices import PeerGroup, Region
from organisations.models import Organisation

from .. import peers
from ..funnel_chart import funnel_svg, funnel_table, named
from ..peer_forms import ENGLAND, FunnelForm, month_label

# A table longer than this lists only the organisations outside the 95% limits (those beyond
# the 99.8% limits first), this many at most.
TABLE_MOST = 1_000
# The organisations with no denominator listed by name, at most.
NAMED_MOST = 200
# The table's order: beyond the 99.8% limits, then the 95% limits, then within.
ORDER = {
    Position.ABOVE_99_8: 0,
    Position.BELOW_99_8: 1,
    Position.ABOVE_95: 2,
    Position.BELOW_95: 3,
    Position.WITHIN: 4,
}


@allow("GET")
@replica_reads
def statistics_funnel(request):
    access = access_for(request.user)
    if not access.has(Perm.INCIDENTS_STATISTICS):
        raise Refused("Reporting rates across organisations are for MSO network leads.")
    regions = access.regions(Perm.INCIDENTS_STATISTICS)
    today = timezone.localdate()
    choice = FunnelForm(request.GET, regions=regions, today=today).choice()
    form = FunnelForm(FunnelForm.data_for(choice), regions=regions, today=today)
    reached = access.filter(Perm.INCIDENTS_STATISTICS, Organisation)
    if choice["region"] != ENGLAND:
        reached &= Q(region=choice["region"])
    comparison = peers.compare(
        choice["peers"], choice["band"], choice["since"], choice["until"], reached=reached
    )
    group = PeerGroup(choice["peers"]).label
    if choice["band"] is not None:
        group += f", {THIRDS[choice['band']].lower()} by size"
    period = f"{month_label(choice['since'])} to {month_label(choice['last'])}"
    where = "England" if choice["region"] == ENGLAND else dict(Region.choices)[choice["region"]]
    points = sorted(
        comparison.points,
        key=lambda point: (ORDER[point.placed.position], point.peer.name, point.peer.pk),
    )
    listed = points
    if len(points) > TABLE_MOST:
        listed = [point for point in points if point.placed.position != Position.WITHIN]
        listed = listed[:TABLE_MOST]  # beyond the 99.8% limits first
    title = f"{comparison.rule.rate.capitalize()}: {group}, {where}, {period}"
    chart = None
    if comparison.points:
        chart = funnel_svg(comparison, title, _description(comparison))
    context = {
        "form": form,
        "comparison": comparison,
        "chart": chart,
        "group": group,
        "period": period,
        "where": where,
        "national": regions is None,
        "listed": funnel_table(listed, comparison),
        "listed_count": len(listed),
        "table_cut": len(listed) < len(points),
        "table_most": TABLE_MOST,
        "outliers": named(
            [point for point in points if point.placed.position.beyond_99_8], comparison
        ),
        "no_denominator": comparison.no_denominator[:NAMED_MOST],
        "unnamed": max(0, len(comparison.no_denominator) - NAMED_MOST),
        "small": disclosure.SMALL,
        "left_out": _left_out(comparison),
        "kept_minutes": peers.PEERS_SECONDS // 60,
    }
    return render(request, "incidents/statistics_funnel.html", context)


def _description(comparison: peers.Comparison) -> str:
    counts = dict.fromkeys(Position, 0)
    for point in comparison.points:
        counts[point.placed.position] += 1
    parts = [f"{counts[p]} {p.label.lower()}" for p in Position if counts[p]]
    return (
        f"A funnel plot of {len(comparison.points)} organisations, each at its "
        f"{comparison.rule.exposure.split(' (')[0]} and its rate, against their peers' rate of "
        f"{comparison.target:.2f} {comparison.rule.rate}: {', '.join(parts)}."
    )


def _left_out(comparison: peers.Comparison) -> str:
    """How many organisations are not drawn for small numbers, and whether any of them is
    below the lower limits (a flag, which does not give their counts away), in words."""
    count, small = comparison.left_out, comparison.small
    if not count:
        return ""
    why = []
    if small:
        why.append(f"{small:,} with 1 to {disclosure.SMALL - 1} incidents")
    if count - small:
        their = "its count" if count - small == 1 else "their counts"
        why.append(f"{count - small:,} because {their} would let a smaller one be worked out")
    one = count == 1
    words = (
        f"{count:,} organisation{'' if one else 's'} {'is' if one else 'are'} not drawn, so "
        f"that no count under {disclosure.SMALL} is shown: {' and '.join(why)}."
    )
    if comparison.target_withheld:
        return words
    if comparison.left_out_below:
        who = "It is" if one else "At least one of them is"
        return (
            f"{words} {who} {comparison.left_out_below.label.lower()}: fewer incidents "
            "reported than its peers' rate would give."
        )
    return f"{words} {'It is not' if one else 'None of them is'} below the lower limits."
