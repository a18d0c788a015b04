"""What networks has due, for the reminder engine: a regional lead is told when a change to the
register is waiting for them, and again when it has waited more than 5 working days (that an
MSO post of their region fell vacant, organisations tells them: its left_reminders). A Patient
Safety Specialist's identification waits for the national patient safety team instead (the
leads of the national Patient Safety Specialist network). The owner of an open item of a
network's workplan is reminded a week before it is due, and once it is overdue."""

from django.utils import timezone

from core.working_days import working_days_after
from notifications.registry import WHEN, Reminder, falling_due
from organisations import change_requests
from organisations.models import ChangeRequest

from .models import WorkplanItem

WAITING_WORKING_DAYS = 5


def change_request_reminders(on):
    """A change waiting for a decision, to those who decide it (organisations.change_requests:
    told when it is made, and again here should that notice be missing), and once more when
    it has waited more than 5 working days."""
    requests = list(
        ChangeRequest.objects.pending()
        .filter(submitted_at__date__lte=on)
        .select_related("organisation")
    )
    deciders = change_requests.deciders(requests)
    for request in requests:
        organisation = request.organisation
        submitted_on = timezone.localdate(request.submitted_at)
        # Waiting more than 5 working days: from the morning of the sixth.
        overdue_on = working_days_after(submitted_on, WAITING_WORKING_DAYS + 1)
        what = f"{request.get_kind_display()}, {organisation.name} ({organisation.ods_code})"
        for lead in deciders[request.pk]:
            yield change_requests.to_decide(request, lead)
            if on >= overdue_on:
                yield Reminder(
                    subject=f"change-request:{request.pk}",
                    kind="waiting",
                    due_on=overdue_on,
                    recipient_id=lead,
                    title=f"Waiting more than {WAITING_WORKING_DAYS} working days: {what}",
                    body=f"It was submitted on {submitted_on:%-d %B %Y}. Approve or reject it.",
                    url=request.get_absolute_url(),
                )


WORKPLAN_DUE_WITHIN_DAYS = 7


def workplan_reminders(on):
    """An open workplan item, to its owner: due within a week, and past its due date."""
    items = WorkplanItem.objects.falling_due(on, within=WORKPLAN_DUE_WITHIN_DAYS).select_related(
        "network"
    )
    for item in items:
        yield from falling_due(
            on,
            subject=f"workplan-item:{item.pk}",
            due_on=item.due_on,
            recipients=[item.owner_id],
            title=item.title,
            body=f"An item of the workplan of {item.network.name} {WHEN}: {item.title}. "
            "Update its status when it moves on.",
            url=item.get_absolute_url(),
            kinds=_workplan_kinds,
        )


def _workplan_kinds(days_left: int) -> list[str]:
    """Once in the week before, and once overdue."""
    if days_left < 0:
        return ["overdue"]
    return [f"due-in-{WORKPLAN_DUE_WITHIN_DAYS}-days"]


# What the reminder sweep asks for what is due (registered by the app: organisations.features).
PROVIDERS = [change_request_reminders, workplan_reminders]
