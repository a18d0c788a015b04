"""Safety improvement: projects with their measures and PDSA cycles, and protocols."""

from organisations import features


class ImprovementConfig(features.FeatureConfig):
    name = "improvement"
    verbose_name = "Safety improvement"
    routes = {"improvement/": "improvement.urls"}
    audited = dict.fromkeys(
        ["Project", "MeasurePoint", "PdsaCycle", "Protocol", "Project_incidents"], {}
    )

    def plug_in(self):
        from organisations.navigation import MenuEntry, holds_here, menu_entry

        from .permissions import Perm

        menu_entry(
            MenuEntry(
                60, "Improvement", "improvement:projects", holds_here(Perm.PROJECTS_VIEW), True
            )
        )
