"""The schema and its docs are open to everyone and say what the API is, never what it holds;
any other address under the API answers 404 in the API's own shape."""

import pytest
from django.urls import reverse

from tests.access import missing_proofs
from tests.test_urls import ROUTES


@pytest.mark.django_db
def test_the_schema_lists_every_call(assert_public):
    response = assert_public(reverse("api:schema"))
    text = response.content.decode()
    assert text.startswith("openapi: 3")
    for path in (
        "/api/v1/register/",
        "/api/v1/organisations/{ods_code}/",
        "/api/v1/incidents/{reference}/",
        "/api/v1/alert-actions/{id}/",
        "/api/v1/reports/{id}/",
    ):
        assert f"{path}:" in text
    assert "bearer" in text and "no_such_call" not in text and "anything" not in text


@pytest.mark.django_db
def test_the_docs_are_drawn_from_the_schema_without_inline_script(assert_public):
    response = assert_public(reverse("api:docs"))
    assert "<script src=" in response.text and "<script>" not in response.text
    script = assert_public(reverse("api:docs") + "?script=")
    assert reverse("api:schema") in script.text


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_an_unknown_call_is_a_404_in_the_apis_shape(assert_public, method):
    response = assert_public("/api/v1/alert-actions/-15/", method=method, ok=404)
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["code"] == "not_found"


def test_the_access_proof_asks_an_api_call_for_its_scope_and_the_other_organisation():
    route = [entry for entry in ROUTES if entry[1] == "api:incident"]
    proven = {("api:incident", "GET"): {"anonymous", "allowed"}}
    assert missing_proofs(proven, route) == ["GET api:incident: other organisation, scope"]
