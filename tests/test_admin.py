import pytest
from auditlog.models import LogEntry
from django.contrib import admin
from django.urls import reverse

from organisations.choices import RelationshipKind
from organisations.models import (
    Appointment,
    Invitation,
    Membership,
    Organisation,
    OrganisationClosure,
    OrganisationRelationship,
)
from tests.factories import OrganisationFactory, RelationshipFactory, UserFactory

pytestmark = pytest.mark.django_db

PROJECT_APPS = {"accounts", "organisations", "networks", "notifications"}
# Members, named posts and invitations are managed on the organisation's pages, where the
# one-MSO, manager and membership rules and their locks apply; the reach table is derived.
READ_ONLY = {Membership, Appointment, Invitation, OrganisationClosure}


INLINES = {
    f"{prefix}-{field}": value
    for prefix in ("appointments", "memberships", "child_links")
    for field, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
}


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_project_model_is_in_the_admin():
    from django.apps import apps

    for app in PROJECT_APPS:
        for model in apps.get_app_config(app).get_models():
            assert admin.site.is_registered(model), model


def test_every_admin_writes_through_services_or_not_at_all():
    from core.admin import ServiceAdmin

    for model, model_admin in admin.site._registry.items():
        assert isinstance(model_admin, ServiceAdmin), model


def test_site_administrators_use_every_admin_page(client_for, site_admin, trust):
    client = client_for(site_admin)
    assert client.get(reverse("admin:index")).status_code == 200
    for model, model_admin in admin.site._registry.items():
        assert client.get(admin_url(model, "changelist")).status_code == 200, model
        can_add = model_admin.has_add_permission(_request(site_admin))
        assert client.get(admin_url(model, "add")).status_code == (200 if can_add else 403)


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request


@pytest.mark.parametrize("model", sorted(READ_ONLY, key=str))
def test_rule_bearing_models_are_read_only_here(model, site_admin):
    model_admin = admin.site._registry[model]
    request = _request(site_admin)
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


@pytest.mark.parametrize("model", [Organisation, *sorted(READ_ONLY, key=str)], ids=str)
def test_nothing_is_deleted_that_the_services_do_not_delete(model, site_admin):
    assert not admin.site._registry[model].has_delete_permission(_request(site_admin))


def test_a_signed_in_person_who_is_not_an_administrator_gets_403(mso_client, client_for, trust):
    """Found on review: /admin/ looped between redirects for them."""
    for client in (mso_client, client_for(UserFactory(is_superuser=True))):
        response = client.get(reverse("admin:index"))
        assert response.status_code == 403
        assert client.get(admin_url(Organisation, "changelist")).status_code == 403


def test_an_organisation_is_added_through_the_service_and_audited(client_for, site_admin):
    response = client_for(site_admin).post(
        admin_url(Organisation, "add"),
        {
            "ods_code": "rx9",
            "name": "New Trust",
            "kind": "nhs-trust",
            "region": "london",
            **INLINES,
        },
    )
    assert response.status_code == 302
    organisation = Organisation.objects.get(ods_code="RX9")
    entry = LogEntry.objects.get_for_object(organisation).get()
    assert entry.actor == site_admin
    assert entry.remote_addr == "127.0.0.1"


def test_an_invalid_ods_code_is_explained_and_nothing_saved(client_for, site_admin):
    response = client_for(site_admin).post(
        admin_url(Organisation, "add"),
        {
            "ods_code": "R-1",
            "name": "Bad Code Trust",
            "kind": "nhs-trust",
            "region": "london",
            **INLINES,
        },
    )
    assert response.status_code == 200
    assert "Enter an ODS code of 3 to 6 letters and numbers" in response.text
    assert not Organisation.objects.filter(name="Bad Code Trust").exists()


def test_a_link_that_goes_round_in_a_circle_is_explained_on_the_form(client_for, site_admin):
    a, b = OrganisationFactory(), OrganisationFactory()
    RelationshipFactory(parent=a, child=b)
    response = client_for(site_admin).post(
        admin_url(OrganisationRelationship, "add"),
        {"parent": b.pk, "child": a.pk, "kind": RelationshipKind.PART_OF, "start_on": "2026-01-01"},
    )
    assert response.status_code == 200
    assert "go round in a circle" in response.text
    assert OrganisationRelationship.objects.count() == 1


def test_a_link_added_here_reaches_through_the_reach_table(client_for, site_admin):
    a, b = OrganisationFactory(), OrganisationFactory()
    client_for(site_admin).post(
        admin_url(OrganisationRelationship, "add"),
        {"parent": a.pk, "child": b.pk, "kind": RelationshipKind.PART_OF, "start_on": "2026-01-01"},
    )
    assert OrganisationClosure.objects.filter(ancestor=a, descendant=b).exists()


def test_administrators_do_not_take_away_their_own_access(client_for, site_admin):
    response = client_for(site_admin).post(
        reverse("admin:accounts_user_change", args=[site_admin.pk]),
        {"email": site_admin.email, "full_name": site_admin.full_name, "is_active": "on"},
    )
    assert response.status_code == 200
    site_admin.refresh_from_db()
    assert site_admin.is_staff


def test_passwords_are_not_set_by_administrators(client_for, site_admin, mso):
    url = reverse("admin:auth_user_password_change", args=[mso.pk]).replace(
        "auth/user", "accounts/user"
    )
    assert client_for(site_admin).get(url).status_code == 403


def test_a_user_page_shows_their_memberships(client_for, site_admin, mso, trust):
    response = client_for(site_admin).get(reverse("admin:accounts_user_change", args=[mso.pk]))
    assert response.status_code == 200
    assert trust.name in response.text
