"""Medication safety committees: their members, meetings, minutes and actions."""

from django.apps import AppConfig


class CommitteesConfig(AppConfig):
    name = "committees"

    def ready(self):
        from core.audit import register
        from notifications.registry import reminder_provider

        from . import models, reminders

        for model in (
            models.Committee,
            models.TermsOfReference,
            models.CommitteeMember,
            models.Meeting,
            models.AgendaItem,
            models.MeetingAttendance,
            models.Decision,
            models.MeetingAction,
            models.AssuranceReport,
        ):
            register(model)
        reminder_provider(reminders.action_reminders)
        reminder_provider(reminders.minutes_missing)
