"""What networks has due, for the reminder engine: a regional lead is told when an MSO post of
their region falls vacant (organisations tells the board director)."""

from organisations.models import Appointment
from organisations.reminders import vacancy_reminder

from .models import regional_leads


def vacancy_reminders(on):
    for appointment in Appointment.objects.vacated(on).select_related("organisation"):
        for lead in regional_leads(appointment.organisation.region):
            yield vacancy_reminder(appointment, lead)
