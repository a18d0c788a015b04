"""Secret links stay out of the logs (review finding 7)."""

import io
import logging
import re
import sqlite3

import pytest
from django.urls import reverse

from core.logging import GunicornLogger, RedactSecretLinks, redact
from tests.factories import PASSWORD

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


def _access_atoms(path, headers=(), *, method="GET", status="302 Found", sent=0):
    import datetime
    from types import SimpleNamespace

    from gunicorn.config import Config

    logger = GunicornLogger(Config())
    uri, _, query = path.partition("?")
    request = SimpleNamespace(
        method=method, path=uri, query=query, uri=path, version=(1, 1), headers=list(headers)
    )
    response = SimpleNamespace(
        status=status, response_length=sent, headers=[("Content-Length", str(sent))], sent=sent
    )
    environ = {
        "REMOTE_ADDR": "192.0.2.44",
        "RAW_URI": path,
        "REQUEST_METHOD": method,
        "PATH_INFO": uri,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
        **{f"HTTP_{name.upper().replace('-', '_')}": value for name, value in headers},
    }
    return logger.atoms(response, request, environ, datetime.timedelta(microseconds=1234))


# gunicorn's default access log format (production's), then every other kind of atom.
EVERY_ATOM = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" '
    "%(m)s %(U)s %(q)s %(H)s %(B)s %(T)s %(D)s %(M)s %(L)s %(p)s "
    "%({user-agent}i)s %({referer}i)s %({x-forwarded-for}i)s %({content-length}o)s "
    "%({remote_addr}e)s %({raw_uri}e)s %({http_referer}e)s"
)


def _access_line(path, headers=(), **response):
    from gunicorn.glogging import SafeAtoms

    return EVERY_ATOM % SafeAtoms(_access_atoms(path, headers, **response))


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


BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Ward7Browser/1.0"


@pytest.mark.parametrize(
    "path",
    [
        "/incidents/report/",
        "/incidents/report/12/?rows=3",
        "/incidents/report/12/send/",
        "/incidents/drafts/12/delete/",
        "/incidents/receipt/",
    ],
)
def test_a_reporting_pages_line_keeps_its_route_status_and_time_only(path):
    """Found by a security probe: the access log tied an anonymous report to its sender's
    address, browser and draft."""
    line = _access_line(
        path,
        [
            ("User-Agent", BROWSER),
            ("Referer", "https://mso.example/incidents/report/12/"),
            ("X-Forwarded-For", "198.51.100.7"),
        ],
        method="POST",
        status="200 OK",
        sent=5321,
    )
    for trace in ("192.0.2.44", "198.51.100.7", "Ward7Browser", "12", "rows", "5321", "1234"):
        assert trace not in line.split("]", 1)[1]
    route = path.split("?")[0].replace("12", "<int:pk>")
    assert f'"POST {route} HTTP/1.1" 200 - "-" "-"' in line


@pytest.mark.parametrize(
    "referer",
    [
        "https://mso.example/incidents/report/12/send/",
        "https://mso.example/incidents/report/12/",
        "https://mso.example/incidents/receipt/",
        "https://mso.example/",  # what the reporting pages send (their origin alone)
        "https://mso.example",
    ],
)
def test_no_line_keeps_a_referer_naming_a_reporting_page(referer):
    """Belt and braces, for a browser that ignores the reporting pages' Referrer-Policy."""
    line = _access_line("/incidents/mine/", [("Referer", referer), ("User-Agent", BROWSER)])
    assert "mso.example" not in line
    assert line.startswith("192.0.2.44 ")  # the other pages keep their address


def test_other_lines_keep_their_referer():
    referer = "https://mso.example/incidents/RX1-2026-000001/"
    assert referer in _access_line("/incidents/", [("Referer", referer)])


# A real gunicorn's access log -----------------------------------------------------------------

LINE = re.compile(r'^(\S+) \S+ \S+ \[[^\]]*\] "(\S+) (\S+) \S+" (\d+) (\S+) "(.*)" "(.*)"$')
FORWARDED = "198.51.100.23"  # as a proxy in front would add


def _served_database(tmp_path) -> str:
    """A database gunicorn can serve, holding what the test wrote: the test database itself on
    PostgreSQL (written in committed transactions), a copy of the in-memory one on SQLite."""
    from django.db import connection

    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        who = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
        where = f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}"
        return f"postgres://{who}@{where}/{settings['NAME']}"
    path = tmp_path / "served.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    try:
        connection.connection.backup(copy)
    finally:
        copy.close()
    return f"sqlite:///{path}"


@pytest.fixture
def served(transactional_db, tmp_path):
    """The service under gunicorn with production's logger, its access log in a file; staff of
    a trust to report with. The settings are the tests' (their password hasher), in DEBUG so
    that the server starts without Redis or a mail server; what is logged does not change."""
    from organisations.choices import Role
    from tests.bench.pages import Server
    from tests.factories import OrganisationFactory, member

    reporter = member(OrganisationFactory(), Role.STAFF, email="nurse@trust.example")
    log = tmp_path / "access.log"
    server = Server(
        _served_database(tmp_path),
        environment={"DEBUG": "1", "REDIS_URL": None, "EMAIL_HOST": None, "SECURE_COOKIES": None},
        arguments=[
            "--access-logfile",
            str(log),
            "--logger-class",
            "core.logging.GunicornLogger",
        ],
        workers=1,
        collect_static=False,
    )
    try:
        yield server, reporter, log
    finally:
        server.stop()


class _Browser:
    """As a browser signed in would ask: its cookies, its User-Agent, the form's CSRF token,
    its Origin with a form, and the Referer the page's policy lets it send."""

    def __init__(self, port):
        import requests

        self.base = f"http://127.0.0.1:{port}"
        self.http = requests.Session()
        self.http.headers.update({"User-Agent": BROWSER, "X-Forwarded-For": FORWARDED})
        self.token = ""

    def get(self, path, referer=None):
        headers = {"Referer": referer} if referer else {}
        page = self.http.get(self.base + path, headers=headers, allow_redirects=False)
        found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        self.token = found.group(1) if found else self.token
        return page

    def post(self, path, data, referer):
        headers = {"Origin": self.base, "Referer": referer}
        body = {**data, "csrfmiddlewaretoken": self.token}
        return self.http.post(self.base + path, data=body, headers=headers, allow_redirects=False)


def _report(browser, anonymous: str) -> str:
    """A report in its two steps, then the next page asked for with a Referer that names the
    draft (a browser ignoring the policy): the draft's path."""
    from django.utils import timezone

    from tests.bench.pages import STEP_1

    today = timezone.localdate()
    when = {"occurred_on_day": today.day, "occurred_on_month": today.month}
    origin = browser.base + "/"  # what the reporting pages let a browser send
    browser.get("/incidents/report/", referer=origin)
    first = browser.post(
        "/incidents/report/", {**STEP_1, **when, "occurred_on_year": today.year}, origin
    )
    assert first.status_code == 302, first.text[-2000:]
    draft = first.headers["Location"]
    browser.get(draft, referer=origin)
    sent = browser.post(draft, {"anonymous": anonymous, "action": "send"}, origin)
    assert sent.status_code == 200 and "Report sent" in sent.text
    assert ("receipt code" in sent.text) == (anonymous == "yes")
    assert sent.headers["Referrer-Policy"] == "strict-origin"
    browser.get("/incidents/mine/", referer=browser.base + draft)
    return draft.removesuffix("send/")


def test_a_real_access_log_cannot_tell_an_anonymous_report_or_tie_it_to_anyone(served):
    """Found by a security probe: gunicorn's access log wrote the request after an anonymous
    report with the reporter's address, a Referer naming its draft and the browser, and its
    send answered 200 where a named one's answered 302."""
    server, reporter, log = served
    browser = _Browser(server.port)
    browser.get("/accounts/login/")
    signed_in = browser.post(
        "/accounts/login/",
        {"login": reporter.email, "password": PASSWORD},
        browser.base + "/accounts/login/",
    )
    assert signed_in.status_code == 302
    drafts = [_report(browser, "no"), _report(browser, "yes")]
    server.stop()  # gunicorn has written every line

    lines = log.read_text().splitlines()
    parsed = [LINE.match(line) for line in lines]
    assert all(parsed), lines
    for line in lines:
        assert not any(draft in line for draft in drafts), line
    reporting = [line for line, found in zip(lines, parsed, strict=True) if "/report/" in found[3]]
    assert len(reporting) == 8  # four a report: two pages shown, two forms sent
    for line in reporting:
        for trace in ("127.0.0.1", FORWARDED, "Ward7Browser"):
            assert trace not in line, line
    # The sending of the named report and of the anonymous one: the same line, but its time.
    named, anonymous = (
        line.split("] ", 1)[1]
        for line in reporting
        if '"POST /incidents/report/<int:pk>/send/' in line
    )
    assert named == anonymous == '"POST /incidents/report/<int:pk>/send/ HTTP/1.1" 200 - "-" "-"'
    # The next page asked for, after each: no Referer left to name the draft.
    after = [found for found in parsed if found[3] == "/incidents/mine/"]
    assert [(found[1], found[4], found[6]) for found in after] == [("127.0.0.1", "200", "-")] * 2
