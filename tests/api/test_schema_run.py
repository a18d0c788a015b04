"""The API against its own OpenAPI schema (schemathesis): requests generated from the schema,
well-formed and not, to every operation with a token holding every scope, of a person who
reaches something through each call. No answer may be a server error, and every answer must
be one the schema describes: its status, its content type and its body."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from networks.models import NetworkMembership
from organisations.choices import Post
from tests.conftest import api_token
from tests.factories import NetworkFactory, post_holder
from tests.incidents.conftest import report

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(db, trust, staff, answer, approved_report):
    """The schema, read from the application as a server would call it; the database
    connection kept open between calls, as Django's test client keeps it, so that every call
    runs within the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def everything(trust, staff, mso, answer, approved_report, chair):
    """A token of someone who reaches something through every call: the national network's
    lead, who is also the MSO's colleague on the safety team and sits on the committee."""
    person = chair
    NetworkMembership.objects.create(
        network=NetworkFactory(), user=person, role=NetworkMembership.Role.LEAD
    )
    post_holder(trust, Post.DEPUTY_MSO, user=person)
    report(trust, staff)
    _token, secret = api_token(person)
    return {"Authorization": f"Bearer {secret}"}


def test_every_answer_is_in_the_schema(api_schema, everything, trust):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 11
    for operation in operations:
        generated_calls(operation, headers=everything, organisation=trust.ods_code)()


def generated_calls(operation, *, headers, organisation):
    """The operation called with requests generated from its schema; a report is made for the
    organisation the token's person is in, not for one nobody knows."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=25,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        if operation.method.upper() == "POST" and isinstance(case.body, dict):
            case.body["organisation"] = organisation
        case.call_and_validate(headers=headers, checks=CHECKS)

    return run


def test_a_report_accepted_is_in_the_schema(api_schema, everything, trust):
    from tests.api.test_api_access import body

    operation = api_schema["/api/v1/incidents/"]["POST"]
    case = operation.Case(body=body(trust), media_type="application/json")
    response = case.call_and_validate(headers=everything, checks=CHECKS)
    assert response.status_code == 201
