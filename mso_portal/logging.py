"""Logging that keeps secret links and anonymous reporters out of the logs.

An invitation link and a password reset link carry a token in their path on the first visit
(the page then moves it into the session). ``RedactSecretLinks`` removes those tokens from every
log record of the Django processes; ``GunicornLogger`` removes them from gunicorn's access log.

Reporting an incident, named or anonymous, and following an anonymous one by its receipt are
logged without the client's address: the audit trail ties addresses to people, and an access
log line that said which address sent an anonymous report would tie it to its reporter.
"""

import logging
import re

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


# Paths logged without the client's address (see above).
UNADDRESSED = re.compile(r"^/incidents/(?:report|receipt)/")
# Where a client's address can be: the connection, and the headers proxies write.
ADDRESS_KEYS = ("REMOTE_ADDR", "HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED")


class GunicornLogger(Logger):
    """gunicorn's logger, with the request line and path of access log lines redacted, and no
    client address for the reporting pages."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "{raw_uri}e"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        if UNADDRESSED.match(environ.get("PATH_INFO", "")):
            addresses = [environ[key] for key in ADDRESS_KEYS if environ.get(key)]
            for key, value in atoms.items():
                if isinstance(value, str) and any(address in value for address in addresses):
                    atoms[key] = "-"
        return atoms
