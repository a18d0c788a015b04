"""Each organisation's incident reporting rate against its peers, for the funnel plots network
leads read (docs/adr/0027-funnel-plots-and-denominators.md; core/funnel.py does the
statistics).

``compare(peers, band, since, until, reached=…)`` reads, for a peer group
(organisations.choices.PEER_KINDS) over whole months, whatever the number of organisations or
incidents, three queries:

- the group's organisations open in the period;
- their denominators in the period, summed by organisation, with how many months are recorded;
- their incidents in the months that have a denominator, from the kept monthly counts
  (``IncidentMonth``'s ``total``), never the incidents themselves;

kept in the cache for ten minutes (``PEERS_SECONDS``): these national rows are the same for
every lead. Then one more query, for a lead who does not reach every organisation, for those
they do. The target, the size bands and which counts are withheld are the whole country's
peers', the same for everyone who looks (so no two people's pages differ in what they hide); a
person sees the organisations they reach against them.
"""

import datetime
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from core import funnel
from organisations import denominators
from organisations.choices import MEASURES, PEER_KINDS, MeasureRule, measure_of
from organisations.models import Denominator, Organisation

from .models import IncidentMonth

ALL_BANDS = 3  # the index, among the groups given to funnel.withheld, of the whole group
# A peer group's national rows are the same for every lead who looks: worked out again when
# older than this, as a draft assurance report's figures are (a funnel of 12 whole months; a
# report that arrives late shows within the time).
PEERS_SECONDS = 600


@dataclass
class Peer:
    pk: int
    ods_code: str
    name: str
    region: str
    reached: bool
    months: int = 0  # months with a denominator recorded in the period
    recorded: int = 0  # their values, summed
    incidents: int = 0  # in those months
    rule: MeasureRule | None = None

    @property
    def exposure(self) -> float:
        """The period's exposure in the measure's unit (a year of registration for a list)."""
        return self.recorded / self.rule.months_a_unit if self.rule else 0

    @property
    def size(self) -> float:
        """The mean of its months: what its size band is read from."""
        return self.recorded / self.months if self.months else 0

    def unit(self) -> funnel.Unit:
        return funnel.Unit(self.pk, self.incidents, self.exposure)


def _national(peers: str, since: datetime.date, until: datetime.date) -> list[tuple]:
    """Every organisation of the peer group open in the months from ``since`` to before
    ``until``: (id, ODS code, name, region, months recorded, their values summed, incidents in
    them), in three queries."""
    kinds = sorted(PEER_KINDS[peers])
    rows = {
        pk: [pk, code, name, region, 0, 0, 0]
        for pk, code, name, region in Organisation.objects.filter(kind__in=kinds)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=since))
        .filter(Q(opened_on__isnull=True) | Q(opened_on__lt=until))
        .order_by("name", "pk")
        .values_list("pk", "ods_code", "name", "region")
    }
    in_period = {"month__gte": since, "month__lt": until}
    for pk, months, recorded in (
        Denominator.objects.filter(organisation__kind__in=kinds, **in_period)
        .values("organisation_id")
        .annotate(months=Count("pk"), recorded=Sum("value"))
        .order_by()
        .values_list("organisation_id", "months", "recorded")
    ):
        if pk in rows:
            rows[pk][4:6] = months, recorded
    # Incidents in the months with a denominator: every month's, from the index alone, less
    # the months without one of the organisations with only some months recorded.
    incidents = IncidentMonth.objects.filter(**in_period).values("organisation_id")
    incidents = incidents.annotate(total=Sum("total")).order_by()
    for pk, total in incidents.filter(organisation__kind__in=kinds).values_list(
        "organisation_id", "total"
    ):
        if pk in rows and rows[pk][4]:  # none counted without a denominator
            rows[pk][6] = total or 0
    whole = (until.year - since.year) * 12 + until.month - since.month
    partly = [pk for pk, row in rows.items() if 0 < row[4] < whole]
    if partly:
        denominated = Denominator.objects.filter(
            organisation_id=OuterRef("organisation_id"), month=OuterRef("month")
        )
        for pk, total in (
            incidents.filter(organisation_id__in=partly)
            .exclude(Exists(denominated))
            .values_list("organisation_id", "total")
        ):
            rows[pk][6] -= total or 0
    return [tuple(row) for row in rows.values()]


def national(peers: str, since: datetime.date, until: datetime.date) -> dict:
    """The peer group's national rows (``_national``) and when they were worked out: the same
    for every lead, so kept in the cache for PEERS_SECONDS, and worked out again sooner when a
    denominator is recorded or imported."""
    key = f"incidents:peers:{peers}:{since:%Y-%m}:{until:%Y-%m}:{denominators.version()}"
    kept = cache.get(key)
    if kept is None:
        kept = {"rows": _national(peers, since, until), "at": timezone.now()}
        cache.set(key, kept, PEERS_SECONDS)
    return kept


def read(
    peers: str, since: datetime.date, until: datetime.date, reached: Q
) -> tuple[list[Peer], datetime.datetime]:
    """The peer group's organisations with their denominators and incidents in the period,
    each marked with whether the person reaches it (``reached``: the rule set's filter over
    organisations, Q() for all; one query unless it is everyone), and when the national rows
    were worked out."""
    kept = national(peers, since, until)
    rule = MEASURES[measure_of(peers)]
    ids = None
    if reached:
        ids = set(
            Organisation.objects.filter(kind__in=sorted(PEER_KINDS[peers]))
            .filter(reached)
            .values_list("pk", flat=True)
        )
    found = [
        Peer(pk, code, name, region, ids is None or pk in ids, months, recorded, total, rule)
        for pk, code, name, region, months, recorded, total in kept["rows"]
    ]
    return found, kept["at"]


@dataclass
class Point:
    peer: Peer
    placed: funnel.Placed

    @property
    def rate(self) -> float:
        """Incidents per the measure's rate unit (per 1,000 bed days)."""
        return self.placed.rate * self.peer.rule.per


@dataclass
class Comparison:
    peers: str
    rule: MeasureRule
    band: int | None  # None: every band
    since: datetime.date
    until: datetime.date
    worked_out: datetime.datetime | None = None  # when the national rows were read
    target: float | None = None  # per the rate unit; None: not shown
    target_withheld: bool = False  # it would give a count under 5 away
    in_group: int = 0  # organisations of the group (band) the person reaches
    points: list[Point] = field(default_factory=list)
    lines: list[funnel.LimitLine] = field(default_factory=list)
    left_out: int = 0  # reached, withheld for small numbers
    small: int = 0  # of them, those with 1 to 4 incidents
    left_out_below: funnel.Position | None = None  # the lowest of them, if below a limit
    no_denominator: list[Peer] = field(default_factory=list)

    @property
    def outliers(self) -> list[Point]:
        return [point for point in self.points if point.placed.position.beyond_99_8]

    @property
    def drawn_range(self) -> tuple[float, float] | None:
        exposures = [point.peer.exposure for point in self.points]
        return (min(exposures), max(exposures)) if exposures else None


def compare(
    peers: str,
    band: int | None,
    since: datetime.date,
    until: datetime.date,
    *,
    reached: Q,
) -> Comparison:
    """The organisations the person reaches (``reached``: a filter over organisations; Q() for
    all) of a peer group and size band, against the national target of that group and band."""
    rows, worked_out = read(peers, since, until, reached)
    rule = MEASURES[measure_of(peers)]
    found = Comparison(peers, rule, band, since, until, worked_out=worked_out)
    counted = [peer for peer in rows if peer.months]
    units = {peer.pk: peer.unit() for peer in counted}
    bands = funnel.thirds({peer.pk: peer.size for peer in counted})
    groups = [[peer for peer in counted if bands[peer.pk] == b] for b in range(3)] + [counted]
    hidden = funnel.withheld([[units[peer.pk] for peer in group] for group in groups])
    index = ALL_BANDS if band is None else band
    group = groups[index]
    found.no_denominator = [peer for peer in rows if peer.reached and not peer.months]
    seen = [peer for peer in group if peer.reached]
    found.in_group = len(seen)
    target = funnel.target_of(units[peer.pk] for peer in group)
    if index in hidden.groups or target is None:
        found.target_withheld = index in hidden.groups
        found.left_out = len(seen)
        found.small = sum(1 for peer in seen if 0 < peer.incidents < 5)
        return found
    found.target = target * rule.per
    placed = funnel.place([units[peer.pk] for peer in seen], target).placed
    by_pk = {peer.pk: peer for peer in seen}
    left_out = []
    for each in placed:
        peer = by_pk[each.unit.key]
        if peer.pk in hidden.units:
            left_out.append(each)
        else:
            found.points.append(Point(peer, each))
    found.left_out = len(left_out)
    found.small = sum(1 for each in left_out if 0 < each.unit.observed < 5)
    below = [each.position for each in left_out if each.position.below]
    if below:
        found.left_out_below = (
            funnel.Position.BELOW_99_8
            if funnel.Position.BELOW_99_8 in below
            else funnel.Position.BELOW_95
        )
    if found.drawn_range:
        low, high = found.drawn_range
        found.lines = funnel.limit_lines(target, low, high)
    return found
