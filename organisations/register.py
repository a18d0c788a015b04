"""The national MSO register: one row per open organisation that a network lead may see, with
its MSO, generic MSO mailbox and board director, and the state of a post (in post, covered,
vacant, handover in progress, change pending); searched, filtered, sorted and exported.

One query builds the rows at any size: each organisation's current MSO and board director
are joined (``FilteredRelation``: at most one of each holds a post on a day, which the
services keep), and the states are ``EXISTS`` tests, so a page of 50 rows reads 50 rows and
a filter or a sort stays one plan over the organisations (docs/benchmarks.md).
"""

import itertools
from dataclasses import dataclass, replace
from functools import lru_cache

from django.core.paginator import Paginator
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextChoices,
    Value,
)
from django.db.models.functions import Coalesce, NullIf
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html

from accounts.models import PharmacyTeam, Profession, Regulator, Training, User
from core.exports import neutralise

from .access import access_for
from .choices import MSO_COVERED_BY, MSO_REQUIRED, POST_KINDS, OrganisationKind, Post, Region
from .models import (
    Appointment,
    ChangeRequest,
    Handover,
    Organisation,
    OrganisationClosure,
    covering_msos,
)
from .permissions import Perm

REGISTER_POSTS = (Post.MSO, Post.BOARD_DIRECTOR)
# The kinds of organisation that must hold each post of the register: an MSO of their own
# (choices.MSO_REQUIRED), a board director wherever there is a board.
MUST_HOLD = {Post.MSO: MSO_REQUIRED, Post.BOARD_DIRECTOR: POST_KINDS[Post.BOARD_DIRECTOR]}
CHANGE_KINDS = {
    Post.MSO: (
        ChangeRequest.Kind.NEW_MSO,
        ChangeRequest.Kind.MSO_LEAVES,
        ChangeRequest.Kind.CONTACT,
    ),
    Post.BOARD_DIRECTOR: (
        ChangeRequest.Kind.NEW_BOARD_DIRECTOR,
        ChangeRequest.Kind.BOARD_DIRECTOR_LEAVES,
    ),
}


class State(TextChoices):
    IN_POST = "in-post", "In post"
    COVERED = "covered", "Covered"
    # Said only of an organisation that must name its own MSO (choices.MSO_REQUIRED), or of a
    # board director where the organisation has a board.
    VACANT = "vacant", "Vacant"
    # An organisation another's MSO may cover (a practice), with neither its own MSO nor
    # anyone covering it: not a vacancy, but nobody answers for it.
    NOT_COVERED = "not-covered", "No MSO cover"
    HANDOVER = "handover", "Handover in progress"
    CHANGE_PENDING = "change-pending", "Change pending"


class Sort(TextChoices):
    ORGANISATION = "organisation", "Organisation"
    ODS_CODE = "ods", "ODS code"
    REGION = "region", "Region"
    MSO = "mso", "MSO"
    MSO_SINCE = "since", "MSO since"


ORDERINGS = {
    Sort.ORGANISATION: ["name", "pk"],
    Sort.ODS_CODE: ["ods_code"],
    Sort.REGION: ["region", "name", "pk"],
    Sort.MSO: [F("mso_name").asc(nulls_last=True), "name", "pk"],
    Sort.MSO_SINCE: [F("mso__start_on").asc(nulls_last=True), "name", "pk"],
}


@dataclass(frozen=True)
class Filters:
    q: str = ""
    region: str = ""
    icb: int | None = None  # the id of an ICB: its area
    kind: str = ""
    post: str = Post.MSO
    state: str = ""
    sort: str = Sort.ORGANISATION
    descending: bool = False


def _holding(post, on):
    """The organisation's appointment to ``post`` that is current on ``on``, as a join."""
    return FilteredRelation(
        "appointments",
        condition=Q(appointments__post=post, appointments__start_on__lte=on)
        & (Q(appointments__end_on__isnull=True) | Q(appointments__end_on__gte=on)),
    )


def _built_once(build):
    """Keep the subqueries a register query is built from, for a day and a post: building them
    through the ORM costs more than the rest of the page, and each is copied, never changed,
    where a query uses it."""
    return lru_cache(maxsize=16)(build)


def _either(account_field, own_field):
    """The holder's name or email: their account's, else the one recorded with the post."""
    return Coalesce(NullIf(account_field, Value("")), NullIf(own_field, Value("")))


@_built_once
def _covered(on) -> Q:
    """The organisation is covered by the MSO of an organisation above it that may cover it
    (choices.MSO_COVERED_BY): for each kind that may be covered, the set of organisations below
    those of the kinds that cover it with an MSO in post, from the reach table (a semi-join over
    its rows; a test row by row read every pharmacy's cover). Those above with an MSO are found
    first (about 1,250 at national scale), then their areas' rows: testing each of the reach
    table's rows for an MSO above read 30,000 appointments, twice the time (70 ms against 35
    for a national lead's count of the covered, on PostgreSQL)."""
    covered = Q(pk__in=[])
    for kind, above in MSO_COVERED_BY.items():
        with_an_mso = Organisation.objects.filter(kind__in=above).filter(
            Exists(
                Appointment.objects.current(on).filter(organisation=OuterRef("pk"), post=Post.MSO)
            )
        )
        below = (
            OrganisationClosure.objects.valid_on(on)
            .filter(area=True, ancestor__in=with_an_mso)
            .values("descendant_id")
        )
        covered |= Q(kind=kind, pk__in=below)
    return covered


@_built_once
def _icb_name(on):
    return Subquery(
        OrganisationClosure.objects.valid_on(on)
        .filter(descendant=OuterRef("pk"), area=True, ancestor__kind=OrganisationKind.ICB)
        .order_by("depth")
        .values("ancestor__name")[:1]
    )


@_built_once
def _holds(post, on):
    return Exists(Appointment.objects.current(on).filter(organisation=OuterRef("pk"), post=post))


@_built_once
def _handover_open(on):
    return Exists(
        Handover.objects.open().filter(organisation=OuterRef("pk"), appointment__end_on__gte=on)
    )


@_built_once
def _change_pending(post):
    return Exists(
        ChangeRequest.objects.pending().filter(
            organisation=OuterRef("pk"), kind__in=CHANGE_KINDS[post]
        )
    )


def filtered(user, filters: Filters = Filters(), *, on=None) -> QuerySet:
    """The organisations of the register that match ``filters``, as the person may see them
    (Perm.REGISTER_VIEW): every filter is a test of the organisation's own row or an EXISTS,
    so counting them joins nothing."""
    on = on or timezone.localdate()
    organisations = Organisation.objects.visible_to(user, Perm.REGISTER_VIEW).open(on)
    if q := filters.q.strip():
        organisations = organisations.filter(_search(q, on))
    if filters.region:
        organisations = organisations.filter(region=filters.region)
    if filters.kind:
        organisations = organisations.filter(kind=filters.kind)
    if filters.icb is not None:
        organisations = organisations.filter(
            pk__in=OrganisationClosure.objects.valid_on(on)
            .filter(ancestor_id=filters.icb, area=True)
            .values("descendant_id")
        )
    if filters.state:
        organisations = organisations.filter(_state_filter(filters.state, _post(filters), on))
    return organisations


def rows(user, filters: Filters = Filters(), *, on=None) -> QuerySet:
    """The rows of the register: ``filtered()`` with each organisation's current MSO and board
    director joined, the states of the chosen post, sorted; with the MSO's professional
    details for those who may see them."""
    on = on or timezone.localdate()
    return _with_posts(filtered(user, filters, on=on), filters, on, _professional(user))


def _professional(user) -> bool:
    return access_for(user).has(Perm.REGISTER_PROFESSIONAL)


def _with_professional(organisations: QuerySet) -> QuerySet:
    """The MSO's account (``mso_user_id``), whose professional details ``attach_professional``
    reads for a page of rows at once: a small query of their own, not joins in this one."""
    return organisations.annotate(mso_user_id=F("mso__user_id"))


def attach_professional(rows) -> list:
    """The rows, each with its MSO's profession, regulator, registration number and pharmacy
    team, and latest training and when (``mso_profession`` ... ``mso_trained_on``), read for
    them all in one query; as they are where ``rows()`` did not read the MSO's account."""
    rows = list(rows)
    if not rows or not hasattr(rows[0], "mso_user_id"):
        return rows
    latest = Training.objects.filter(user=OuterRef("pk")).order_by("-completed_on", "-pk")
    people = User.objects.filter(pk__in={row.mso_user_id for row in rows if row.mso_user_id})
    found = {
        person["pk"]: person
        for person in people.values(
            "pk",
            profession=F("registration__profession"),
            regulator=F("registration__regulator"),
            number=F("registration__number"),
            pharmacy_team=F("registration__pharmacy_team"),
            latest_training=Subquery(latest.values("title")[:1]),
            trained_on=Subquery(latest.values("completed_on")[:1]),
        )
    }
    for row in rows:
        person = found.get(row.mso_user_id, {})
        for name in ("profession", "regulator", "pharmacy_team", "trained_on"):
            setattr(row, f"mso_{name}", person.get(name))
        row.mso_registration = person.get("number")
        row.mso_training = person.get("latest_training")
    return rows


def attach_cover(rows, *, on=None) -> list:
    """The rows, each with the MSO who covers it (``covered_by``, an Appointment; else None),
    read for those of a page (or an export's chunk) without an MSO of their own that another's
    may cover, all at once: two queries, none where there are none. Worked out here rather than
    in the rows' query, where PostgreSQL hashed every pharmacy's cover to draw 50 rows."""
    rows = list(rows)
    candidates = {row.pk: row.kind for row in rows if not row.mso_name}
    found = covering_msos(candidates, on or timezone.localdate())
    for row in rows:
        row.covered_by = found.get(row.pk)
    return rows


@dataclass(frozen=True)
class Answer:
    """Who answers for an organisation as its MSO: the state of its post, and the MSO in post
    or covering it (None where nobody does)."""

    state: State
    mso: Appointment | None = None

    @property
    def words(self) -> str:
        """Who answers, in words: the MSO, who covers, or the state of the post."""
        if self.mso is None:
            return str(self.state.label)
        if self.state == State.COVERED:
            return f"Covered by {self.mso.holder_name}, MSO of {self.mso.organisation.name}"
        return self.mso.holder_name

    @property
    def html(self) -> str:
        """As a page shows it: the MSO's name, who covers, or a tag for the state of the post
        (drawn here rather than by an include a row, on pages of 50 rows)."""
        if self.mso is not None:
            return self.words
        colour = "red" if self.state == State.VACANT else "yellow"
        return format_html(
            '<strong class="nhsuk-tag nhsuk-tag--{}">{}</strong>', colour, self.words
        )


def mso_answers(organisations, *, on=None) -> dict[int, Answer]:
    """organisation id -> ``Answer``, for a page of organisations (each with ``pk`` and
    ``kind``): lists of alert responses say "Vacant" only of an organisation that must name its
    own MSO. One query for their own MSOs, and two for who covers the rest (none where none
    may be covered)."""
    on = on or timezone.localdate()
    kinds = {organisation.pk: organisation.kind for organisation in organisations}
    own = {}
    for appointment in (
        Appointment.objects.current(on)
        .filter(post=Post.MSO, organisation_id__in=list(kinds))
        .select_related("user", "organisation")
        .order_by("start_on", "pk")
    ):
        own.setdefault(appointment.organisation_id, appointment)
    cover = covering_msos({pk: kind for pk, kind in kinds.items() if pk not in own}, on)
    return {
        pk: Answer(
            _mso_state(pk in own, pk in cover, kind in MUST_HOLD[Post.MSO]),
            own.get(pk) or cover.get(pk),
        )
        for pk, kind in kinds.items()
    }


def _with_posts(organisations: QuerySet, filters: Filters, on, professional=False) -> QuerySet:
    post = _post(filters)
    organisations = organisations.annotate(
        mso=_holding(Post.MSO, on), board=_holding(Post.BOARD_DIRECTOR, on)
    ).annotate(
        mso_name=_either("mso__user__full_name", "mso__name"),
        mso_email=_either("mso__user__email", "mso__email"),
        board_name=_either("board__user__full_name", "board__name"),
        board_email=_either("board__user__email", "board__email"),
        mso_since=F("mso__start_on"),
        mso_until=F("mso__end_on"),
        **{
            "handover_open": _handover_open(on),
            "change_pending": _change_pending(post),
            **_known(filters.state, post),
        },
    )
    if professional:
        organisations = _with_professional(organisations)
    ordering = ORDERINGS.get(filters.sort, ORDERINGS[Sort.ORGANISATION])
    if filters.descending:
        ordering = [_reverse(term) for term in ordering]
    return organisations.order_by(*ordering)


def _known(state: str, post: str) -> dict:
    """The states a row's filter has already settled, or that do not apply to the post (being
    a handover is the MSO's), as values: the query does not test them again."""
    known = {}
    if post != Post.MSO:
        known["handover_open"] = _FALSE
    elif state == State.HANDOVER:
        known["handover_open"] = _TRUE
    if state == State.CHANGE_PENDING:
        known["change_pending"] = _TRUE
    return known


_TRUE, _FALSE = Value(True, BooleanField()), Value(False, BooleanField())


class Pages(Paginator):
    """Pages of ``rows()`` counted over ``filtered()``: the same organisations, no joins."""

    def __init__(self, user, filters: Filters, per_page: int, *, on=None):
        on = on or timezone.localdate()
        self._counted = filtered(user, filters, on=on)
        super().__init__(_with_posts(self._counted, filters, on, _professional(user)), per_page)

    @cached_property
    def count(self) -> int:
        return self._counted.count()

    def get_page(self, number):
        """The first page read before it is counted: when it holds fewer rows than a page,
        they are all there are, and no count is needed."""
        if number not in (None, "", 1, "1"):
            return super().get_page(number)
        rows = list(self.object_list[: self.per_page])
        if len(rows) < self.per_page:
            self.__dict__["count"] = len(rows)
        return self._get_page(rows, 1, self)


def _post(filters: Filters) -> str:
    return filters.post if filters.post in REGISTER_POSTS else Post.MSO


def _search(q: str, on) -> Q:
    """An organisation by name or ODS code, or the person in one of its register posts today
    by name or email: each a simple filter of its own table, so each uses its own plan."""
    people = (
        Appointment.objects.current(on)
        .filter(post__in=REGISTER_POSTS)
        .filter(
            Q(name__icontains=q)
            | Q(email__iexact=q)
            | Q(user__full_name__icontains=q)
            | Q(user__email=q.lower())
        )
        .values("organisation_id")
    )
    return Q(ods_code=q.upper()) | Q(name__icontains=q) | Q(pk__in=people)


def _reverse(term):
    if isinstance(term, str):
        return term[1:] if term.startswith("-") else f"-{term}"
    return term.expression.desc(nulls_last=True)


def _state_filter(state: str, post: str, on) -> Q:
    in_post = _holds(post, on)
    must = Q(kind__in=sorted(MUST_HOLD[post]))
    mso = post == Post.MSO
    # Those who must hold the post are never covered (choices.MSO_REQUIRED): a vacancy is
    # nobody in post, with no test of cover.
    return {
        State.IN_POST: Q(in_post),
        State.COVERED: Q(~in_post) & _covered(on) if mso else Q(pk__in=[]),
        State.VACANT: Q(~in_post) & must,
        State.NOT_COVERED: Q(~in_post) & ~must & ~_covered(on) if mso else Q(pk__in=[]),
        State.HANDOVER: Q(_handover_open(on)) if post == Post.MSO else Q(pk__in=[]),
        State.CHANGE_PENDING: Q(_change_pending(post)),
    }[State(state)]


# The register's chart: the state of each organisation's MSO post, one each, in this order (a
# handover is an MSO in post who is leaving).
MSO_POST_STATES = (
    State.IN_POST,
    State.HANDOVER,
    State.COVERED,
    State.VACANT,
    State.NOT_COVERED,
)


def mso_posts_by_region(user, filters: Filters = Filters(), *, on=None) -> dict[str, dict]:
    """The organisations of the register that ``filtered()`` finds (its post and state filters
    aside), in each region by the state of their MSO post: region -> {State: count}, each
    organisation counted once (``MSO_POST_STATES``), the regions in their usual order and those
    without one last. One query: the organisations grouped by region and by what decides the
    state, each test made once an organisation."""
    on = on or timezone.localdate()
    organisations = filtered(user, replace(filters, post=Post.MSO, state=""), on=on)
    # Each test as membership of a set read once (a hash on PostgreSQL), not the EXISTS a
    # page's rows use: over every organisation, the EXISTS form's estimate had PostgreSQL
    # compile the query (JIT), which cost more than running it. At national scale, for a
    # national lead: 40 ms, from 110.
    held = Q(pk__in=Appointment.objects.current(on).filter(post=Post.MSO).values("organisation_id"))
    leaving = Q(
        pk__in=Handover.objects.open().filter(appointment__end_on__gte=on).values("organisation_id")
    )
    grouped = (
        organisations.annotate(
            held=ExpressionWrapper(held, output_field=BooleanField()),
            leaving=ExpressionWrapper(leaving, output_field=BooleanField()),
            covered=ExpressionWrapper(_covered(on), output_field=BooleanField()),
            must=ExpressionWrapper(
                Q(kind__in=sorted(MUST_HOLD[Post.MSO])), output_field=BooleanField()
            ),
        )
        .values("region", "held", "leaving", "covered", "must")
        .annotate(count=Count("pk"))
        .order_by()
    )
    regions = {}
    for group in grouped:
        state = _mso_state(group["held"], group["covered"], group["must"])
        if state == State.IN_POST and group["leaving"]:
            state = State.HANDOVER
        counts = regions.setdefault(group["region"], dict.fromkeys(MSO_POST_STATES, 0))
        counts[state] += group["count"]
    order = {region: i for i, region in enumerate(Region.values)}
    return dict(sorted(regions.items(), key=lambda item: order.get(item[0], len(order))))


def _covered_by(row):
    """The MSO who covers the row, as ``attach_cover`` read it for its page (one lookup of its
    own for a row read without it)."""
    if not hasattr(row, "covered_by"):
        attach_cover([row])
    return row.covered_by


def _mso_state(held: bool, covered, must: bool) -> State:
    """The state of an organisation's MSO post: someone in post, else another's MSO covering
    it (``covered``: asked only then, a bool or a function), else vacant where it must name
    its own, else nobody answers for it."""
    if held:
        return State.IN_POST
    if covered() if callable(covered) else covered:
        return State.COVERED
    return State.VACANT if must else State.NOT_COVERED


def states(row, post=Post.MSO) -> list[State]:
    """The states of one row of ``rows()``, the post's own state first."""
    if post == Post.MSO:
        must = row.kind in MUST_HOLD[post]
        found = [_mso_state(bool(row.mso_name), lambda: _covered_by(row), must)]
    elif row.board_name:
        found = [State.IN_POST]
    else:
        found = [State.VACANT] if row.kind in MUST_HOLD[post] else []
    if post == Post.MSO and row.handover_open:
        found.append(State.HANDOVER)
    if row.change_pending:
        found.append(State.CHANGE_PENDING)
    return found


def _cover(appointment) -> str:
    if appointment is None:
        return ""
    return f"{appointment.holder_name}, MSO of {appointment.organisation.name}"


def professional(row) -> list[str]:
    """The MSO's professional details, as the register shows them under their name (empty
    where the person may not see them or the MSO has not recorded them)."""
    if not getattr(row, "mso_registration", None):
        return []
    found = [
        f"{Profession(row.mso_profession).label}, {Regulator(row.mso_regulator).short} "
        f"{row.mso_registration}",
        PharmacyTeam(row.mso_pharmacy_team).label,
    ]
    if row.mso_training:
        trained = date_format(row.mso_trained_on, "j M Y")
        found.append(f"Latest training: {row.mso_training} ({trained})")
    return found


# Exports --------------------------------------------------------------------------------

COLUMNS = (
    "ODS code",
    "Organisation",
    "Kind",
    "Region",
    "ICB",
    "MSO",
    "MSO email",
    "MSO since",
    "MSO until",
    "Generic MSO mailbox",
    "Board director",
    "Board director email",
    "MSO cover",
    "State",
)


# The MSO's professional details, after COLUMNS, where ``rows()`` read them.
PROFESSIONAL_COLUMNS = (
    "Profession",
    "Regulator",
    "Registration number",
    "Pharmacy team",
    "Latest MSO training",
    "Training completed",
)


def columns(queryset: QuerySet) -> tuple[str, ...]:
    """The export's columns for rows of ``rows()``: its professional ones only where it
    read them."""
    return COLUMNS + (PROFESSIONAL_COLUMNS if _reads_professional(queryset) else ())


def _reads_professional(queryset: QuerySet) -> bool:
    return "mso_user_id" in queryset.query.annotations


def _read(queryset: QuerySet, professional: bool):
    """The rows in chunks of 2,000, each chunk's professional details read with it."""
    rows = queryset.iterator(chunk_size=2000)
    while chunk := list(itertools.islice(rows, 2000)):
        chunk = attach_cover(chunk)
        yield from attach_professional(chunk) if professional else chunk


def export_rows(queryset: QuerySet, post=Post.MSO, *, on=None):
    """Each row of the register as a tuple of ``columns(queryset)``, read in chunks so memory
    stays flat."""
    on = on or timezone.localdate()
    kinds, regions = dict(OrganisationKind.choices), dict(Region.choices)
    professions, regulators = dict(Profession.choices), dict(Regulator.choices)
    teams = dict(PharmacyTeam.choices)
    extra = _reads_professional(queryset)
    queryset = queryset.annotate(icb_name=_icb_name(on))
    for row in _read(queryset, extra):
        more = (
            (
                professions.get(row.mso_profession, ""),
                regulators.get(row.mso_regulator, ""),
                row.mso_registration or "",
                teams.get(row.mso_pharmacy_team, ""),
                row.mso_training or "",
                row.mso_trained_on,
            )
            if extra
            else ()
        )
        yield tuple(
            neutralise(value)
            for value in (
                row.ods_code,
                row.name,
                kinds.get(row.kind, row.kind),
                regions.get(row.region, row.region),
                row.icb_name or "",
                row.mso_name or "",
                row.mso_email or "",
                row.mso_since,
                row.mso_until,
                row.mso_mailbox,
                row.board_name or "",
                row.board_email or "",
                _cover(row.covered_by),
                "; ".join(state.label for state in states(row, post)),
                *more,
            )
        )
