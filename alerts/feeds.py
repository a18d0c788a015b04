"""Reading the alert feeds on a schedule: the MHRA's drug and device alerts on GOV.UK (Atom) and
NHS England's National Patient Safety Alerts (RSS), as ``settings.ALERT_FEEDS`` names them
(docs/alerts-import.md, "Alert feeds"; the feeds: shared reference, integration layouts §3).

CAS itself has no public interface; these feeds carry what CAS issues. Each entry that names a
CAS reference (``NatPSA/2026/004/NHSPS``, ``EL (26)A/05``, ``MDA/2026/012``, ``DSI/2026/003``)
becomes a **draft** alert for the national patient safety team, who check who it applies to,
its actions and medicines, and publish it: a feed says what was issued, not what each kind of
organisation must do. Its type follows the title as the MHRA words it (a Class 1 medicines
recall is a National Patient Safety Alert); its issuer, the reference (a NatPSA's names it;
EL, MDA and DSI references are the MHRA's) or the feed. An entry already drafted, or whose
reference is already recorded (by hand or from a file), is left alone; an entry with no
reference is passed over and said so. Parsing is feedparser's; each reading is kept
(``FeedRead``), so a feed that stops answering is seen on the import page.
"""

import datetime
import logging
import re
import time
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urlsplit

import feedparser
import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.html import strip_tags

from organisations.choices import SENIOR_SIGN_OFF
from organisations.choices import OrganisationKind as Kind

from . import choices, services, validators
from .models import Alert, FeedRead

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 20  # to connect, and between any two reads
TOTAL_SECONDS = 60  # for the whole feed
MAX_BYTES = 5 * 1024 * 1024
USER_AGENT = "MSO Portal alert feed reader"

AlertType = choices.AlertType
# The CAS references an entry may name, NatPSAs first.
REFERENCES = (
    choices.NATPSA_REFERENCE,
    re.compile(r"\bEL\s?\(\d{2}\)\s?A/\d{1,3}\b"),
    re.compile(r"\b(?:MDA|DSI)/\d{4}/\d{3}\b"),
)
# An EL reference as the MHRA writes it, whatever the spacing: "EL(26)A/44" is "EL (26)A/44".
EL_SPACING = re.compile(r"^EL\s?\((\d{2})\)\s?A/")
MHRA_REFERENCE = re.compile(r"^(?:EL|MDA|DSI)\b")
# The type, from the words of the title, the first that matches.
TYPES = (
    ("class 1 medicines recall", AlertType.RECALL_1),
    ("class 2 medicines recall", AlertType.RECALL_2),
    ("class 3 medicines recall", AlertType.RECALL_3),
    ("class 4 medicines", AlertType.NOTIFICATION_4),
    ("national patient safety alert", AlertType.NATPSA),
    ("medical device", AlertType.DEVICE),
    ("device safety information", AlertType.DEVICE),
    ("field safety notice", AlertType.DEVICE),
    ("supply disruption", AlertType.SUPPLY),
    ("dear doctor", AlertType.DEAR_DOCTOR),
    ("direct healthcare professional communication", AlertType.DEAR_DOCTOR),
)
# Who issues what a feed carries when its reference does not say, by the feed's host.
FEED_ISSUERS = {"www.gov.uk": choices.Issuer.MHRA, "www.england.nhs.uk": choices.Issuer.NHS_ENGLAND}
# Whom a draft goes to until the team says otherwise: medicines to the organisations that
# prescribe, dispense or administer them; devices to those that use them; anything else (a
# National Patient Safety Alert) to every kind that answers alerts.
_DISPENSING = [
    Kind.NHS_TRUST,
    Kind.FOUNDATION_TRUST,
    Kind.AMBULANCE_TRUST,
    Kind.INDEPENDENT_PROVIDER,
    Kind.GP_PRACTICE,
    Kind.COMMUNITY_PHARMACY,
]
DRAFT_KINDS = {
    **dict.fromkeys(
        (
            AlertType.RECALL_1,
            AlertType.RECALL_2,
            AlertType.RECALL_3,
            AlertType.NOTIFICATION_4,
            AlertType.SUPPLY,
            AlertType.DEAR_DOCTOR,
        ),
        _DISPENSING,
    ),
    AlertType.DEVICE: [*_DISPENSING[:4], Kind.GP_PRACTICE],
}
EVERY_KIND = sorted(SENIOR_SIGN_OFF)
RECALL_ACTION = "Quarantine the batches the recall names and return them to the supplier"


@dataclass
class Entry:
    """One entry of a feed, as an alert would be drafted from it."""

    entry_id: str
    title: str
    reference: str
    alert_type: str
    issuer: str
    issued_on: datetime.date
    summary: str
    link: str


@dataclass
class Reading:
    """What reading one feed did (or, dry, would do)."""

    url: str
    drafted: list[str] = field(default_factory=list)  # the references drafted
    known: int = 0
    notes: list[str] = field(default_factory=list)
    ok: bool = True

    @property
    def summary(self) -> str:
        if not self.ok:
            return f"{self.url}: could not be read ({'; '.join(self.notes)})"
        passed = f", {len(self.notes)} passed over" if self.notes else ""
        return f"{self.url}: {len(self.drafted)} drafted, {self.known} already recorded{passed}"


def fetch(url: str) -> bytes:
    """The feed's content, read within a time and a size limit (a server that sends it a
    trickle at a time is given up on too)."""
    started, content = time.monotonic(), b""
    with requests.get(
        url, timeout=TIMEOUT_SECONDS, stream=True, headers={"User-Agent": USER_AGENT}
    ) as response:
        response.raise_for_status()
        for chunk in response.iter_content(64 * 1024):
            content += chunk
            if len(content) > MAX_BYTES:
                raise ValueError(f"the feed is larger than {MAX_BYTES // (1024 * 1024)} MB")
            if time.monotonic() - started > TOTAL_SECONDS:
                raise ValueError(f"the feed took more than {TOTAL_SECONDS} seconds to read")
    return content


def entries(content: bytes, url: str) -> tuple[list[Entry], list[str]]:
    """The feed's entries that name a CAS reference, and a note for each passed over."""
    parsed = feedparser.parse(content)
    if parsed.bozo and not parsed.entries:
        raise ValueError(f"not a feed ({parsed.bozo_exception})")
    found, notes = [], []
    for item in parsed.entries:
        title = _text(item.get("title", ""))
        summary = _text(item.get("summary", ""))
        # The entry's own reference is in its title; its summary may name others (an alert it
        # replaces), so the summary is read only where the title names none.
        reference = _reference(title) or _reference(summary)
        if not reference:
            notes.append(f"{title or 'An entry with no title'}: no CAS reference")
            continue
        found.append(
            Entry(
                entry_id=(item.get("id") or item.get("link") or reference)[:500],
                title=title[:300],
                reference=reference,
                alert_type=_type(title, reference),
                issuer=_issuer(reference, url),
                issued_on=_issued_on(item),
                summary=(summary or title)[:10000],
                link=_web_address(item.get("link", ""))[:500],
            )
        )
    return found, notes


def read(content: bytes, url: str, *, dry_run: bool = False) -> Reading:
    """Draft an alert from each new entry of a feed's content (with ``dry_run``, say what it
    would draft)."""
    reading = Reading(url)
    found, reading.notes = entries(content, url)
    for entry in found:
        if _recorded(entry):
            reading.known += 1
            continue
        try:
            _draft(entry, dry_run=dry_run)
        except ValidationError as error:
            if _recorded(entry):  # meanwhile, by another reading (the hourly one, the button)
                reading.known += 1
                continue
            reading.notes.append(f"{entry.reference}: {' '.join(error.messages)}")
        else:
            reading.drafted.append(entry.reference)
    return reading


def read_feeds(urls=None, *, dry_run: bool = False) -> list[Reading]:
    """Read each feed (``settings.ALERT_FEEDS`` unless given): one that cannot be fetched or
    parsed is recorded as failed, and the others are still read."""
    readings = []
    for url in settings.ALERT_FEEDS if urls is None else urls:
        try:
            reading = read(fetch(url), url, dry_run=dry_run)
        except (requests.RequestException, ValueError) as error:
            logger.warning("alert feed %s could not be read: %s", url, error)
            reading = Reading(url, notes=[str(error)[:500]], ok=False)
        if not dry_run:
            FeedRead.objects.create(
                url=url[:500],
                ok=reading.ok,
                drafted=len(reading.drafted),
                known=reading.known,
                notes="\n".join(reading.notes),
            )
        readings.append(reading)
    return readings


def latest_readings(urls=None) -> list[FeedRead | str]:
    """The latest reading of each feed, or its address where it was never read."""
    found = []
    for url in settings.ALERT_FEEDS if urls is None else urls:
        found.append(FeedRead.objects.filter(url=url).first() or url)
    return found


def _draft(entry: Entry, *, dry_run: bool = False) -> Alert:
    due_on = services.default_deadline(entry.alert_type, entry.issued_on)
    actions = [{"description": RECALL_ACTION, "due_on": due_on}] if due_on else []
    alert = Alert(
        reference=entry.reference,
        title=entry.title,
        issuer=entry.issuer,
        alert_type=entry.alert_type,
        issued_on=entry.issued_on,
        summary=entry.summary,
        link=entry.link,
        applicable_kinds=DRAFT_KINDS.get(entry.alert_type, EVERY_KIND),
        feed_entry=entry.entry_id,
    )
    if dry_run:
        services.check_alert(alert, actions)
        return alert
    return services.alert_save(by=None, alert=alert, medicines=[], actions=actions)


def _recorded(entry: Entry) -> bool:
    return Alert.objects.filter(
        Q(feed_entry=entry.entry_id) | Q(reference=entry.reference)
    ).exists()


def _web_address(link: str) -> str:
    """The entry's link, if it is a web address (never ``javascript:`` or ``data:``)."""
    return link if urlsplit(link).scheme in ("http", "https") else ""


def _text(html: str) -> str:
    return " ".join(unescape(strip_tags(html)).split())


def _reference(text: str) -> str:
    for pattern in REFERENCES:
        if match := pattern.search(text):
            reference = validators.normalise_reference(match.group(0))
            return EL_SPACING.sub(r"EL (\1)A/", reference)
    return ""


def _type(title: str, reference: str) -> str:
    words = title.lower()
    for phrase, alert_type in TYPES:
        if phrase in words:
            return alert_type
    return AlertType.NATPSA if choices.NATPSA_REFERENCE.fullmatch(reference) else AlertType.OTHER


def _issuer(reference: str, url: str) -> str:
    if match := choices.NATPSA_REFERENCE.fullmatch(reference):
        return choices.NATPSA_ISSUERS.get(match["issuer"], choices.Issuer.NHS_ENGLAND)
    if MHRA_REFERENCE.match(reference):
        return choices.Issuer.MHRA
    return FEED_ISSUERS.get(urlsplit(url).hostname or "", choices.Issuer.MHRA)


def _issued_on(item) -> datetime.date:
    when = item.get("published_parsed") or item.get("updated_parsed")
    if not when:
        return timezone.localdate()
    moment = datetime.datetime(*when[:6], tzinfo=datetime.UTC)
    return timezone.localdate(moment)
