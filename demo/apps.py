from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo and the national-scale data (``seed_demo``, ``seed_national``): the top floor,
    imported by nothing but its commands and the tests (docs/architecture.md)."""

    name = "demo"
