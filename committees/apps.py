"""Medication safety committees: their members, meetings, minutes and actions."""

from django.apps import AppConfig


class CommitteesConfig(AppConfig):
    name = "committees"
    # Its pages, at these addresses (mso_portal/urls.py includes them).
    routes = {"committees/": "committees.urls"}

    def ready(self):
        from organisations import permissions as rule_set

        from . import permissions

        # Its permissions, and the rules that give them, join the rule set.
        rule_set.register(
            permissions.Perm, permissions.RULES, second_factor=permissions.SECOND_FACTOR
        )

        from organisations.getting_started import WorkItem, work_item

        # Ticked by hand: only the MSO can say they have read them.
        work_item(
            WorkItem(30, "committee", "Read the medication safety committee's terms of reference")
        )

        from organisations.navigation import MenuEntry, holds, holds_here, menu_entry

        from .permissions import Perm

        menu_entry(
            MenuEntry(
                50,
                "Committee",
                "committees:list",
                holds_here(Perm.COMMITTEES_VIEW),
                in_organisation=True,
            )
        )
        menu_entry(
            MenuEntry(
                70, "Assurance reports", "committees:compare", holds(Perm.COMMITTEE_REPORTS_COMPARE)
            )
        )

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
