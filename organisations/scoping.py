"""How views read what belongs to an organisation: only through these.

- ``ScopedQuerySet.visible_to(user)``: the rows of a scoped model the person may see, written
  once for every model. A scoped model declares ``scope_path`` (where its organisation is:
  ``"organisation"``, or ``""`` for ``Organisation`` itself) and ``view_permission`` (what it
  takes to see a row at all).
- ``get_object_for(user, model, perm, **lookup)``: one object, or 404 when the person may not
  see it (another organisation's object does not exist for them), or 403 when they may see it
  but lack ``perm``. With ``within=organisation`` (one the person already sees, itself read
  through ``get_object_for``), an object of that organisation that they may not see is 403:
  its existence tells them nothing they cannot see already.

A test (tests/test_scoping_lint.py) fails when a view module reads a scoped model any other way.
"""

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import get_object_or_404


class Engine:
    """The permission engine (access.py) stands above the models it reads: it plugs itself in
    here at start-up (OrganisationsConfig.ready), so the querysets below it never import it."""

    access_for: Callable | None = None


ENGINE = Engine()


def access_for(user):
    return ENGINE.access_for(user)


class ScopedQuerySet(models.QuerySet):
    def visible_to(self, user, perm=None):
        """The rows on which the person holds ``perm`` (by default the model's view
        permission): one filter, derived from the rules, with no extra query."""
        return self.filter(access_for(user).filter(perm or self.model.view_permission, self.model))


def get_object_for(user, model_or_queryset, perm=None, *, within=None, **lookup):
    """The object matching ``lookup`` among those the person may see (else 404), if they hold
    ``perm`` on it (else 403). ``within``: the organisation the object must belong to, which
    the person sees; there, an object they may not see is 403 rather than 404."""
    queryset = (
        model_or_queryset
        if isinstance(model_or_queryset, models.QuerySet)
        else model_or_queryset._default_manager.all()
    )
    if within is None:
        obj = get_object_or_404(queryset.visible_to(user), **lookup)
    else:
        of_organisation = queryset.filter(**{queryset.model.scope_path: within})
        obj = of_organisation.visible_to(user).filter(**lookup).first()
        if obj is None:
            get_object_or_404(of_organisation, **lookup)  # 404 if it is not there at all
            raise PermissionDenied
    needs_more = perm is not None and perm != queryset.model.view_permission
    if needs_more and not access_for(user).has(perm, obj):
        raise PermissionDenied
    return obj
