"""Response headers and session limits (review finding 9)."""

import datetime
import re
from pathlib import Path

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
START = datetime.datetime(2026, 11, 22, 9, 0, tzinfo=datetime.UTC)


def directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())


@pytest.mark.parametrize("signed_in", [False, True])
def test_a_strict_content_security_policy_on_every_page(signed_in, mso_client, trust):
    client = mso_client if signed_in else Client()
    response = client.get(reverse("home") if signed_in else reverse("account_login"))
    policy = directives(response)
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]


def test_no_template_has_inline_script_or_style():
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        assert not inline_script.search(text), template
        assert "<style" not in text, template
        assert not re.search(r"\sstyle=", text), template
        assert not re.search(r"\son[a-z]+=", text), template  # onclick= and friends


def test_a_permissions_policy_turns_off_unused_features(client, db):
    policy = client.get(reverse("account_login"))["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy


def test_signed_in_pages_are_never_stored(mso_client, trust):
    for url in (reverse("home"), reverse("organisations:members", args=[trust.ods_code])):
        cache_control = mso_client.get(url)["Cache-Control"]
        assert "no-store" in cache_control
        assert "private" in cache_control


def test_framing_and_sniffing_are_refused(client, db):
    response = client.get(reverse("account_login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


class TestSessionLimits:
    def test_a_session_ends_after_30_minutes_without_activity(self, client_for, mso):
        with time_machine.travel(START, tick=False) as clock:
            client = client_for(mso)
            assert client.get(reverse("home")).status_code == 200
            clock.shift(datetime.timedelta(minutes=29))
            assert client.get(reverse("home")).status_code == 200
            clock.shift(datetime.timedelta(minutes=31))
            response = client.get(reverse("home"))
            assert response.status_code == 302
            assert response["Location"].startswith(reverse("account_login"))
            page = client.get(response["Location"])
            assert "signed out after 30 minutes without activity" in page.text

    def test_a_session_ends_after_12_hours_however_busy(self, client_for, mso):
        with time_machine.travel(START, tick=False) as clock:
            client = client_for(mso)
            for _ in range(36):  # a request every 20 minutes for 12 hours
                clock.shift(datetime.timedelta(minutes=20))
                assert client.get(reverse("home")).status_code == 200
            clock.shift(datetime.timedelta(minutes=20))
            response = client.get(reverse("home"))
            assert response.status_code == 302
            assert "signed in 12 hours ago" in client.get(response["Location"]).text

    def test_the_session_is_written_at_most_once_a_minute(self, client_for, mso):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        def session_writes():
            with CaptureQueriesContext(connection) as queries:
                client.get(reverse("account"))
            return [q for q in queries if "django_session" in q["sql"] and "SELECT" not in q["sql"]]

        with time_machine.travel(START, tick=False) as clock:
            client = client_for(mso)
            client.get(reverse("account"))
            clock.shift(datetime.timedelta(seconds=10))
            assert not session_writes()
            clock.shift(datetime.timedelta(seconds=60))
            assert session_writes()  # the last-seen time, once the minute has passed
