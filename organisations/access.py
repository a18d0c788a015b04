"""The permission engine: what one person may do, derived from the rules in permissions.py.

``access_for(user)`` builds an ``Access`` once per request (it is kept on the request's user
object) from one query that reads every grant the person holds, the organisations they are
held in, and where those organisations reach (their rows of the reach table). From the same
rules, and with no further query, it gives:

- ``has(perm, obj)``: the object check, for an organisation, an object of a scoped model, or
  anywhere (``obj=None``);
- ``filter(perm, model)``: the queryset filter, a ``Q`` over the organisations the rules reach
  (as a list of ids: a large table is then read through its organisation index), over a
  region, or everywhere;
- ``permission_map()``: every permission in any organisation, so a page listing thousands of
  organisations never checks them one by one.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache, cached_property

from django.db import connection
from django.db.models import CharField, Q, Value
from django.utils import timezone

from .choices import Post, Role
from .permissions import RULES, GlobalRole, Perm, Reach, Rule, second_factor_grants

_SOURCES = {Role: "role", Post: "post", GlobalRole: "global"}


@dataclass(frozen=True)
class Grant:
    source: str  # "role", "post" or "global"
    key: str
    organisation_id: int | None = None
    organisation_kind: str = ""
    # A regional lead's region; for a post, the region of the organisation it is held in.
    region: str = ""


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


# Where grants come from: functions (user_id, on) -> a queryset of rows
# (source, key, organisation_id, organisation_kind, region). Organisations supplies roles and
# named posts; an app above it supplies its own (networks: network leads, as global grants)
# from its AppConfig.ready(), so that organisations imports none of them.
GRANT_SOURCES: list[Callable] = []


# Stand-ins for the person and the day, replaced in the compiled SQL's parameters.
_SOME_USER, _SOME_DAY = -7_000_001, date(1900, 1, 2)


# What the grants query reads of the organisation a grant is held in, besides its kind: what
# the page header shows of the organisation being worked in, so that it needs no query of its own.
_ORGANISATION_FIELDS = ("ods_code", "name", "region", "closed_on")


@cache
def _grants_sql(vendor: str) -> tuple[str, tuple]:
    """The grants query, compiled once per process: it runs on every request, and building it
    through the ORM each time would cost more than running it. A union of every source, each
    grant with the organisation it is held in; then a row for each of those organisations'
    rows in the reach table valid on the day (``source`` "reach", the organisation reached, its
    kind and whether through the area)."""
    from .models import Organisation, OrganisationClosure

    first, *others = (source(_SOME_USER, _SOME_DAY) for source in GRANT_SOURCES)
    union, params = first.union(*others, all=True).query.sql_with_params()
    organisation = Organisation._meta.db_table
    closure = OrganisationClosure._meta.db_table
    columns = ", ".join(f'o."{name}"' for name in _ORGANISATION_FIELDS)
    nulls = ", ".join("NULL" for _ in _ORGANISATION_FIELDS)
    # Every name here is the code's own; the values stay parameters.
    sql = f"""
        WITH g AS ({union})
        SELECT g.*, {columns}, NULL, NULL
        FROM g LEFT JOIN "{organisation}" o ON o.id = g.organisation_id
        UNION ALL
        SELECT 'reach', NULL, c.ancestor_id, d.kind, NULL, {nulls}, c.descendant_id, c.area
        FROM "{closure}" c JOIN "{organisation}" d ON d.id = c.descendant_id
        WHERE c.ancestor_id IN (SELECT organisation_id FROM g)
        AND (c.valid_from IS NULL OR c.valid_from <= %s)
        AND (c.valid_to IS NULL OR c.valid_to >= %s)
    """  # noqa: S608
    return sql, (*params, _SOME_DAY, _SOME_DAY)


def grant_source(source: Callable) -> Callable:
    """Register a source of grants (see GRANT_SOURCES)."""
    GRANT_SOURCES.append(source)
    _grants_sql.cache_clear()
    return source


# Who holds a grant held outside organisations, the other way round: functions
# (grant, region) -> the ids of the users who hold ``grant`` (a regional one: for ``region``),
# a queryset of ids or a list, from the app that supplies the grant (networks: its leads), so
# that what waits for them can be sent to them without organisations naming the app.
HOLDER_SOURCES: list[Callable] = []


def holder_source(source: Callable) -> Callable:
    """Register a source of the holders of global grants (see HOLDER_SOURCES)."""
    if source not in HOLDER_SOURCES:
        HOLDER_SOURCES.append(source)
    return source


def holders(grant: GlobalRole, region: str = "") -> list[int]:
    """The active users who hold ``grant`` (a regional grant: for ``region``), by id."""
    from accounts.models import User

    if grant == GlobalRole.SITE_ADMIN:
        held = Q(is_staff=True)
    elif HOLDER_SOURCES:
        held = Q()
        for source in HOLDER_SOURCES:
            held |= Q(pk__in=source(grant, region))
    else:
        return []
    people = User.objects.filter(held, is_active=True).order_by("pk")
    return list(people.values_list("pk", flat=True))


def nearest_holders(perm: Perm, region: str) -> list[int]:
    """Who the rule set gives ``perm`` across organisations nearest ``region``: the holders of
    a regional grant for the region where it has any, else of a national one (who is asked to
    decide a change to the register, or an identification of a specialist)."""
    grants = [rule for rule in RULES if perm in rule.perms and isinstance(rule.grant, GlobalRole)]
    for reach in (Reach.REGION, Reach.ALL):
        people = {
            pk
            for rule in grants
            if rule.reach == reach
            for pk in holders(rule.grant, region if reach == Reach.REGION else "")
        }
        if people:
            return sorted(people)
    return []


def register_keepers(region: str) -> list[int]:
    """Who looks after the region's entries on the national MSO register, by id: those asked
    to decide its changes (a regional MSO network's leads, else the national ones)."""
    return nearest_holders(Perm.CHANGES_DECIDE, region)


TEXT = CharField()


@grant_source
def _roles(user_id, on):
    from .models import Membership

    return (
        Membership.objects.filter(user_id=user_id)
        .order_by()
        .values_list(
            Value("role", TEXT), "role", "organisation_id", "organisation__kind", Value("", TEXT)
        )
    )


@grant_source
def _posts(user_id, on):
    from .models import Appointment

    return (
        Appointment.objects.filter(user_id=user_id)
        .current(on)
        .order_by()
        .values_list(
            Value("post", TEXT),
            "post",
            "organisation_id",
            "organisation__kind",
            "organisation__region",
        )
    )


@dataclass(frozen=True)
class Loaded:
    """What the grants query reads for one person on one day."""

    grants: tuple[Grant, ...] = ()
    # The organisations where the grants are held, by id (the fields the page header shows).
    organisations: dict = field(default_factory=dict)
    # Where those organisations reach: (ancestor, descendant, through the area, the
    # descendant's kind) for each of their rows of the reach table, which holds each
    # organisation's row to itself.
    reach: tuple[tuple[int, int, bool, str], ...] = ()


def load_grants(user, on) -> Loaded:
    """Every grant of an active user on a day, from every source, the organisations they are
    held in and where those reach, in one query; the site administrator flag from the user
    itself."""
    from .models import Organisation

    if not _active(user):
        return Loaded()
    grants = [Grant("global", GlobalRole.SITE_ADMIN)] if user.is_staff else []
    sql, params = _grants_sql(connection.vendor)
    adapt = connection.ops.adapt_datefield_value  # some backends compile dates to text
    stand_ins = {_SOME_USER: user.pk, _SOME_DAY: on, adapt(_SOME_DAY): adapt(on)}
    with connection.cursor() as cursor:
        cursor.execute(sql, [stand_ins.get(param, param) for param in params])
        rows = cursor.fetchall()
    organisations, reach = {}, []
    names = _ORGANISATION_FIELDS
    fields = [field.attname for field in Organisation._meta.concrete_fields]  # from_db's order
    for source, key, organisation_id, kind, region, *organisation, descendant, area in rows:
        if source == "reach":
            reach.append((organisation_id, descendant, bool(area), kind))
        elif source == "global":
            grants.append(Grant(source, key, region=region or ""))
        else:
            grants.append(Grant(source, key, organisation_id, kind, region or ""))
            # As read from the database: its other fields are read when asked for.
            read = {
                "id": organisation_id,
                "kind": kind,
                **dict(zip(names, organisation, strict=True)),
            }
            organisations[organisation_id] = Organisation.from_db(
                connection.alias, list(read), [read[f] for f in fields if f in read]
            )
    return Loaded(tuple(dict.fromkeys(grants)), organisations, tuple(reach))


def applies(rule: Rule, grant: Grant) -> bool:
    return (
        _SOURCES[type(rule.grant)] == grant.source
        and rule.grant == grant.key
        and (rule.held_in is None or grant.organisation_kind in rule.held_in)
    )


@dataclass
class Scope:
    """Where the rules giving one permission reach, for one restriction (or none)."""

    condition: Q | None = None  # a rule's ``only`` filter over the model; None: every row
    path: str | None = None  # a rule's ``through`` path to the organisation; None: scope_path
    own: set[int] = field(default_factory=set)
    # Each organisation whose area the rules reach, with the kinds they reach in it (None: all).
    area: dict[int, frozenset[str] | None] = field(default_factory=dict)
    regions: set[str] = field(default_factory=set)
    everywhere: bool = False
    # The person's rows of the reach table, read with their grants.
    reach: tuple = field(default=(), repr=False, compare=False)

    def add(self, rule: Rule, grant: Grant) -> None:
        if rule.reach == Reach.OWN:
            self.own.add(grant.organisation_id)
        elif rule.reach == Reach.AREA:
            self.area[grant.organisation_id] = _kinds_reached(
                self.area.get(grant.organisation_id, frozenset()), rule.over
            )
        elif rule.reach == Reach.REGION:
            self.regions.add(grant.region)
        else:
            self.everywhere = True

    def reached_ids(self) -> list[int]:
        """The organisations the own rules (not through the area) and the area rules reach."""
        return sorted(
            {
                descendant
                for ancestor, descendant, area, kind in self.reach
                if (ancestor in self.own and not area)
                or _reaches(self.area.get(ancestor, frozenset()), kind)
            }
        )

    def organisation_q(self, path: str) -> Q:
        """The rows of a model, whose organisation is at ``path``, that this scope reaches."""
        if self.everywhere:
            return Q(pk__isnull=False)
        id_field = f"{path}_id" if path else "pk"
        q = Q(pk__in=[])
        if self.own or self.area:
            # The organisations reached, as a list of ids: a large table is then filtered
            # through its organisation index, and the planner knows how few organisations it
            # is (a subquery here, ORed with another rule, made PostgreSQL scan every incident).
            q |= Q(**{f"{id_field}__in": self.reached_ids()})
        if self.regions:
            q |= Q(**{f"{path}__region__in" if path else "region__in": self.regions})
        return q


def _kinds_reached(before: frozenset[str] | None, over: frozenset[str] | None):
    """The kinds reached in an area by two rules together (None: every kind)."""
    return None if before is None or over is None else before | over


def _reaches(kinds: frozenset[str] | None, kind: str) -> bool:
    return kinds is None or kind in kinds


class PermissionMap:
    """Permissions in any organisation: ``permission_map[organisation]``."""

    def __init__(self, everywhere, by_region, in_organisation: Callable[[int], frozenset]):
        self.everywhere = everywhere
        self.by_region = by_region
        self.in_organisation = in_organisation

    def __getitem__(self, organisation) -> frozenset[Perm]:
        return (
            self.everywhere
            | self.by_region.get(organisation.region, frozenset())
            | self.in_organisation(organisation.pk)
        )


class Access:
    """What one person may do, on one day. Build it with ``access_for(user)``."""

    def __init__(self, user, *, rules: Sequence[Rule] = RULES, on=None):
        self.user = user
        self.rules = rules
        self.on = on or timezone.localdate()
        self._in_organisation: dict[int, frozenset[Perm]] = {}

    @cached_property
    def _loaded(self) -> Loaded:
        return load_grants(self.user, self.on)

    @property
    def grants(self) -> tuple[Grant, ...]:
        return self._loaded.grants

    @property
    def organisations(self) -> dict:
        """The organisations where the person holds a role or a named post today, by id, as
        read with the grants (id, ODS code, name, kind, region and closing date only)."""
        return self._loaded.organisations

    @cached_property
    def _paths(self) -> dict[int, list[tuple[int, bool, str]]]:
        """Each organisation reached from where the person holds grants: from which of those,
        whether through the area, and its kind."""
        paths: dict[int, list[tuple[int, bool, str]]] = {}
        for ancestor, descendant, area, kind in self._loaded.reach:
            paths.setdefault(descendant, []).append((ancestor, area, kind))
        return paths

    @cached_property
    def matches(self) -> tuple[tuple[Rule, Grant], ...]:
        """Each rule with each of the person's grants it applies to."""
        return tuple(
            (rule, grant) for grant in self.grants for rule in self.rules if applies(rule, grant)
        )

    @cached_property
    def requires_mfa(self) -> bool:
        needing = second_factor_grants(self.rules)
        return any(grant.key in needing for grant in self.grants)

    @cached_property
    def organisation_ids(self) -> frozenset[int]:
        """The organisations where the person holds a role or a named post today."""
        return frozenset(g.organisation_id for g in self.grants if g.organisation_id is not None)

    @cached_property
    def reaches_beyond_own_organisations(self) -> bool:
        """Whether a grant held in an organisation reaches other open organisations: an area
        rule (a PCN's MSO and its practices), or a regional body's rule over its region.
        Successor links reach only closed ones."""
        return any(
            rule.reach == Reach.AREA or (rule.reach == Reach.REGION and grant.organisation_id)
            for rule, grant in self.matches
        )

    def has_anywhere(self, perm: Perm, *, narrowed: bool = True) -> bool:
        """Whether any rule gives the person ``perm`` somewhere: even on some rows only, unless
        ``narrowed`` is False."""
        return any(perm in rule.perms and (narrowed or not rule.only) for rule, _ in self.matches)

    def scopes(
        self, perm: Perm, model_label: str = "", *, global_reach=True, own_rows=True
    ) -> list[Scope]:
        """Where the rules giving ``perm`` reach: one scope for the unrestricted rules, one for
        each rule narrowed to some rows of ``model_label``; with ``own_rows`` False, not the
        rules that reach only the person's own rows (``Rule.personal``)."""
        scopes: dict[int, Scope] = {}
        for rule, grant in self.matches:
            if perm not in rule.perms or not (own_rows or not rule.personal):
                continue
            if not global_reach and rule.reach in (Reach.REGION, Reach.ALL):
                continue
            if rule.only and model_label not in rule.only:
                continue
            key = id(rule) if rule.only else 0
            condition = rule.only.get(model_label)
            if callable(condition):
                condition = condition(self.user)
            scope = scopes.setdefault(
                key,
                Scope(condition, path=rule.through.get(model_label), reach=self._loaded.reach),
            )
            scope.add(rule, grant)
        return list(scopes.values())

    def regions(self, perm: Perm) -> set[str] | None:
        """The regions whose organisations the person reaches with ``perm``, for figures
        counted by region (None: all of England)."""
        scopes = self.scopes(perm)
        if any(scope.everywhere for scope in scopes):
            return None
        return set().union(*(scope.regions for scope in scopes))

    # The queryset side ------------------------------------------------------------------

    def filter(self, perm: Perm, model, *, global_reach=True, own_rows=True) -> Q:
        """A filter over ``model`` (which declares ``scope_path``) for the rows where the person
        holds ``perm`` (with ``own_rows`` False, beyond their own rows: see ``scopes``)."""
        scopes = self.scopes(perm, model._meta.label, global_reach=global_reach, own_rows=own_rows)
        if any(scope.everywhere and scope.condition is None for scope in scopes):
            # Every row: no condition at all (an always-true one on the primary key would keep
            # PostgreSQL from answering from an index alone).
            return Q()
        q = Q(pk__in=[])
        for scope in scopes:
            part = scope.organisation_q(scope.path or model.scope_path)
            q |= part if scope.condition is None else part & scope.condition
        return q

    # The object side --------------------------------------------------------------------

    def permission_map(self) -> PermissionMap:
        """Permissions in any organisation, with no query: each organisation's worked out
        when first asked for. Rules narrowed to some rows of a model are left out."""
        everywhere: set[Perm] = set()
        by_region: dict[str, set[Perm]] = {}
        for rule, grant in self.matches:
            if rule.only:
                continue
            if rule.reach == Reach.ALL:
                everywhere |= rule.perms
            elif rule.reach == Reach.REGION:
                by_region.setdefault(grant.region, set()).update(rule.perms)
        return PermissionMap(
            frozenset(everywhere),
            {region: frozenset(perms) for region, perms in by_region.items()},
            self._perms_in,
        )

    def _perms_in(self, organisation_id: int) -> frozenset[Perm]:
        if organisation_id not in self._in_organisation:
            self._in_organisation[organisation_id] = self._org_perms(organisation_id)
        return self._in_organisation[organisation_id]

    def _org_perms(self, organisation_id: int) -> frozenset[Perm]:
        """Permissions that rules held in organisations give in one organisation."""
        paths = self._paths.get(organisation_id, [])
        perms: set[Perm] = set()
        for rule, grant in self.matches:
            if rule.only or rule.reach not in (Reach.OWN, Reach.AREA):
                continue
            here = grant.organisation_id == organisation_id
            if (here and _reaches(rule.over, grant.organisation_kind)) or any(
                ancestor == grant.organisation_id
                and (
                    (rule.reach == Reach.AREA and _reaches(rule.over, kind))
                    or (rule.reach == Reach.OWN and not area)
                )
                for ancestor, area, kind in paths
            ):
                perms |= rule.perms
        return frozenset(perms)

    def permissions(self, organisation) -> frozenset[Perm]:
        """Every permission the person holds in one organisation."""
        return self.permission_map()[organisation]

    def has(self, perm: Perm, obj=None, *, own_rows=True) -> bool:
        """Whether the person holds ``perm`` on ``obj``: an organisation, an object of a scoped
        model, or (None) anywhere. With ``own_rows`` False, a rule reaching only the person's
        own rows does not count: whether they hold it on ``obj`` as, say, the safety team does,
        not only as the one who reported it."""
        from .models import Organisation

        if obj is None:
            return self.has_anywhere(perm)
        if isinstance(obj, Organisation):
            return perm in self.permissions(obj)
        model = type(obj)
        if perm in self.permissions(organisation_of(obj)):
            return True
        label = model._meta.label
        narrowed = [
            s for s in self.scopes(perm, label, own_rows=own_rows) if s.condition is not None
        ]
        return bool(narrowed) and (
            model._default_manager.filter(pk=obj.pk)
            .filter(self.filter(perm, model, own_rows=own_rows))
            .exists()
        )


def organisation_of(obj):
    """The organisation a scoped object belongs to, following its model's ``scope_path``."""
    for name in type(obj).scope_path.split("__"):
        obj = getattr(obj, name)
    return obj


def access_for(user) -> Access:
    """The person's access, built once and kept on the user object (one per request)."""
    if user is None or not user.is_authenticated:
        return Access(None)
    access = user.__dict__.get("_access")
    if access is None:
        access = user.__dict__["_access"] = Access(user)
    return access


def forget_access(user) -> None:
    """Drop a user's kept access, after their grants changed within one request."""
    user.__dict__.pop("_access", None)


def has_permission(user, perm: Perm, obj=None) -> bool:
    """Whether the user holds ``perm`` on ``obj``: an organisation, an object of a scoped model,
    or (None) anywhere at all."""
    return access_for(user).has(perm, obj)
