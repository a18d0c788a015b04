"""Medication incident reporting and learning (LFPSE-aligned)."""

from organisations import features


class IncidentsConfig(features.FeatureConfig):
    name = "incidents"
    routes = {"incidents/": "incidents.urls"}
    # Every change to a clinical record, with before and after, read on the incident's page by
    # its reviewers (never in the admin). The receipt hash of an anonymous report is not
    # history anyone needs.
    audited = {
        "Incident": {
            "clinical": True,
            "exclude_fields": ["receipt_hash"],
            "m2m_fields": {"themes", "related"},
        },
        **dict.fromkeys(
            ["IncidentMedicine", "IncidentAction", "IncidentComment", "SharedNote"],
            {"clinical": True},
        ),
        "IncidentAttachment": {"clinical": True, "exclude_fields": ["file"]},
        "HighRiskMedicine": {},
        "HospitalNumber": {},
        "LfpseChoice": {},
        "ProcessChange": {},
    }

    def plug_in(self):
        from django.db.models.signals import (
            post_delete,
            post_init,
            post_migrate,
            post_save,
            pre_save,
        )

        from medicines.signals import release_loaded
        from organisations.getting_started import WorkItem, work_item
        from organisations.models import Organisation
        from organisations.navigation import MenuEntry, holds, menu_entry

        from . import medicines, summary
        from .models import Incident
        from .permissions import Perm

        menu_entry(MenuEntry(30, "Incidents", "incidents:list", holds(Perm.INCIDENTS_LIST)))
        # Whoever may not list incidents but sees the counts (the network leads).
        menu_entry(
            MenuEntry(
                31,
                "Incident statistics",
                "incidents:statistics",
                lambda request, access, organisation: (
                    not access.has(Perm.INCIDENTS_LIST) and access.has(Perm.INCIDENTS_STATISTICS)
                ),
            )
        )
        menu_entry(MenuEntry(80, "My reports", "incidents:mine", holds(Perm.INCIDENTS_REPORT)))
        work_item(
            WorkItem(
                20,
                "incidents",
                "Review the open medication incidents and their actions",
                done_if=_reviewed_by,
                url_name="incidents:list",
                link_text="Go to the incidents",
                note="Ticks itself when you start a review",
            )
        )
        post_init.connect(summary.remember_on_load, sender=Incident)
        post_save.connect(summary.incident_saved, sender=Incident)
        post_delete.connect(summary.incident_deleted, sender=Incident)
        # The national high-risk list is keyed to each dm+d release loaded, and after migrating.
        release_loaded.connect(medicines.refresh_national)
        post_migrate.connect(medicines.refresh_after_migrating, sender=self)
        post_migrate.connect(summary.catch_up, sender=self)
        pre_save.connect(summary.organisation_placing, sender=Organisation)
        post_save.connect(summary.organisation_placed, sender=Organisation)


def _reviewed_by(user, organisation):
    """A new MSO has started on the incidents once they start or close a review."""
    from django.db.models import Exists

    from .models import IncidentEvent

    return Exists(
        IncidentEvent.objects.filter(
            by=user,
            incident__organisation=organisation,
            kind__in=(IncidentEvent.Kind.REVIEW_STARTED, IncidentEvent.Kind.CLOSED),
        )
    )
