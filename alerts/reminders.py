"""What alerts have due, for the reminder engine (notifications.registry), each sent once by
its ledger. Registered in apps.py. "The MSO" is the organisation's MSO and deputy MSO, or for
one without either, the nearest MSO who covers it (organisations.reminders.managers).

- a published alert, to each organisation's MSO and Patient Safety Specialists
  (``publishing_notices``: the fan-out after publishing, and in the sweep for any alert whose
  fan-out did not finish);
- not acknowledged 2 working days after publishing (to the hour), to the MSO;
- an action's deadline in 14, 7 and 1 days, to its owner (the MSO while it has none);
- an action's deadline passed, to its owner and the MSO, and 3 days later the board director;
- a response whose actions are all finished, to whoever signs it off; signed off, to the MSO;
- sent back by whoever signs it off, not assured, to its lead and the MSO; asked for sign-off
  again once put right, to whoever signs it off (each time: the kinds are numbered);
- a finished response not yet recorded as closed in CAS, to the MSO, in the week before the
  alert's last deadline.

Escalation follows the alert's own deadlines: a Class 1 recall's actions are due the day it is
issued (choices.RECALL_DEADLINE), so its reminders come that day and its escalation from
them; no national rule sets an hour by which a recall is acknowledged, so none is invented.

Each reminder names the alert and the organisation; none carries the evidence.
"""

from datetime import timedelta

from django.db.models import Max, Q
from django.utils import timezone

from core.working_days import working_days_after
from notifications.registry import WHEN, Reminder, falling_due
from organisations.choices import SENIOR_SIGN_OFF, Post
from organisations.reminders import holders, managers

from . import choices
from .choices import ResponseState
from .models import Alert, AlertActionResponse, AlertResponse

ACKNOWLEDGE_WITHIN_WORKING_DAYS = 2
DIRECTOR_AFTER_OVERDUE_DAYS = 3
# Fan-outs still unfinished this long after publishing are finished by the sweep.
FAN_OUT_GRACE = timedelta(minutes=10)
CHUNK = 2000
# Who gives a response senior sign-off (organisations.choices.SENIOR_SIGN_OFF, and the board
# director wherever there is one).
SIGNING_POSTS = sorted({Post.BOARD_DIRECTOR, *SENIOR_SIGN_OFF.values()})
SENIOR_LEADS = [post for post in SIGNING_POSTS if post != Post.BOARD_DIRECTOR]


def _url(alert_id, ods_code) -> str:
    from django.urls import reverse

    return reverse("alerts:response", kwargs={"alert_id": alert_id, "ods_code": ods_code})


def _responses(queryset):
    """(response id, alert id, organisation id, ODS code) of responses, read in chunks."""
    return queryset.values_list("pk", "alert_id", "organisation_id", "organisation__ods_code")


def _to_managers(rows, on, make, *, also=()):
    """For rows of (response id, alert id, organisation id, ODS code), a reminder from
    ``make(row, recipient)`` to each of the organisation's managers, and the holders of the
    posts ``also``, a chunk at a time."""
    rows = iter(rows)
    while chunk := [row for _, row in zip(range(CHUNK), rows, strict=False)]:
        organisations = [row[2] for row in chunk]
        told = managers(organisations, on)
        others = holders(organisations, also, on) if also else {}
        for row in chunk:
            for recipient in dict.fromkeys([*told.get(row[2], []), *others.get(row[2], [])]):
                yield make(row, recipient)


def publishing_notices(alert: Alert, on=None):
    """A published alert, to the MSO and the Patient Safety Specialists of each organisation it
    reached, and for a medical device alert its Medical Devices Safety Officer."""
    on = on or timezone.localdate()
    what = alert.get_alert_type_display()

    def make(row, recipient):
        return Reminder(
            subject=f"alert-response:{row[0]}",
            kind="published",
            due_on=alert.issued_on,
            recipient_id=recipient,
            title=f"New alert: {alert.reference} {alert.title}"[:200],
            body=(
                f"{what} {alert.reference}, issued on {alert.issued_on:%-d %B %Y}: "
                f"{alert.title}. Acknowledge it and decide whether it applies."
            ),
            url=_url(alert.pk, row[3]),
        )

    rows = _responses(AlertResponse.objects.filter(alert=alert)).iterator(chunk_size=CHUNK)
    # The senior lead where there is no board (a pharmacy's superintendent, a practice's GP
    # partner or practice manager, a PCN's clinical director, a registered manager) answers for
    # the organisation with its MSO, or with whoever covers it.
    also = [Post.PATIENT_SAFETY_SPECIALIST, *SENIOR_LEADS]
    if alert.alert_type == choices.AlertType.DEVICE:
        also.append(Post.MDSO)  # the Medical Devices Safety Officer, beside the MSO
    yield from _to_managers(rows, on, make, also=also)


def _to_signers(response: AlertResponse, on, **said):
    """A reminder about the response to each who signs it off there (never its lead)."""
    signers = holders([response.organisation_id], SIGNING_POSTS, on)
    for recipient in signers.get(response.organisation_id, []):
        if recipient == response.lead_id:
            continue
        yield Reminder(
            subject=f"alert-response:{response.pk}",
            due_on=on,
            recipient_id=recipient,
            url=_url(response.alert_id, response.organisation.ods_code),
            **said,
        )


def waiting_for_sign_off(response: AlertResponse, on=None):
    """A response whose every action is finished, to whoever signs it off (never its lead):
    once a day at most, by the ledger."""
    alert = response.alert
    yield from _to_signers(
        response,
        on or timezone.localdate(),
        kind="waiting-for-sign-off",
        title=f"Waiting for your sign-off: {alert.reference}",
        body=(
            f"Every action of {alert.reference}, {alert.title}, is done or not needed "
            "here. Read what was done and sign the response off."
        ),
    )


def sign_off_asked(response: AlertResponse, times: int, on=None):
    """A response sent back and put right, to whoever signs it off, when the responders ask
    again: the ``times``-th asking, so each is sent, once."""
    alert = response.alert
    yield from _to_signers(
        response,
        on or timezone.localdate(),
        kind=f"sign-off-asked-{times}",
        title=f"Waiting for your sign-off again: {alert.reference}",
        body=(
            f"The response to {alert.reference}, {alert.title}, was sent back, and its "
            "responders ask for sign-off again. Read what they did and sign it off, or send "
            "it back."
        ),
    )


def sent_back(response: AlertResponse, times: int, on=None):
    """A response sent back by whoever signs it off, to its lead and the MSO: the ``times``-th
    sending back, so each is sent, once. The signer's note is on the response's page, not in
    the email (no reminder carries what was done or its evidence)."""
    on = on or timezone.localdate()
    alert = response.alert
    by = response.sent_back_by
    who = (by.full_name or by.email) if by else "Whoever signs it off"

    def make(row, recipient):
        return Reminder(
            subject=f"alert-response:{row[0]}",
            kind=f"sent-back-{times}",
            due_on=on,
            recipient_id=recipient,
            title=f"Sent back, not signed off: {alert.reference}",
            body=(
                f"{who} did not sign off the response to {alert.reference}, {alert.title}, "
                "and says what is needed on its page. Put it right, then ask for sign-off "
                "again there."
            ),
            url=_url(alert.pk, row[3]),
        )

    row = (response.pk, alert.pk, response.organisation_id, response.organisation.ods_code)
    told = [
        reminder
        for reminder in _to_managers([row], on, make)
        if reminder.recipient_id != response.sent_back_by_id
    ]
    lead = response.lead_id
    if lead and lead != response.sent_back_by_id and lead not in {r.recipient_id for r in told}:
        told.append(make(row, lead))
    yield from told


def signed_off(response: AlertResponse, on=None):
    """A response signed off, to the MSO, who declares it complete."""
    on = on or timezone.localdate()
    alert = response.alert

    def make(row, recipient):
        return Reminder(
            subject=f"alert-response:{row[0]}",
            kind="signed-off",
            due_on=on,
            recipient_id=recipient,
            title=f"Signed off: {alert.reference}",
            body=(
                f"{alert.reference}, {alert.title}, is signed off: declare the response "
                "complete, then close it in CAS."
            ),
            url=_url(alert.pk, row[3]),
        )

    row = (response.pk, alert.pk, response.organisation_id, response.organisation.ods_code)
    yield from _to_managers([row], on, make)


# An organisation is told to close a finished response in CAS this long before the alert's
# last deadline (and on any sweep after it, once).
CAS_CLOSURE_NOTICE = timedelta(days=7)


def cas_closure_due(on):
    """A finished response not yet recorded as closed in the Central Alerting System, to the
    MSO, once: in the week before the alert's last deadline (its issue day when it has none),
    the week CAS closure is due. Only the alerts whose last deadline falls in the coming week
    are read, so a sweep reads a few alerts' finished responses, not every one ever made."""
    last = {}
    for alert_id, issued_on, due_on in (
        Alert.objects.published()
        .filter(issued_on__gte=on - timedelta(days=400))
        .annotate(last_due=Max("actions__due_on"))
        .values_list("pk", "issued_on", "last_due")
    ):
        deadline = due_on or issued_on
        if on <= deadline <= on + CAS_CLOSURE_NOTICE:
            last[alert_id] = deadline
    if not last:
        return
    finished = AlertResponse.objects.filter(
        alert_id__in=last,
        state__in=(ResponseState.COMPLETED, ResponseState.NOT_APPLICABLE),
        cas_closed_on__isnull=True,
    )
    references = dict(Alert.objects.filter(pk__in=last).values_list("pk", "reference"))

    def make(row, recipient):
        return Reminder(
            subject=f"alert-response:{row[0]}",
            kind="cas-closure-due",
            due_on=last[row[1]],
            recipient_id=recipient,
            title=f"Close it in CAS: {references[row[1]]}",
            body=(
                f"The response to {references[row[1]]} is finished here. Close the alert in "
                "the Central Alerting System, then record the day on its page."
            ),
            url=_url(row[1], row[3]),
        )

    yield from _to_managers(_responses(finished).iterator(chunk_size=CHUNK), on, make)


def unfinished_fan_outs(on):
    cutoff = timezone.now() - FAN_OUT_GRACE
    for alert in Alert.objects.published().filter(
        notified_at__isnull=True, published_at__lt=cutoff
    ):
        yield from publishing_notices(alert, on)
        Alert.objects.filter(pk=alert.pk).update(notified_at=timezone.now())


def acknowledge_by(published_at):
    """When a response not acknowledged yet is reminded: 2 working days after publishing, to the
    hour (published on Thursday at 10:00, reminded at Monday's first sweep after 10:00)."""
    published = timezone.localtime(published_at)
    day = working_days_after(published.date(), ACKNOWLEDGE_WITHIN_WORKING_DAYS)
    return published.replace(year=day.year, month=day.month, day=day.day)


def not_acknowledged(on):
    """Responses still new 2 working days after their alert was published, to the MSO."""
    now, due = timezone.now(), {}
    for alert in Alert.objects.published().filter(published_at__gte=now - timedelta(days=120)):
        deadline = acknowledge_by(alert.published_at)
        if deadline <= now:
            due[alert.pk] = (alert, deadline.date())
    if not due:
        return
    waiting = AlertResponse.objects.filter(alert_id__in=due, state=ResponseState.NEW)

    def make(row, recipient):
        alert, deadline = due[row[1]]
        return Reminder(
            subject=f"alert-response:{row[0]}",
            kind="not-acknowledged",
            due_on=deadline,
            recipient_id=recipient,
            title=f"Not acknowledged: {alert.reference}",
            body=(
                f"{alert.reference}, {alert.title}, was sent on "
                f"{timezone.localdate(alert.published_at):%-d %B %Y} and is not acknowledged "
                "yet. Acknowledge it and decide whether it applies."
            ),
            url=_url(alert.pk, row[3]),
        )

    yield from _to_managers(_responses(waiting).iterator(chunk_size=CHUNK), on, make)


def _deadline_kinds(days_left: int) -> list[str]:
    """The reminders an action is due by the days left: one of 14, 7 and 1 days before; once
    past, "overdue" and, from 3 days past, "overdue-3-days" (the board director's) as well, so
    a sweep that first sees it late still sends each."""
    if days_left < 0:
        return [
            "overdue",
            *(["overdue-3-days"] if days_left <= -DIRECTOR_AFTER_OVERDUE_DAYS else []),
        ]
    for kind, within in (("due-tomorrow", 1), ("due-in-7-days", 7), ("due-in-14-days", 14)):
        if days_left <= within:
            return [kind]
    return []


def action_deadlines(on):
    """Each unfinished action of an open response, before and after its deadline."""
    answers = (
        AlertActionResponse.objects.filter(
            response__state__in=choices.OPEN_STATES,
            action__due_on__lte=on + timedelta(days=14),
        )
        .open()
        .filter(Q(response__alert__published_at__isnull=False))
        .values_list(
            "pk",
            "owner_id",
            "action__due_on",
            "action__description",
            "response__alert_id",
            "response__alert__reference",
            "response__organisation_id",
            "response__organisation__ods_code",
        )
        .order_by("response__organisation_id")
        .iterator(chunk_size=CHUNK)
    )
    # One organisation's response pages, by alert (an organisation's rows come together).
    urls, urls_of = {}, None
    while chunk := [row for _, row in zip(range(CHUNK), answers, strict=False)]:
        organisations = {row[6] for row in chunk}
        told = managers(organisations, on)
        directors = holders(organisations, SIGNING_POSTS, on)  # whoever signs off
        for pk, owner, due_on, description, alert_id, reference, organisation, ods in chunk:
            if ods != urls_of:
                urls, urls_of = {}, ods
            if alert_id not in urls:
                urls[alert_id] = _url(alert_id, ods)
            owners = [owner] if owner else told.get(organisation, [])
            recipients = {
                "overdue": [*owners, *told.get(organisation, [])],
                "overdue-3-days": directors.get(organisation, []),
            }
            yield from falling_due(
                on,
                subject=f"alert-action:{pk}",
                due_on=due_on,
                recipients=lambda kind, recipients=recipients, owners=owners: recipients.get(
                    kind, owners
                ),
                title=f"an action of {reference}",
                body=f"An action of alert {reference} {WHEN}: {description[:200]}",
                url=urls[alert_id],
                kinds=_deadline_kinds,
            )


# What the reminder sweep asks for what is due (registered by the app: organisations.features).
def drafted_from_feeds(on):
    """Each draft an alert feed gave (alerts/feeds.py), to the national patient safety team
    (the leads of the national Patient Safety Specialist network), once: it waits for them to
    check who it applies to and its actions, and publish it."""
    from django.urls import reverse

    from networks.models import Network, national_leads

    drafts = list(
        Alert.objects.drafts()
        .exclude(feed_entry="")
        .filter(created_at__date__lte=on)
        .values_list("pk", "reference", "title", "created_at")
    )
    if not drafts:
        return
    team = list(national_leads(Network.Community.SPECIALISTS))
    for pk, reference, title, created_at in drafts:
        for recipient in team:
            yield Reminder(
                subject=f"alert:{pk}",
                kind="drafted-from-feed",
                due_on=timezone.localdate(created_at),
                recipient_id=recipient,
                title=f"To check and publish: {reference}, from the alert feed",
                body=f"{title}. Check who it applies to, its actions and medicines, then "
                "publish it.",
                url=reverse("alerts:detail", args=[pk]),
            )


PROVIDERS = [
    unfinished_fan_outs,
    not_acknowledged,
    action_deadlines,
    cas_closure_due,
    drafted_from_feeds,
]
