"""What the access helpers (tests/conftest.py) proved in this run, for each (URL name, HTTP
method); tests/test_urls.py checks at the end that every view of the URLconf is in here."""

from urllib.parse import urlparse

from django.urls import resolve

PROVEN: dict[tuple[str, str], set[str]] = {}


def prove(url: str, method: str, *outcomes: str) -> None:
    name = resolve(urlparse(url).path).view_name
    PROVEN.setdefault((name, method.upper()), set()).update(outcomes)
