"""What networks has due, for the reminder engine: a regional lead is told when an MSO post of
their region falls vacant (organisations tells the board director), when a change to the
register is waiting for them, and again when it has waited more than 5 working days. A Patient
Safety Specialist's identification waits for the national patient safety team instead (the
leads of the national Patient Safety Specialist network). The owner of an open item of a
network's workplan is reminded a week before it is due, and once it is overdue."""

from django.utils import timezone

from core.working_days import working_days_after
from notifications.registry import WHEN, Reminder, falling_due
from organisations.models import Appointment, ChangeRequest
from organisations.reminders import vacancy_reminder

from .models import Network, WorkplanItem, leads_for, national_leads, regional_leads

WAITING_WORKING_DAYS = 5


def vacancy_reminders(on):
    for appointment in Appointment.objects.vacated(on).select_related("organisation"):
        for lead in regional_leads(appointment.organisation.region):
            yield vacancy_reminder(appointment, lead)


def change_request_reminders(on):
    requests = list(
        ChangeRequest.objects.pending()
        .filter(submitted_at__date__lte=on)
        .select_related("organisation")
    )
    leads = leads_for({request.organisation.region for request in requests})
    specialists_team = list(national_leads(Network.Community.SPECIALISTS))
    for request in requests:
        organisation = request.organisation
        submitted_on = timezone.localdate(request.submitted_at)
        # Waiting more than 5 working days: from the morning of the sixth.
        overdue_on = working_days_after(submitted_on, WAITING_WORKING_DAYS + 1)
        what = f"{request.get_kind_display()}, {organisation.name} ({organisation.ods_code})"
        due = [
            ("submitted", submitted_on, f"To decide: {what}", "Approve or reject it."),
        ]
        if on >= overdue_on:
            due.append(
                (
                    "waiting",
                    overdue_on,
                    f"Waiting more than {WAITING_WORKING_DAYS} working days: {what}",
                    f"It was submitted on {submitted_on:%-d %B %Y}. Approve or reject it.",
                )
            )
        deciders = (
            specialists_team if request.names_a_specialist else leads.get(organisation.region, [])
        )
        for lead in deciders:
            for kind, due_on, title, body in due:
                yield Reminder(
                    subject=f"change-request:{request.pk}",
                    kind=kind,
                    due_on=due_on,
                    recipient_id=lead,
                    title=title,
                    body=body,
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
PROVIDERS = [vacancy_reminders, change_request_reminders, workplan_reminders]
