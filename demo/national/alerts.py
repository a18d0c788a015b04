"""National patient safety alerts at national scale, fictional: 300 published alerts over three
years, each with every applicable organisation's response and its answers to the actions,
loaded by set-based SQL (PostgreSQL). How far organisations have got depends on the alert's age
today (most old ones completed, a few past their deadlines; the newest mostly not yet
acknowledged); a Class 1 recall of six hours ago is in the hours the reminders chase. The
tallies the national views read are computed from the responses by one aggregate insert, and
each organisation's earliest deadline from them too, so they equal a live count. Repeatable
for a seed (the database's ``setseed``).
"""

import random
from datetime import timedelta

from django.db import connection
from django.utils import timezone

from demo.national.loaded import said, taken_with

TOTAL = 300
LOADED = "National alert"  # the title of every loaded alert begins so
# The kinds an alert applies to, and how often: every organisation, the trusts, primary care...
TRUSTS = ["nhs-trust", "foundation-trust", "ambulance-trust"]
AUDIENCES = [
    (None, 15),  # every kind
    (TRUSTS, 25),
    (["gp-practice", "pcn", "icb"], 20),
    (["community-pharmacy"], 15),
    ([*TRUSTS, "independent-provider"], 15),
    (["gp-practice", "community-pharmacy"], 10),
]
# Alert types, how often, and the days from issue to each action's deadline.
TYPES = [
    ("natpsa", 30, [(14, 60, 120), (28, 90, 180), (30, 30, 90)]),
    ("recall-1", 3, [(0,)]),
    ("recall-2", 12, [(2,)]),
    ("recall-3", 12, [(5,)]),
    ("notification-4", 18, [(14,)]),
    ("device", 10, [(28,), (28, 56)]),
    ("supply", 10, [(14,), (14, 42)]),
    ("dear-doctor", 5, [(28,)]),
]
# How far organisations have got, by the alert's age in days: the cumulative shares of new,
# acknowledged, in progress and completed responses (the rest decided it does not apply).
PROGRESS = [
    (1, (0.80, 0.95, 1.00, 1.00)),
    (7, (0.35, 0.65, 0.95, 0.95)),
    (30, (0.10, 0.25, 0.70, 0.90)),
    (180, (0.02, 0.06, 0.25, 0.80)),
    (None, (0.005, 0.015, 0.05, 0.80)),
]


# The notifications' topics (alerts/notices.py) that are about an alert or its response.
TOPICS = ("alert", "alert-response", "alert-action")


def not_loaded() -> dict[str, int]:
    """What loading the alerts again would replace that was not loaded here: alerts, and what
    emptying their table would take with them (demo.national.loaded)."""
    from alerts.models import Alert

    held = {"alerts": Alert.objects.exclude(title__startswith=LOADED).count()}
    return {name: count for name, count in held.items() if count} | taken_with(Alert)


def seed_alerts(total: int = TOTAL, seed: int = 2026) -> dict[str, int]:
    """``total`` published alerts with every applicable organisation's response, once a day
    (states and deadlines are by the alert's age today): a second run the same day adds
    nothing, one on a later day loads them in place of those loaded before, with the
    notifications about them. Refuses a database holding alerts it did not load. Needs
    PostgreSQL."""
    from alerts import services
    from alerts.models import Alert, AlertAction, AlertMedicine, OrganisationDeadline
    from demo.national.incidents import MEDICINES
    from organisations.choices import OrganisationKind

    loaded = Alert.objects.filter(title__startswith=LOADED)
    today = timezone.localdate()
    if held := not_loaded():
        raise RuntimeError(f"seed_national did not load these and would replace them: {said(held)}")
    if loaded.count() == total and not loaded.exclude(created_at__date=today).exists():
        if not OrganisationDeadline.objects.exists():  # loaded before deadlines were kept
            services.recount_deadlines()
        return alert_counts()
    if connection.vendor != "postgresql":
        raise RuntimeError("national alerts are loaded by set-based SQL: use PostgreSQL")
    # Every alert here is one loaded before: they, what hangs on them, and the notifications
    # about them go. The rest of the notifications' ledger is kept.
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE alerts_alert CASCADE")
        cursor.execute(
            "DELETE FROM notifications_notification WHERE topic = ANY(%s)", [list(TOPICS)]
        )
    rng = random.Random(seed + 2)
    now = timezone.now()
    alerts, plans = [], []
    for n in range(total):
        if n == 1:  # a Class 1 recall in the hours the reminders chase it
            alert_type, age, offsets = "recall-1", timedelta(hours=6), (0,)
        else:
            alert_type, _, deadlines = rng.choices(TYPES, weights=[t[1] for t in TYPES])[0]
            age = timedelta(hours=2) if n == 0 else timedelta(days=0.5 + (n - 2) * 1095 / total)
            offsets = rng.choice(deadlines)
        published = now - age
        issued = timezone.localdate(published)
        kinds = rng.choices(AUDIENCES, weights=[a[1] for a in AUDIENCES])[0][0]
        reference = (
            f"NatPSA/{issued.year}/{n:03d}/NHSPS"
            if alert_type == "natpsa"
            else f"BENCH/{issued.year}/{n:03d}"
        )
        alerts.append(
            Alert(
                reference=reference,
                title=f"{LOADED} {n}: {rng.choice(MEDICINES)[0]}",
                issuer="nhs-england" if alert_type == "natpsa" else "mhra",
                alert_type=alert_type,
                issued_on=issued,
                summary="Check the stock, tell the teams that prescribe it, record what was done.",
                applicable_kinds=kinds or list(OrganisationKind.values),
                created_at=now,
                published_at=published,
                notified_at=published,
            )
        )
        plans.append((issued, offsets))
    alerts = Alert.objects.bulk_create(alerts)
    AlertAction.objects.bulk_create(
        AlertAction(
            alert=alert,
            position=position,
            description=f"Action {position + 1}: check and act on {alert.reference}.",
            due_on=issued + timedelta(days=days),
        )
        for alert, (issued, offsets) in zip(alerts, plans, strict=True)
        for position, days in enumerate(offsets)
    )
    AlertMedicine.objects.bulk_create(
        AlertMedicine(alert=alert, name=alert.title.split(": ", 1)[1]) for alert in alerts
    )
    thresholds = " ".join(
        f"WHEN {'TRUE' if days is None else f'age < {days}'} THEN ARRAY{list(shares)}::float[]"
        for days, shares in PROGRESS
    )
    statements = [
        f"SELECT setseed({(seed % 1000) / 1000})",
        """CREATE TEMP TABLE national_alert AS
        SELECT a.id, a.published_at,
               ARRAY(SELECT jsonb_array_elements_text(a.applicable_kinds)) AS kinds,
               EXTRACT(EPOCH FROM now() - a.published_at) / 86400 AS age,
               array_agg(x.due_on ORDER BY x.position) AS due
        FROM alerts_alert a JOIN alerts_alertaction x ON x.alert_id = a.id
        GROUP BY a.id""",
        f"""CREATE TEMP TABLE national_response AS
        SELECT s.*, CASE WHEN u < c[1] THEN 'new' WHEN u < c[2] THEN 'acknowledged'
                         WHEN u < c[3] THEN 'in-progress' WHEN u < c[4] THEN 'completed'
                         ELSE 'not-applicable' END AS state
        FROM (
            SELECT b.id AS alert_id, o.id AS organisation_id, o.region, o.kind, b.published_at,
                   b.age, b.due, random() AS u, random() AS w,
                   floor(random() * cardinality(b.due))::int AS k,
                   CASE {thresholds} END AS c
            FROM national_alert b JOIN organisations_organisation o
              ON o.kind = ANY(b.kinds) AND (o.closed_on IS NULL OR o.closed_on >= CURRENT_DATE)
        ) s""",  # noqa: S608 (the thresholds are the constants above)
        # The earliest deadline of the unfinished actions while open: an in-progress response
        # has done its first k actions (deadlines rise with the position).
        """INSERT INTO alerts_alertresponse (alert_id, organisation_id, region, kind, state,
            next_due_on, acknowledged_at, rationale, signed_off_at, sign_off_note, completed_at)
        SELECT alert_id, organisation_id, region, kind, state,
               CASE WHEN state IN ('new', 'acknowledged') THEN due[1]
                    WHEN state = 'in-progress' THEN due[k + 1]
                    ELSE DATE '9999-12-31' END,
               CASE WHEN state <> 'new'
                    THEN published_at + w * LEAST(age, 3) * INTERVAL '1 day' END,
               CASE WHEN state = 'not-applicable' THEN 'We do not stock or use it.' ELSE '' END,
               CASE WHEN state = 'completed'
                    THEN published_at + LEAST(age, 3 + w * 40) * INTERVAL '1 day' END,
               '',
               CASE WHEN state IN ('completed', 'not-applicable')
                    THEN published_at + LEAST(age, 3 + w * 40) * INTERVAL '1 day' END
        FROM national_response ORDER BY alert_id, organisation_id""",
        """INSERT INTO alerts_alertactionresponse (response_id, action_id, state, evidence,
            done_on)
        SELECT r.id, x.id, d.state,
               CASE WHEN d.state = 'done' THEN 'Done: see the checklist.' ELSE '' END,
               CASE WHEN d.state = 'done' THEN r.acknowledged_at::date END
        FROM alerts_alertresponse r
        JOIN national_response t
          ON t.alert_id = r.alert_id AND t.organisation_id = r.organisation_id
        JOIN alerts_alertaction x ON x.alert_id = r.alert_id
        CROSS JOIN LATERAL (SELECT CASE
            WHEN r.state = 'completed' THEN 'done'
            WHEN r.state = 'in-progress' AND x.position < t.k THEN 'done'
            WHEN r.state = 'in-progress' AND x.position = t.k THEN 'in-progress'
            ELSE 'to-do' END AS state) d""",
        # The tallies, from the responses themselves: one aggregate insert.
        """INSERT INTO alerts_alerttally (alert_id, region, kind, state, next_due_on, count)
        SELECT alert_id, region, kind, state, next_due_on, count(*)
        FROM alerts_alertresponse GROUP BY 1, 2, 3, 4, 5""",
        "DROP TABLE national_response, national_alert",
        # As autovacuum leaves a table after a bulk load: its statistics read and its
        # visibility map set, so that index-only scans need not visit the rows.
        "VACUUM ANALYZE alerts_alert, alerts_alertaction, alerts_alertresponse, "
        "alerts_alertactionresponse, alerts_alerttally",
    ]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    services.recount_deadlines()  # each organisation's earliest deadline, from the responses
    return alert_counts()


def alert_counts() -> dict[str, int]:
    from alerts.models import Alert, AlertActionResponse, AlertResponse

    return {
        "alerts": Alert.objects.count(),
        "alert responses": AlertResponse.objects.count(),
        "alert action answers": AlertActionResponse.objects.count(),
    }
