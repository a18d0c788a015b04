"""Something a named person is to do by a date: an incident's action, a committee meeting's
action, what an organisation does about an alert's required action, a handover's checklist item,
an item of a network's workplan. One shape, one set of names, one set of rules:

- ``owner``: who is to do it (their reminders go to them);
- ``due_on``: the date it is due;
- ``state``: how far it has got, from the model's own ``State`` choices;
- ``evidence``: what was done (or, for one finished without being done, why);
- ``done_on``: the date it was done, kept only while it is finished.

A model that has no use for one of them removes it (``evidence = None``) or puts a property in
its place (an alert action's due date is the alert's deadline). The reminder sweep reads what
``falling_due`` below returns.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

DUE_SOON_DAYS = 7  # an owner is first reminded this many days before the due date


class OwnedActionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(self.model.open_q())

    def finished(self):
        return self.exclude(self.model.open_q())

    def overdue(self, on: datetime.date | None = None):
        return self.open().filter(**{f"{self.model.due_path}__lt": on or timezone.localdate()})

    def falling_due(self, on: datetime.date, within: int = DUE_SOON_DAYS):
        """Open and owned, due within ``within`` days of ``on`` or past due: what the reminder
        sweep looks at."""
        due_by = on + datetime.timedelta(days=within)
        return self.open().filter(owner__isnull=False, **{f"{self.model.due_path}__lte": due_by})


class OwnedAction(models.Model):
    """The shape and rules described above; a concrete model names its ``State`` choices and
    which of them are still open (``OPEN_STATES``) or finish it without it being done
    (``NOT_DONE_STATES``: they need the reason in ``evidence``)."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    due_on = models.DateField("due")
    state = models.CharField(max_length=20)
    evidence = models.TextField("what was done", max_length=3000, blank=True)
    done_on = models.DateField("date done", null=True, blank=True)

    DONE = "done"
    OPEN_STATES: tuple[str, ...] = ()
    NOT_DONE_STATES: tuple[str, ...] = ()
    why_not_done = "Say why it is not being done"  # the error when NOT_DONE needs its reason
    due_path = "due_on"  # the field its due date is read from in a query

    class Meta:
        abstract = True
        ordering = ["due_on", "pk"]

    @classmethod
    def open_q(cls) -> Q:
        return Q(state__in=cls.OPEN_STATES)

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    def is_overdue(self, on: datetime.date | None = None) -> bool:
        return self.is_open and self.due_on < (on or timezone.localdate())

    @classmethod
    def check_progress(cls, *, state: str, evidence: str = "", done_on=None, errors=None) -> None:
        """The rules of recording how far it has got: done needs the date it was done, on or
        before today; finished without being done needs the reason. Refuses with these and
        any ``errors`` the caller found, by field."""
        errors = dict(errors or {})
        if state == cls.DONE and done_on is None:
            errors["done_on"] = "Enter the date it was done"
        if done_on is not None and done_on > timezone.localdate():
            errors["done_on"] = "The date it was done must be today or in the past"
        if state in cls.NOT_DONE_STATES and not evidence.strip():
            errors["evidence"] = cls.why_not_done
        if errors:
            raise ValidationError(errors)

    def record_progress(self, *, state: str, evidence: str | None = None, done_on=None) -> None:
        """Sets the state, the evidence (when given) and the date done, which is kept only while
        it is finished. Not saved."""
        self.state = state
        if evidence is not None:
            self.evidence = evidence.strip()
        self.done_on = None if self.is_open else done_on
