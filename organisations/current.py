"""The organisation a signed-in person is working in, chosen with the organisation switcher."""

from django.db.models import Case, IntegerField, When

from .access import access_for
from .models import Organisation

SESSION_KEY = "current_organisation_id"
_UNSET = object()
_FIELDS = ("pk", "ods_code", "name", "kind", "region", "closed_on")


def get_current_organisation(request):
    """The organisation chosen in the switcher if the person still works there; otherwise the
    first by name of those where they hold a role or a post, then of those these reach (a
    PCN's practices); None for someone with no organisation (a network lead, a site
    administrator). No query when the grants reach no further than where they are held (the
    grants query reads their organisations), one otherwise; kept on the request with whether
    there is another to switch to.
    """
    cached = getattr(request, "_current_organisation", _UNSET)
    if cached is not _UNSET:
        return cached
    organisation, more = None, False
    user = request.user
    if user.is_authenticated:
        access = access_for(user)
        chosen = request.session.get(SESSION_KEY)
        chosen = chosen if isinstance(chosen, int) else None
        if access.reaches_beyond_own_organisations:
            rows = list(
                Organisation.objects.worked_in_by(user)
                .order_by(
                    Case(
                        When(pk=chosen, then=0),
                        When(pk__in=access.organisation_ids, then=1),
                        default=2,
                        output_field=IntegerField(),
                    ),
                    "name",
                )
                .only(*_FIELDS)[:2]
            )
        else:  # the organisations they work in are those of their grants, read with them
            rows = sorted(
                (
                    organisation
                    for organisation in access.organisations.values()
                    if organisation.closed_on is None or organisation.closed_on >= access.on
                ),
                key=lambda o: (o.pk != chosen, o.name),
            )
        organisation, more = (rows[0], len(rows) > 1) if rows else (None, False)
    request._current_organisation = organisation
    request._can_switch_organisation = more
    return organisation


def can_switch_organisation(request) -> bool:
    get_current_organisation(request)
    return request._can_switch_organisation


def set_current_organisation(request, organisation) -> None:
    request.session[SESSION_KEY] = organisation.pk
    request._current_organisation = organisation
