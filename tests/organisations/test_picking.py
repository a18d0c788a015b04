"""Choosing one member among many (core PickedFrom, organisations/picking.py): a list while the
organisation is small, else a text box for the email address that suggests members by name,
asked only by those whose forms offer the choice."""

import pytest
from django.urls import reverse

from core.nhsuk_forms.fields import PickedFrom
from improvement.models import Project
from organisations.choices import Role
from tests.factories import member
from tests.improvement.test_projects import project_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(monkeypatch):
    """Organisations count as large from their second member."""
    monkeypatch.setattr(PickedFrom, "LIST_UP_TO", 1)


def suggestions(trust):
    return reverse("organisations:member_suggestions", args=[trust.ods_code])


def test_a_small_organisation_lists_its_members(client_for, trust, mso):
    member(trust, Role.STAFF)
    page = client_for(mso).get(reverse("improvement:project_create", args=[trust.ods_code]))
    assert '<select class="nhsuk-select' in page.text and 'name="lead"' in page.text
    assert "data-row-picker" not in page.text


def test_a_large_one_asks_for_a_name_and_takes_an_email_address(
    many, client_for, trust, mso, other_mso
):
    lead = member(trust, Role.STAFF, full_name="Priya Patel", email="priya.patel@trust.example")
    url = reverse("improvement:project_create", args=[trust.ods_code])
    client = client_for(mso)
    page = client.get(url).text
    assert f'data-row-picker="{suggestions(trust)}"' in page
    assert "Type their name and choose them from the list" in page
    assert "<option" not in page.split('name="lead"')[0].rsplit("<div", 1)[-1]

    refused = client.post(url, {**project_data(lead), "lead": other_mso.email})
    assert refused.status_code == 200  # not a member here: refused, what was typed kept
    assert refused.context["form"].errors["lead"] == ["Choose who leads the project"]
    assert f'value="{other_mso.email}"' in refused.text
    assert not Project.objects.exists()

    saved = client.post(url, {**project_data(lead), "lead": " Priya.Patel@Trust.example "})
    assert saved.status_code == 302
    project = Project.objects.get()
    assert project.lead == lead
    # Changing it shows the email address of the one chosen, not a number.
    change = client.get(reverse("improvement:project_update", args=[trust.ods_code, project.pk]))
    assert 'value="priya.patel@trust.example"' in change.text


def test_members_are_suggested_by_name_or_email(client_for, trust, mso, other_mso):
    priya = member(trust, Role.STAFF, full_name="Priya Patel", email="pp@trust.example")
    member(trust, Role.STAFF, full_name="Sam Jones", email="sam@trust.example")
    member(other_mso.memberships.get().organisation, Role.STAFF, full_name="Priya Other")
    client = client_for(mso)
    answer = client.get(suggestions(trust), {"q": "priya"}).json()
    label = "Priya Patel (pp@trust.example)"
    assert answer == {"results": [{"value": priya.email, "label": label}]}
    assert client.get(suggestions(trust), {"q": "sam@"}).json()["results"][0]["value"] == (
        "sam@trust.example"
    )
    assert client.get(suggestions(trust), {"q": "p"}).json() == {"results": []}  # too short


def test_only_those_whose_forms_choose_a_member_may_ask(
    assert_access, trust, mso, staff, other_mso
):
    assert_access(suggestions(trust), allowed=mso, wrong_role=staff, other_organisation=other_mso)


def test_at_most_twenty_suggestions(client_for, trust, mso):
    for n in range(25):
        member(trust, Role.STAFF, full_name=f"Alex {n}", email=f"alex{n}@trust.example")
    assert len(client_for(mso).get(suggestions(trust), {"q": "alex"}).json()["results"]) == 20
