"""Secret links stay out of the logs (review finding 7)."""

import io
import logging

import pytest
from django.urls import reverse

from mso_portal.logging import GunicornLogger, RedactSecretLinks, redact

TOKEN = "k3y-That-0pens-an-invitation"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (f"GET /invitations/{TOKEN}/ HTTP/1.1", "GET /invitations/[redacted]/ HTTP/1.1"),
        ("POST /invitations/accept/ HTTP/1.1", "POST /invitations/accept/ HTTP/1.1"),
        (
            f"GET /accounts/password/reset/key/3-{TOKEN}/",
            "GET /accounts/password/reset/key/[redacted]/",
        ),
        (
            "GET /accounts/password/reset/key/3-set-password/",
            "GET /accounts/password/reset/key/3-set-password/",
        ),
        (
            "POST /organisations/RZA/invitations/12/send/ HTTP/1.1",
            "POST /organisations/RZA/invitations/12/send/ HTTP/1.1",
        ),
        (f"Not Found: /invitations/{TOKEN}/", "Not Found: /invitations/[redacted]/"),
    ],
)
def test_tokens_in_paths_are_redacted(line, expected):
    assert redact(line) == expected


@pytest.mark.django_db
def test_django_logs_never_show_an_invitation_token(client):
    """Every Django logger writes through the service's one handler, which redacts."""

    def redacting(name):
        return [
            h
            for h in logging.getLogger(name).handlers
            if any(isinstance(f, RedactSecretLinks) for f in h.filters)
        ]

    [handler] = redacting("django.server")
    assert redacting("django") == redacting("") == [handler]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        client.get(reverse("invitation_open", kwargs={"token": TOKEN}))
        client.get(f"/invitations/{TOKEN}/nothing-here/")  # a 404, which Django logs
        logging.getLogger("django.server").info('"GET /invitations/%s/ HTTP/1.1" 302 0', TOKEN)
    finally:
        handler.setStream(previous)
    assert "Not Found: /invitations/[redacted]/" in stream.getvalue()
    assert '"GET /invitations/[redacted]/ HTTP/1.1"' in stream.getvalue()
    assert TOKEN not in stream.getvalue()


def _access_atoms(path, headers=()):
    import datetime
    from types import SimpleNamespace

    from gunicorn.config import Config

    logger = GunicornLogger(Config())
    request = SimpleNamespace(
        method="GET", path=path, query="", uri=path, version=(1, 1), headers=list(headers)
    )
    response = SimpleNamespace(status="302 Found", response_length=0, headers=[], sent=0)
    environ = {
        "REMOTE_ADDR": "192.0.2.44",
        "RAW_URI": path,
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        **{f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers},
    }
    return logger.atoms(response, request, environ, datetime.timedelta(0))


def test_gunicorns_access_log_never_shows_an_invitation_token():
    atoms = _access_atoms(f"/invitations/{TOKEN}/")
    assert TOKEN not in atoms["r"]
    assert TOKEN not in atoms["U"]
    assert atoms["h"] == "192.0.2.44"


@pytest.mark.parametrize(
    "path", ["/incidents/report/", "/incidents/report/12/send/", "/incidents/receipt/"]
)
def test_the_access_log_keeps_no_address_of_whoever_reports(path):
    """Found on review: a line saying which address sent an anonymous report, beside the audit
    trail's addresses of people, would tell who sent it."""
    atoms = _access_atoms(path, headers=[("X-Forwarded-For", "198.51.100.7")])
    assert "192.0.2.44" not in str(atoms) and "198.51.100.7" not in str(atoms)
