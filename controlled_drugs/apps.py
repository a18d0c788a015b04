"""Controlled drugs, as The Controlled Drugs (Supervision of Management and Use) Regulations
2013 have them overseen: each designated body's CDAO, and NHS England's regional CDAO with the
occurrences of the region and the quarterly occurrence reports for the Local Intelligence
Network; concerns about an individual, kept apart from medication incidents."""

from organisations import features


class ControlledDrugsConfig(features.FeatureConfig):
    name = "controlled_drugs"
    verbose_name = "Controlled drugs"
    routes = {"controlled-drugs/": "controlled_drugs.urls"}
    audited = {"Concern": {"clinical": True}}

    def plug_in(self):
        from organisations.navigation import MenuEntry, holds, menu_entry

        from .permissions import Perm

        menu_entry(
            MenuEntry(
                32,
                "Controlled drugs",
                "controlled_drugs:occurrences",
                holds(Perm.OCCURRENCES_VIEW, Perm.CONCERNS_KEEP),
            )
        )
