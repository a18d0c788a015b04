"""Medication safety committees: their members, meetings, minutes and actions."""

from organisations import features


class CommitteesConfig(features.FeatureConfig):
    name = "committees"
    # The chain of an alert (the committees that tabled it, the reports that carried it) sits
    # below the alert's address.
    routes = {"committees/": "committees.urls", "alerts/": "committees.alert_urls"}
    audited = dict.fromkeys(
        [
            "Committee",
            "TermsOfReference",
            "CommitteeMember",
            "Meeting",
            "AgendaItem",
            "MeetingAttendance",
            "Decision",
            "MeetingAction",
            "AssuranceReport",
        ],
        {},
    )

    def plug_in(self):
        from organisations.getting_started import WorkItem, work_item
        from organisations.handovers import Page, handover_page
        from organisations.navigation import MenuEntry, holds, holds_here, menu_entry

        from .permissions import Perm

        # Where a leaving MSO introduces their successor to the committee.
        handover_page(
            "committee", Page("committees:list", "Go to the committee", in_organisation=True)
        )
        # Ticked by hand: only the MSO can say they have read them.
        work_item(
            WorkItem(30, "committee", "Read the medication safety committee's terms of reference")
        )
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
