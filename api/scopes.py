"""What a token may do: each scope opens some of the API's calls, and only to a person whose
grants already let them do it on the pages (the rule set, organisations/permissions.py). A
token never reaches more than its holder; its scopes only narrow what it reaches."""

from enum import StrEnum

from rest_framework.permissions import BasePermission

from alerts.permissions import Perm as AlertPerm
from committees.permissions import Perm as CommitteePerm
from incidents.permissions import Perm as IncidentPerm
from organisations.access import access_for
from organisations.permissions import Perm as OrganisationPerm


class Scope(StrEnum):
    REGISTER_READ = "register:read"
    ORGANISATIONS_READ = "organisations:read"
    INCIDENTS_READ = "incidents:read"
    INCIDENTS_SUBMIT = "incidents:submit"
    ALERTS_READ = "alerts:read"
    ALERTS_ACT = "alerts:act"
    REPORTS_READ = "reports:read"


# Each scope: what it lets a token do, in words, and the permission of the rule set a person
# must hold somewhere for it to be worth asking for.
SCOPES: dict[Scope, tuple[str, str]] = {
    Scope.REGISTER_READ: ("Read the national MSO register", OrganisationPerm.REGISTER_VIEW),
    Scope.ORGANISATIONS_READ: (
        "Read organisations: yours, or the directory where your roles open it",
        OrganisationPerm.ORGANISATION_VIEW,
    ),
    Scope.INCIDENTS_READ: ("Read incidents", IncidentPerm.INCIDENTS_VIEW),
    Scope.INCIDENTS_SUBMIT: ("Report incidents", IncidentPerm.INCIDENTS_REPORT),
    Scope.ALERTS_READ: ("Read alerts and your organisation's responses", AlertPerm.ALERTS_VIEW),
    Scope.ALERTS_ACT: ("Record what was done about an alert's actions", AlertPerm.ALERTS_ACT),
    Scope.REPORTS_READ: (
        "Read the figures of approved assurance reports",
        CommitteePerm.COMMITTEES_VIEW,
    ),
}


def offered(user) -> list[Scope]:
    """The scopes worth a token of this person's: those whose permission they hold somewhere."""
    access = access_for(user)
    return [scope for scope, (_words, perm) in SCOPES.items() if access.has(perm)]


def described(scopes) -> list[str]:
    return [SCOPES[Scope(scope)][0] for scope in scopes if scope in SCOPES]


class TokenHasScope(BasePermission):
    """A call needs a token (api.authentication) holding the scope its view names for the
    method (``scopes = {"GET": Scope..., "POST": ...}``): 403 without it, 401 with no token."""

    message = "This token does not have the scope this call needs"

    def has_permission(self, request, view) -> bool:
        token = request.auth
        if token is None or not request.user.is_authenticated:
            return False
        if not hasattr(view, request.method.lower()):
            return True  # a method the call does not answer: 405, whatever the token
        needed = view.scopes.get(request.method)
        return needed is not None and needed in token.scopes
