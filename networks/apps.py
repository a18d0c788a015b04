"""MSO networks: national, regional and specialised, their members, events, library, buddies
and workplans."""

from organisations import features


class NetworksConfig(features.FeatureConfig):
    name = "networks"
    routes = {"networks/": "networks.urls"}
    audited = {
        **dict.fromkeys(
            [
                "Network",
                "NetworkMembership",
                "Event",
                "BuddyOffer",
                "BuddyRequest",
                "WebinarOffer",
            ],
            {},
        ),
        "Resource": {"exclude_fields": ["file"]},
        "WorkplanItem": {"m2m_fields": {"organisations"}},
    }

    def plug_in(self):
        from organisations.access import grant_source, holder_source
        from organisations.handovers import Page, handover_page
        from organisations.navigation import MenuEntry, holds, menu_entry

        from .models import lead_grants, lead_holders
        from .permissions import Perm

        menu_entry(
            MenuEntry(
                130,
                "Networks",
                "networks:list",
                holds(Perm.NETWORKS_JOIN, Perm.SPECIALIST_NETWORKS_JOIN),
            )
        )
        # Network leads hold their cross-organisation permissions through the rule set, and
        # are found by them (what waits for their decision).
        grant_source(lead_grants)
        holder_source(lead_holders)
        # A handover's successor asks for a buddy here; the region's leads are told of it.
        handover_page("buddy", Page("networks:buddy_request", "Ask for a buddy"))
