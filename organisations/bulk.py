"""The audit log's entries for rows written in bulk: ``bulk_create`` and ``bulk_update`` send no
signals, so django-auditlog records nothing of them by itself. ``audit_bulk`` records each
change as auditlog would have (its before and after values, by whom, from where, under the
request's correlation id), in one insert; nothing when auditing is switched off
(``auditlog.context.disable_auditlog``, as the demo's seed does)."""

from auditlog.cid import get_cid
from auditlog.context import auditlog_disabled, auditlog_value
from auditlog.diff import model_instance_diff
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType

BATCH = 2_000


def audit_bulk(model, changes, by) -> int:
    """Record ``changes``, each (the row before, or None for a new one; the row as written, with
    its primary key) made by ``by`` (None: no one, a command run without a person). Returns how
    many entries were written."""
    if auditlog_disabled.get(False):
        return 0
    context = auditlog_value.get({})
    content_type = ContentType.objects.get_for_model(model)
    cid = get_cid()
    entries = [
        LogEntry(
            content_type=content_type,
            object_pk=str(after.pk),
            object_id=after.pk,
            object_repr=str(after)[:200],
            action=LogEntry.Action.CREATE if before is None else LogEntry.Action.UPDATE,
            changes=model_instance_diff(
                before, after, use_json_for_changes=settings.AUDITLOG_STORE_JSON_CHANGES
            ),
            actor=by,
            actor_email=getattr(by, "email", None),
            remote_addr=context.get("remote_addr"),
            cid=cid,
        )
        for before, after in changes
    ]
    LogEntry.objects.bulk_create(entries, batch_size=BATCH)
    return len(entries)
