"""Logging that keeps secret links and anonymous reporters out of the logs.

An invitation link and a password reset link carry a token in their path on the first visit
(the page then moves it into the session). ``RedactSecretLinks`` removes those tokens from every
log record of the Django processes; ``GunicornLogger`` removes them from gunicorn's access log.

The pages of reporting an incident, named or anonymous, and of following an anonymous one by
its receipt (views declared ``@untraced``, core/http.py) are logged by gunicorn with no
client address, User-Agent, Referer, size, timing or path details: the method, the page's
route, the status and the time only, so that the line of an anonymous report's sending is the
line of a named one's. The audit trail and the other access log lines tie addresses to people;
a line that said which address, browser or draft sent an anonymous report would tie it to its
reporter. A Referer that names one of those pages, or no page at all (they send their origin
alone), is dropped from every other line.
"""

import logging
import re
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve
from gunicorn.glogging import Logger

# At the start of a path only (after a space, a quote or the start of the message), so that
# /organisations/<code>/invitations/<id>/ keeps its id.
SECRET_LINKS = re.compile(
    r"(?<![^\s\"'])(?P<prefix>/invitations/)(?!accept/)[^/\s?\"']+"
    r"|(?<![^\s\"'])(?P<reset>/accounts/password/reset/key/)(?![^/\s?\"']*-set-password/)"
    r"[^/\s?\"']+"
)


def redact(text: str) -> str:
    return SECRET_LINKS.sub(
        lambda match: (match.group("prefix") or match.group("reset")) + "[redacted]", text
    )


class RedactSecretLinks(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def untraced_route(path: str) -> str | None:
    """The route of the ``@untraced`` page that ``path`` names ("/incidents/report/<int:pk>/"),
    or None for any other path. A path that cannot be told is taken for one (fail closed)."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    except Exception:  # noqa: BLE001 - a log line is never the place to fail
        return "/-"
    return "/" + match.route if getattr(match.func, "untraced", False) else None


def _names_no_other_page(referer: str) -> bool:
    """Whether a Referer names an untraced page, or no page beyond a site's origin (what the
    untraced pages send)."""
    path = urlsplit(referer).path
    return path in ("", "/") or untraced_route(path) is not None


# What a line of an untraced page keeps: the time, the method, the protocol and the status.
UNTRACED_KEPT = ("t", "m", "H", "s")


class GunicornLogger(Logger):
    """gunicorn's logger, with the request line and path of access log lines redacted, and the
    lines of untraced pages (and Referers naming them) kept to what ties them to nobody."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        route = untraced_route(environ.get("PATH_INFO", ""))
        if route is not None:
            # Everything else a format may name (addresses, headers, sizes, timings) is "-".
            kept = {key: atoms[key] for key in UNTRACED_KEPT if key in atoms}
            kept["U"] = route
            kept["r"] = f"{kept.get('m', '-')} {route} {kept.get('H', '-')}"
            return kept
        for key in ("r", "U", "{raw_uri}e"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        referer = environ.get("HTTP_REFERER")
        if referer and _names_no_other_page(referer):
            for key in ("f", "{referer}i", "{http_referer}e"):
                atoms.pop(key, None)
        return atoms
