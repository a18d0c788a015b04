"""A feature app plugs into the product at start-up through its AppConfig, a subclass of
``FeatureConfig``, which reads what the app declares in its own modules:

- ``<app>/permissions.py``: ``Perm`` (a StrEnum), ``RULES`` and, if any, ``SECOND_FACTOR``: they
  join the rule set (organisations.permissions.register);
- ``<app>/reminders.py``, if it has one: ``PROVIDERS``, the functions the reminder sweep asks
  for what is due (notifications.registry);
- ``<app>/notices.py``, if it has one: ``NOTICES``, how its notifications are named when they
  are grouped, and which are security notices (notifications.topics);
- ``<app>/waiting.py``, if it has one: ``PROVIDERS``, what waits for a person, counted for
  their home page, and ``ACTIONS``, the kinds of action a person owns there (core.waiting);
- ``audited`` on the AppConfig: the names of the app's models whose every change is kept, with
  the options of core.audit.register;
- ``routes`` on the AppConfig: its pages' addresses (mso_portal/urls.py includes them);

and then calls its ``plug_in()`` for anything else of its own: menu entries
(organisations.navigation), getting-started items (organisations.getting_started), signals.

An app's apps.py imports this module, not the class, so that Django finds the app's own
AppConfig as the only one there.
"""

from importlib import import_module
from importlib.util import find_spec

from django.apps import AppConfig


class FeatureConfig(AppConfig):
    routes: dict[str, str] = {}
    audited: dict[str, dict] = {}
    joins_the_rule_set = True  # False for the app that holds the rule set itself

    def ready(self):
        from core import waiting
        from core.audit import register as audit
        from notifications.registry import reminder_provider
        from notifications.topics import notice_topics

        from . import permissions as rule_set

        if self.joins_the_rule_set:
            declared = import_module(f"{self.name}.permissions")
            rule_set.register(
                declared.Perm, declared.RULES, second_factor=getattr(declared, "SECOND_FACTOR", ())
            )
        if find_spec(f"{self.name}.reminders"):
            for provider in import_module(f"{self.name}.reminders").PROVIDERS:
                reminder_provider(provider)
        if find_spec(f"{self.name}.notices"):
            notice_topics(import_module(f"{self.name}.notices").NOTICES)
        if find_spec(f"{self.name}.waiting"):
            declared = import_module(f"{self.name}.waiting")
            for provider in getattr(declared, "PROVIDERS", ()):
                waiting.waiting_provider(provider)
            for kind in getattr(declared, "ACTIONS", ()):
                waiting.action_kind(kind)
        for name, options in self.audited.items():
            audit(self.get_model(name), **options)
        self.plug_in()

    def plug_in(self):
        """What else the app adds at start-up: menu entries, getting-started items, signals."""
