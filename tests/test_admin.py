import pytest
from django.contrib import admin
from django.urls import reverse

from organisations.models import Organisation

pytestmark = pytest.mark.django_db

PROJECT_APPS = {"accounts", "organisations", "networks"}


def test_every_project_model_is_in_the_admin():
    from django.apps import apps

    for app in PROJECT_APPS:
        for model in apps.get_app_config(app).get_models():
            assert admin.site.is_registered(model), model


def test_site_administrators_use_every_admin_page(client_for, site_admin, trust):
    client = client_for(site_admin)
    for model in admin.site._registry:
        if model._meta.app_label in PROJECT_APPS:
            prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
            assert client.get(reverse(f"{prefix}_changelist")).status_code == 200
            can_add = admin.site._registry[model].has_add_permission(_request(site_admin))
            assert client.get(reverse(f"{prefix}_add")).status_code == (200 if can_add else 403)


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def test_invitations_are_not_added_in_the_admin(client_for, site_admin):
    """An invitation needs its emailed token: the members page sends them."""
    response = client_for(site_admin).get(reverse("admin:organisations_invitation_add"))
    assert response.status_code == 403


def test_a_user_page_shows_their_memberships(client_for, site_admin, mso, trust):
    response = client_for(site_admin).get(reverse("admin:accounts_user_change", args=[mso.pk]))
    assert response.status_code == 200
    assert trust.name in response.text


def test_other_people_are_kept_out(mso_client):
    response = mso_client.get(reverse("admin:index"))
    assert response.status_code == 302


def test_an_invalid_ods_code_is_explained_and_nothing_saved(client_for, site_admin):
    response = client_for(site_admin).post(
        reverse("admin:organisations_organisation_add"),
        {
            "ods_code": "R-1",
            "name": "Bad Code Trust",
            "kind": "nhs-trust",
            "region": "london",
            "appointments-TOTAL_FORMS": "0",
            "appointments-INITIAL_FORMS": "0",
            "memberships-TOTAL_FORMS": "0",
            "memberships-INITIAL_FORMS": "0",
            "child_links-TOTAL_FORMS": "0",
            "child_links-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "Enter an ODS code of 3 to 6 letters and numbers" in response.text
    assert not Organisation.objects.filter(name="Bad Code Trust").exists()
