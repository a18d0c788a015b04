"""Who made a change, and from where: every audited write records its actor and the client's
address (django-auditlog's LogEntry.actor and remote_addr).

The client's address is worked out by the same rule that throttles sign-ins (django-allauth,
``TRUSTED_PROXY_COUNT``): ``REMOTE_ADDR``, or, behind that many proxies, the X-Forwarded-For
entry the nearest trusted proxy added. An address the client wrote in a header itself is never
recorded.
"""

import contextlib
from contextvars import ContextVar

from auditlog.context import auditlog_value, set_actor
from auditlog.middleware import AuditlogMiddleware
from django.core.exceptions import ImproperlyConfigured, PermissionDenied

_client_address: ContextVar[str | None] = ContextVar("client_address", default=None)


def client_address(request) -> str | None:
    from allauth.account.adapter import get_adapter

    try:
        return get_adapter(request).get_client_ip(request)
    except (PermissionDenied, ImproperlyConfigured):
        return None


class AuditMiddleware(AuditlogMiddleware):
    """auditlog's middleware, with the client's address worked out as above."""

    @staticmethod
    def _get_remote_addr(request):
        return client_address(request)

    @staticmethod
    def _get_remote_port(request):
        return None  # X-Forwarded-Port is whatever the client says

    def __call__(self, request):
        token = _client_address.set(client_address(request))
        try:
            return super().__call__(request)
        finally:
            _client_address.reset(token)


@contextlib.contextmanager
def audit_as(actor):
    """Record the writes inside the block as made by ``actor``, from the current request's
    client address (none outside a request: a task or a command)."""
    previous = auditlog_value.get(None)
    try:
        with set_actor(actor, remote_addr=_client_address.get()):
            yield
    finally:
        if previous is not None:
            auditlog_value.set(previous)


# Models whose rows are clinical records: their history is read where the records are (by
# those who may read them), never in the service's admin.
CLINICAL: set[type] = set()


def register(model, *, clinical: bool = False, **options):
    """Audit every change to ``model`` (django-auditlog, before and after); a ``clinical``
    model's history is kept out of the admin (see CLINICAL)."""
    from auditlog.registry import auditlog

    auditlog.register(model, **options)
    if clinical:
        CLINICAL.add(model)
    return model


def clinical_content_types():
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_models(*CLINICAL).values() if CLINICAL else []
