from django.apps import AppConfig


class CoreConfig(AppConfig):
    """The shared kernel: the NHS.UK form pack and its template tags, HTTP and form helpers,
    audit, uploads, exports, calendars and working days. It imports no app of the project
    (docs/architecture.md)."""

    name = "core"
