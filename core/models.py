"""Shapes that records of several apps share, as abstract models. What someone is to do by a
date is in core.actions."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from . import uploads


class TimelineEvent(models.Model):
    """One step of a record's history as its people see it: what happened (``kind``, from the
    model's own ``Kind`` choices), who did it, when, and why. Not the audit trail (core.audit),
    which keeps every change of every field."""

    kind = models.CharField(max_length=20)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(max_length=3000, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def __str__(self):
        return self.get_kind_display()


class StoredFile(models.Model):
    """A file someone uploaded, accepted by what it contains (core.uploads), kept under a random
    name outside any served folder and only ever sent after a permission check. The concrete
    model names its ``file`` field and where it is stored."""

    filename = models.CharField("file name", max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.filename

    def download(self):
        return uploads.download(self.file, filename=self.filename, content_type=self.content_type)

    @classmethod
    def keep(cls, upload, *, filename: str, content_type: str, by, **fields):
        """Store an upload already checked (core.uploads.identify gave ``content_type`` and the
        safe ``filename``) with the rest of its row's ``fields``."""
        stored = cls(
            filename=filename,
            content_type=content_type,
            size=upload.size,
            uploaded_by=by,
            **fields,
        )
        stored.file.save(filename, upload, save=False)
        stored.save()
        return stored

    @classmethod
    def kept_already(cls, rows, upload, *, filename: str, by):
        """The one of ``rows`` that keeps this very upload already (the same person, name and
        bytes): what a second press of the button, or a reload, sends again."""
        for row in rows.filter(filename=filename, size=upload.size, uploaded_by=by):
            upload.seek(0)
            sent = upload.read()
            upload.seek(0)
            with row.file.storage.open(row.file.name, "rb") as kept:
                if kept.read() == sent:
                    return row
        return None
