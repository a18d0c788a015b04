"""The permission engine: what one person may do, derived from the rules in permissions.py.

``access_for(user)`` builds an ``Access`` once per request (it is kept on the request's user
object) from one query that reads every grant the person holds. From the same rules it gives:

- ``has(perm, obj)``: the object check, for an organisation, an object of a scoped model, or
  anywhere (``obj=None``);
- ``filter(perm, model)``: the queryset filter, a ``Q`` over the organisations the rules reach
  (read from the reach table once per request, as a list of ids: a large table is then read
  through its organisation index), over a region, or everywhere;
- ``permission_map(organisations)``: every permission in many organisations from one query, so
  a page listing thousands of organisations never checks them one by one.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cache, cached_property

from django.db import connection
from django.db.models import CharField, Q, Value
from django.utils import timezone

from .choices import Post, Role
from .permissions import MFA_GRANTS, RULES, GlobalRole, Perm, Reach, Rule

_SOURCES = {Role: "role", Post: "post", GlobalRole: "global"}


@dataclass(frozen=True)
class Grant:
    source: str  # "role", "post" or "global"
    key: str
    organisation_id: int | None = None
    organisation_kind: str = ""
    region: str = ""  # a regional lead's region


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
    """The grants query, a union of every source with the organisation each grant is held in,
    compiled once per process: it runs on every request, and building it through the ORM each
    time would cost more than running it."""
    from .models import Organisation

    first, *others = (source(_SOME_USER, _SOME_DAY) for source in GRANT_SOURCES)
    union, params = first.union(*others, all=True).query.sql_with_params()
    columns = ", ".join(f'o."{name}"' for name in _ORGANISATION_FIELDS)
    table = Organisation._meta.db_table
    # Every name here is the code's own; the values stay parameters.
    sql = f"SELECT g.*, {columns} FROM ({union}) g "  # noqa: S608
    sql += f'LEFT JOIN "{table}" o ON o.id = g.organisation_id'
    return sql, params


def grant_source(source: Callable) -> Callable:
    """Register a source of grants (see GRANT_SOURCES)."""
    GRANT_SOURCES.append(source)
    _grants_sql.cache_clear()
    return source


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
            Value("post", TEXT), "post", "organisation_id", "organisation__kind", Value("", TEXT)
        )
    )


def load_grants(user, on) -> tuple[tuple[Grant, ...], dict]:
    """Every grant of an active user on a day, from every source in one query, and the
    organisations they are held in (by id, with the fields the page header shows); the site
    administrator flag from the user itself."""
    from .models import Organisation

    if not _active(user):
        return (), {}
    grants = [Grant("global", GlobalRole.SITE_ADMIN)] if user.is_staff else []
    sql, params = _grants_sql(connection.vendor)
    adapt = connection.ops.adapt_datefield_value  # some backends compile dates to text
    stand_ins = {_SOME_USER: user.pk, _SOME_DAY: on, adapt(_SOME_DAY): adapt(on)}
    with connection.cursor() as cursor:
        cursor.execute(sql, [stand_ins.get(param, param) for param in params])
        rows = cursor.fetchall()
    organisations = {}
    for source, key, organisation_id, kind, region, *organisation in rows:
        if source == "global":
            grants.append(Grant(source, key, region=region or ""))
        else:
            grants.append(Grant(source, key, organisation_id, kind))
            organisations[organisation_id] = Organisation(
                pk=organisation_id,
                kind=kind,
                **dict(zip(_ORGANISATION_FIELDS, organisation, strict=True)),
            )
    return tuple(dict.fromkeys(grants)), organisations


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
    own: set[int] = field(default_factory=set)
    area: set[int] = field(default_factory=set)
    regions: set[str] = field(default_factory=set)
    everywhere: bool = False
    # What was read of the reach table, shared by the scopes of one person's access.
    cache: dict = field(default_factory=dict, repr=False, compare=False)

    def add(self, rule: Rule, grant: Grant) -> None:
        if rule.reach == Reach.OWN:
            self.own.add(grant.organisation_id)
        elif rule.reach == Reach.AREA:
            self.area.add(grant.organisation_id)
        elif rule.reach == Reach.REGION:
            self.regions.add(grant.region)
        else:
            self.everywhere = True

    def reached_ids(self, on) -> list[int]:
        """The organisations the own and area rules reach, read once from the reach table
        (which holds each organisation's row to itself)."""
        from .models import OrganisationClosure

        key = (frozenset(self.own), frozenset(self.area), on)
        if key not in self.cache:
            self.cache[key] = sorted(
                set(
                    OrganisationClosure.objects.valid_on(on)
                    .filter(Q(ancestor_id__in=self.own, area=False) | Q(ancestor_id__in=self.area))
                    .values_list("descendant_id", flat=True)
                )
            )
        return self.cache[key]

    def organisation_q(self, path: str, on) -> Q:
        """The rows of a model, whose organisation is at ``path``, that this scope reaches."""
        if self.everywhere:
            return Q(pk__isnull=False)
        id_field = f"{path}_id" if path else "pk"
        q = Q(pk__in=[])
        if self.own or self.area:
            # The organisations reached, as a list of ids read once per request: a large
            # table is then filtered through its organisation index, and the planner knows
            # how few organisations it is (a subquery here, ORed with another rule, made
            # PostgreSQL scan every incident).
            q |= Q(**{f"{id_field}__in": self.reached_ids(on)})
        if self.regions:
            q |= Q(**{f"{path}__region__in" if path else "region__in": self.regions})
        return q


class PermissionMap:
    """Permissions in many organisations: ``permission_map[organisation]``."""

    def __init__(self, everywhere, by_region, by_id):
        self.everywhere = everywhere
        self.by_region = by_region
        self.by_id = by_id

    def __getitem__(self, organisation) -> frozenset[Perm]:
        return (
            self.everywhere
            | self.by_region.get(organisation.region, frozenset())
            | self.by_id.get(organisation.pk, frozenset())
        )


class Access:
    """What one person may do, on one day. Build it with ``access_for(user)``."""

    def __init__(self, user, *, rules: tuple[Rule, ...] = RULES, on=None):
        self.user = user
        self.rules = rules
        self.on = on or timezone.localdate()
        self._reached: dict[int, frozenset[Perm]] = {}
        self._reached_ids: dict[tuple, list[int]] = {}

    @cached_property
    def _loaded(self) -> tuple[tuple[Grant, ...], dict]:
        return load_grants(self.user, self.on)

    @property
    def grants(self) -> tuple[Grant, ...]:
        return self._loaded[0]

    @property
    def organisations(self) -> dict:
        """The organisations where the person holds a role or a named post today, by id, as
        read with the grants (id, ODS code, name, kind, region and closing date only)."""
        return self._loaded[1]

    @cached_property
    def matches(self) -> tuple[tuple[Rule, Grant], ...]:
        """Each rule with each of the person's grants it applies to."""
        return tuple(
            (rule, grant) for grant in self.grants for rule in self.rules if applies(rule, grant)
        )

    @cached_property
    def requires_mfa(self) -> bool:
        return any(grant.key in MFA_GRANTS for grant in self.grants)

    @cached_property
    def organisation_ids(self) -> frozenset[int]:
        """The organisations where the person holds a role or a named post today."""
        return frozenset(g.organisation_id for g in self.grants if g.organisation_id is not None)

    @cached_property
    def reaches_beyond_own_organisations(self) -> bool:
        """Whether a grant held in an organisation reaches other open organisations: an area
        rule (a PCN's MSO and its practices). Successor links reach only closed ones."""
        return any(rule.reach == Reach.AREA for rule, _ in self.matches)

    def has_anywhere(self, perm: Perm, *, narrowed: bool = True) -> bool:
        """Whether any rule gives the person ``perm`` somewhere: even on some rows only, unless
        ``narrowed`` is False."""
        return any(perm in rule.perms and (narrowed or not rule.only) for rule, _ in self.matches)

    def scopes(self, perm: Perm, model_label: str = "", *, global_reach=True) -> list[Scope]:
        """Where the rules giving ``perm`` reach: one scope for the unrestricted rules, one for
        each rule narrowed to some rows of ``model_label``. Scopes reaching the same
        organisations share what they read of the reach table."""
        scopes: dict[int, Scope] = {}
        for rule, grant in self.matches:
            if perm not in rule.perms:
                continue
            if not global_reach and rule.reach in (Reach.REGION, Reach.ALL):
                continue
            if rule.only and model_label not in rule.only:
                continue
            key = id(rule) if rule.only else 0
            condition = rule.only.get(model_label)
            if callable(condition):
                condition = condition(self.user)
            scope = scopes.setdefault(key, Scope(condition))
            scope.add(rule, grant)
        for scope in scopes.values():
            scope.cache = self._reached_ids
        return list(scopes.values())

    # The queryset side ------------------------------------------------------------------

    def filter(self, perm: Perm, model, *, global_reach=True) -> Q:
        """A filter over ``model`` (which declares ``scope_path``) for the rows where the person
        holds ``perm``."""
        scopes = self.scopes(perm, model._meta.label, global_reach=global_reach)
        if any(scope.everywhere and scope.condition is None for scope in scopes):
            # Every row: no condition at all (an always-true one on the primary key would keep
            # PostgreSQL from answering from an index alone).
            return Q()
        q = Q(pk__in=[])
        for scope in scopes:
            part = scope.organisation_q(model.scope_path, self.on)
            q |= part if scope.condition is None else part & scope.condition
        return q

    # The object side --------------------------------------------------------------------

    def permission_map(self, organisations) -> PermissionMap:
        """Permissions in each of ``organisations`` (a list, or a queryset used as a subquery),
        from at most one query. Rules narrowed to some rows of a model are left out."""
        from django.db.models import QuerySet

        from .models import OrganisationClosure

        everywhere: set[Perm] = set()
        by_region: dict[str, set[Perm]] = {}
        for rule, grant in self.matches:
            if rule.only:
                continue
            if rule.reach == Reach.ALL:
                everywhere |= rule.perms
            elif rule.reach == Reach.REGION:
                by_region.setdefault(grant.region, set()).update(rule.perms)

        lazy = isinstance(organisations, QuerySet)
        if lazy:  # a subquery: nothing is kept, and the map is not evaluated here
            wanted, by_id = organisations.values("pk"), {}
        else:
            wanted, by_id = {o.pk for o in organisations} - set(self._reached), self._reached
        # Links never lead from an organisation back to itself, so a person who holds grants in
        # one organisation needs no query for that organisation alone.
        alone = not lazy and wanted == self.organisation_ids and len(wanted) == 1
        if self.organisation_ids and (lazy or wanted) and not alone:
            reached: dict[int, list[tuple[int, bool]]] = {}
            for ancestor, descendant, area in (
                OrganisationClosure.objects.valid_on(self.on)
                .filter(ancestor_id__in=self.organisation_ids, descendant_id__in=wanted)
                .values_list("ancestor_id", "descendant_id", "area")
            ):
                reached.setdefault(descendant, []).append((ancestor, area))
            ids = (reached.keys() | self.organisation_ids) if lazy else wanted
            for organisation_id in ids:
                by_id[organisation_id] = self._org_perms(organisation_id, reached)
        elif not lazy:
            by_id.update({pk: self._org_perms(pk, {}) for pk in wanted})
        return PermissionMap(
            frozenset(everywhere), {k: frozenset(v) for k, v in by_region.items()}, by_id
        )

    def _org_perms(self, organisation_id: int, reached) -> frozenset[Perm]:
        """Permissions that rules held in organisations give in one organisation."""
        paths = reached.get(organisation_id, [])
        perms: set[Perm] = set()
        for rule, grant in self.matches:
            if rule.only or rule.reach not in (Reach.OWN, Reach.AREA):
                continue
            if grant.organisation_id == organisation_id or any(
                ancestor == grant.organisation_id and (rule.reach == Reach.AREA or not area)
                for ancestor, area in paths
            ):
                perms |= rule.perms
        return frozenset(perms)

    def permissions(self, organisation) -> frozenset[Perm]:
        """Every permission the person holds in one organisation."""
        return self.permission_map([organisation])[organisation]

    def has(self, perm: Perm, obj=None) -> bool:
        """Whether the person holds ``perm`` on ``obj``: an organisation, an object of a scoped
        model, or (None) anywhere."""
        from .models import Organisation

        if obj is None:
            return self.has_anywhere(perm)
        if isinstance(obj, Organisation):
            return perm in self.permissions(obj)
        model = type(obj)
        if perm in self.permissions(organisation_of(obj)):
            return True
        narrowed = [s for s in self.scopes(perm, model._meta.label) if s.condition is not None]
        return bool(narrowed) and (
            model._default_manager.filter(pk=obj.pk).filter(self.filter(perm, model)).exists()
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
