import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_the_sign_in_page_is_public_and_nhs_styled(client):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    assert 'class="nhsuk-header' in response.text
    assert 'href="#maincontent"' in response.text
    assert 'name="login"' in response.text
    assert "placeholder" not in response.text


def test_a_person_signs_in_with_email_and_password(client, mso):
    response = client.post(
        reverse("account_login"), {"login": mso.email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_a_wrong_password_is_explained_on_the_form(client, mso):
    response = client.post(reverse("account_login"), {"login": mso.email, "password": "wrong"})
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert "The email address or password is not right" in response.text
    assert response.context["form"].errors["login"]  # on a field, linked from the summary
    assert 'href="#id_login"' in response.text
    assert f'value="{mso.email}"' in response.text
    assert "_auth_user_id" not in client.session


def test_empty_answers_are_explained_in_field_order(client, db):
    response = client.post(reverse("account_login"), {})
    summary = response.text.split("nhsuk-error-summary__list")[1].split("</ul>")[0]
    assert summary.index("Enter your email address") < summary.index("Enter your password")


def test_repeated_failures_are_throttled(client, mso):
    for _ in range(5):
        client.post(reverse("account_login"), {"login": mso.email, "password": "wrong"})
    response = client.post(reverse("account_login"), {"login": mso.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "You have tried to sign in too many times" in response.text
    assert "_auth_user_id" not in client.session


def test_there_is_no_public_sign_up(client):
    assert client.get("/accounts/signup/").status_code in (302, 404)


def test_sign_out(mso_client):
    response = mso_client.post(reverse("account_logout"))
    assert response.status_code == 302
    assert mso_client.get(reverse("home")).status_code == 302


def test_password_reset_answers_the_same_for_unknown_and_known_emails(client, mso):
    """Found on review: an unknown address gave a server error, and so told anyone whether an
    address has an account."""
    known = client.post(reverse("account_reset_password"), {"email": mso.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "nobody@nhs.example"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert client.get(known["Location"]).text == client.get(unknown["Location"]).text
    assert [email.to for email in mail.outbox] == [[mso.email]]


def test_password_reset_links_use_the_site_address_whatever_the_host(client, mso, settings):
    """Found on review: links were built from the Host header, with any port."""
    settings.SITE_URL = "https://mso.example.nhs.uk"
    client.post(reverse("account_reset_password"), {"email": mso.email}, HTTP_HOST="127.0.0.1:6666")
    [email] = mail.outbox
    assert "https://mso.example.nhs.uk/accounts/password/reset/key/" in email.body
    assert "6666" not in email.body and "testserver" not in email.body


def test_password_reset_by_emailed_link(client, mso):
    response = client.post(reverse("account_reset_password"), {"email": mso.email})
    assert response.status_code == 302
    [email] = mail.outbox
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", email.body).group(1)
    form_page = client.get(link, follow=True)
    assert "Choose a new password" in form_page.text
    new = "another-long-passphrase-2026"
    response = client.post(form_page.redirect_chain[-1][0], {"password1": new, "password2": new})
    assert response.status_code == 302
    mso.refresh_from_db()
    assert mso.check_password(new)
    assert client.get(link, follow=True).context["token_fail"]


def test_password_change_checks_the_current_password(mso_client, mso):
    url = reverse("account_change_password")
    new = "another-long-passphrase-2026"
    response = mso_client.post(url, {"oldpassword": "wrong", "password1": new, "password2": new})
    assert response.status_code == 200
    assert "There is a problem" in response.text
    response = mso_client.post(url, {"oldpassword": PASSWORD, "password1": new, "password2": new})
    assert response.status_code == 302
    mso.refresh_from_db()
    assert mso.check_password(new)


def test_the_account_page_lists_roles_and_posts(mso_client, trust):
    response = mso_client.get(reverse("account"))
    assert trust.name in response.text
    assert "Medication Safety Officer" in response.text
    assert "Staff reporter" in response.text
