import datetime

import pytest

from alerts import services
from alerts.models import (
    NO_DEADLINE,
    Alert,
    AlertActionResponse,
    AlertResponse,
    AlertTally,
    OrganisationDeadline,
)
from organisations.choices import OrganisationKind

ISSUED = datetime.date(2026, 11, 2)


def draft(by, *, reference="NatPSA/2026/004/NHSPS", actions=None, **fields):
    alert = Alert(
        reference=reference,
        title="Oral methotrexate: weekly doses given daily",
        issuer="nhs-england",
        alert_type=fields.pop("alert_type", "natpsa"),
        issued_on=fields.pop("issued_on", ISSUED),
        summary="Methotrexate is taken once a week. Daily doses have caused deaths.",
        applicable_kinds=fields.pop(
            "applicable_kinds", [OrganisationKind.NHS_TRUST, OrganisationKind.FOUNDATION_TRUST]
        ),
        **fields,
    )
    return services.alert_save(
        by=by,
        alert=alert,
        medicines=[{"name": "Methotrexate", "dmd_code": ""}],
        actions=actions
        if actions is not None
        else [
            {
                "description": "Check that prescribing systems default to weekly",
                "due_on": ISSUED + datetime.timedelta(30),
            },
            {
                "description": "Give patients the methotrexate leaflet",
                "due_on": ISSUED + datetime.timedelta(60),
            },
        ],
    )


def live_tallies(alert) -> dict:
    """The tallies as a live count of the responses would give them."""
    from django.db.models import Count

    return {
        (row["region"], row["kind"], row["state"], row["next_due_on"]): row["n"]
        for row in AlertResponse.objects.filter(alert=alert)
        .values("region", "kind", "state", "next_due_on")
        .annotate(n=Count("pk"))
        .order_by()
    }


def kept_tallies(alert) -> dict:
    return {
        (t.region, t.kind, t.state, t.next_due_on): t.count
        for t in AlertTally.objects.filter(alert=alert)
        if t.count
    }


def assert_tallies_are_live(alert):
    assert kept_tallies(alert) == live_tallies(alert)


def live_deadlines() -> dict:
    """Each organisation's earliest open deadline, as a live minimum over the responses."""
    from django.db.models import Min

    return dict(
        AlertResponse.objects.open()
        .values_list("organisation_id")
        .annotate(earliest=Min("next_due_on"))
        .order_by()
    )


def assert_deadlines_are_live():
    kept = {
        row.organisation_id: row.next_due_on
        for row in OrganisationDeadline.objects.exclude(next_due_on=NO_DEADLINE)
    }
    live = {pk: due for pk, due in live_deadlines().items() if due != NO_DEADLINE}
    assert kept == live


@pytest.fixture
def natpsa(lead):
    return draft(lead)


@pytest.fixture
def published(natpsa, lead, trust, other_trust, mso, other_mso, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.alert_publish(by=lead, alert=natpsa)
    natpsa.refresh_from_db()
    return natpsa


@pytest.fixture
def response(published, trust):
    return AlertResponse.objects.get(alert=published, organisation=trust)


@pytest.fixture
def other_response(published, other_trust):
    return AlertResponse.objects.get(alert=published, organisation=other_trust)


@pytest.fixture
def answer(response):
    return AlertActionResponse.objects.filter(response=response).first()


def answers(response):
    return list(AlertActionResponse.objects.filter(response=response).select_related("action"))


def finish(by, response, owner, on=ISSUED + datetime.timedelta(days=5)):
    """Every action of ``response`` done by ``owner``, on ``on``."""
    for answer in answers(response):
        services.action_response_save(
            by=by, answer=answer, owner=owner, state="done", evidence="Done", done_on=on
        )
