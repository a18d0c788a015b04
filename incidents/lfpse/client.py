"""A client for LFPSE's submission API (httpx): an AdverseEvent created with POST
``<base>/AdverseEvent``, replaced with PUT ``<base>/AdverseEvent/<id>``.

The service sits behind Azure API Management, which takes the subscription key in the
``Ocp-Apim-Subscription-Key`` header (settings: LFPSE_BASE_URL, LFPSE_API_KEY,
LFPSE_TIMEOUT_SECONDS). What comes back is one of three things:

- ``Accepted``: LFPSE keeps the record, under its id and reference number. A create of an
  identifier LFPSE already holds is the same record (``created`` False): sending again after a
  crash, a lost answer or a timeout is harmless.
- ``Refused``: a 4xx answered with a FHIR OperationOutcome, something about the record itself;
  its issues are kept as the reasons (what, and where) for the safety team to correct.
- ``Unavailable``: anything else (a timeout, no connection, a 5xx, throttling, a key LFPSE does
  not take): nothing is known of the record, and it is tried again later. Never a refusal.

In development and the tests, with no LFPSE_BASE_URL, the local simulator (lfpse_simulator)
answers in-process, through the project's own WSGI application. Where LFPSE's answer carries its
reference number is not published (docs/adr/0030-incidents-submitted-to-lfpse.md): read from the
``lfpse-reference`` extension, else the record's id.
"""

import copy
from dataclasses import asdict, dataclass, field
from functools import cache

import httpx
from django.conf import settings

from . import fhir

KEY_HEADER = "Ocp-Apim-Subscription-Key"
REFERENCE_EXTENSION = f"{fhir.BASE}/StructureDefinition/lfpse-reference"
# The in-process simulator's address, as the project's URLs mount it.
SIMULATOR_BASE_URL = "http://localhost/lfpse-simulator"
# A refusal: an answer about the record, with an OperationOutcome saying what is wrong: the
# statuses FHIR R4's RESTful API gives a create or update it does not take (Bad Request, Not
# Found, Conflict, Precondition Failed, Unprocessable Entity; hl7.org/fhir/R4/http.html#create).
REFUSING = {400, 404, 409, 412, 422}


@dataclass(frozen=True)
class Accepted:
    record_id: str
    reference: str
    created: bool


@dataclass(frozen=True)
class Reason:
    """One of LFPSE's issues with a record: its severity, FHIR issue code, what it says and
    where (a FHIRPath expression)."""

    severity: str
    code: str
    text: str
    where: str

    def as_dict(self) -> dict:
        return asdict(self)


class Refused(Exception):
    def __init__(self, status: int, reasons: list[Reason]):
        self.status, self.reasons = status, reasons
        super().__init__(
            f"LFPSE refused the record ({status}): " + "; ".join(r.text for r in reasons)
        )


class Unavailable(Exception):
    """No answer about the record: it is tried again later."""


@dataclass
class _Settings:
    base_url: str
    key: str
    timeout: float
    in_process: bool = field(default=False)


def _settings() -> _Settings:
    if settings.LFPSE_BASE_URL:
        return _Settings(
            settings.LFPSE_BASE_URL, settings.LFPSE_API_KEY, settings.LFPSE_TIMEOUT_SECONDS
        )
    if settings.LFPSE_SIMULATOR:
        return _Settings(
            SIMULATOR_BASE_URL, settings.LFPSE_API_KEY, settings.LFPSE_TIMEOUT_SECONDS, True
        )
    raise Unavailable("No LFPSE_BASE_URL is configured")


class InProcessTransport(httpx.WSGITransport):
    """The project's WSGI application, called in this thread. Django closes a thread's database
    connection at the end of each request it serves; the request to the simulator is served
    inside another (or a test's transaction), so for its length it does not (as Django's own
    test client does)."""

    def handle_request(self, request):
        from django.core import signals
        from django.db import close_old_connections

        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            response = super().handle_request(request)
            try:  # read to its end and closed (which ends the request) while they are off
                content = response.read()
            finally:
                response.close()
            return httpx.Response(response.status_code, headers=response.headers, content=content)
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)


@cache
def _wsgi_application():
    from django.core.wsgi import get_wsgi_application

    return get_wsgi_application()


def _client() -> httpx.Client:
    found = _settings()
    transport = InProcessTransport(app=_wsgi_application()) if found.in_process else None
    return httpx.Client(
        base_url=found.base_url,
        headers={KEY_HEADER: found.key, "Accept": "application/fhir+json"},
        timeout=httpx.Timeout(found.timeout),
        transport=transport,
    )


def create(resource: dict) -> Accepted:
    """Send a new record."""
    return _send("POST", "/AdverseEvent", resource)


def update(record_id: str, resource: dict) -> Accepted:
    """Replace the record LFPSE keeps as ``record_id`` with this one."""
    resource = copy.deepcopy(resource)
    resource["id"] = record_id
    return _send("PUT", f"/AdverseEvent/{record_id}", resource)


def _send(method: str, path: str, resource: dict) -> Accepted:
    try:
        with _client() as client:
            response = client.request(
                method, path, json=resource, headers={"Content-Type": "application/fhir+json"}
            )
    except httpx.HTTPError as error:
        raise Unavailable(
            f"LFPSE could not be reached: {error.__class__.__name__}: {error}"
        ) from error
    return _answer(response)


def _json(response: httpx.Response):
    try:
        return response.json()
    except ValueError:
        return None


def _answer(response: httpx.Response) -> Accepted:
    body = _json(response)
    status = response.status_code
    if status in (200, 201) and isinstance(body, dict) and body.get("id"):
        return Accepted(
            record_id=str(body["id"]), reference=_reference(body), created=status == 201
        )
    if (
        status in REFUSING
        and isinstance(body, dict)
        and body.get("resourceType") == "OperationOutcome"
    ):
        return _refuse(status, body)
    if status in (401, 403):
        raise Unavailable(
            f"LFPSE did not take the subscription key ({status}): check LFPSE_API_KEY"
        )
    raise Unavailable(f"LFPSE answered {status} without a record or its reasons")


def _reference(body: dict) -> str:
    for extension in body.get("extension") or []:
        if isinstance(extension, dict) and extension.get("url") == REFERENCE_EXTENSION:
            return str(extension.get("valueString") or body["id"])
    return str(body["id"])


def _refuse(status: int, outcome: dict):
    reasons = []
    for issue in outcome.get("issue") or []:
        if not isinstance(issue, dict):
            continue
        text = issue.get("diagnostics") or (issue.get("details") or {}).get("text") or ""
        reasons.append(
            Reason(
                severity=str(issue.get("severity", "error")),
                code=str(issue.get("code", "")),
                text=str(text)[:1000] or "No reason given",
                where=_where(issue),
            )
        )
    raise Refused(status, reasons or [Reason("error", "unknown", "LFPSE gave no reason", "")])


def _where(issue: dict) -> str:
    """Where in the record an issue is: its FHIRPath expressions (or its XPath locations, which
    FHIR R4 deprecates)."""
    where = issue.get("expression") or issue.get("location") or []
    if not isinstance(where, list):
        where = [where]
    return ", ".join(str(place) for place in where)[:500]
