"""Every page with a form has a way back (the NHS.UK back link) above it, except the pages that
begin a journey and so have nowhere to go back to."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

# Pages where a form is the start of a journey, or a list, or the top of a section.
STARTS = {
    "form_page.html": "the layout the form pages extend",
    "account/login.html": "signing in",
    "account/logout.html": "signing out",
    "account/password_reset.html": "reached from signing in, before anyone is signed in",
    "account/password_reset_from_key.html": "opened from an email",
    "mfa/authenticate.html": "the second step of signing in",
    "organisations/invitation_accept.html": "opened from an email",
    "organisations/home.html": "the home page",
    "organisations/member_list.html": "a list reached from the menu",
    "notifications/notification_list.html": "a list reached from the header",
    "accounts/account.html": "the top of the account section",
    "incidents/my_reports.html": "a list reached from the menu",
    "incidents/receipt.html": "reached from the sign-in page, by anyone",
    "admin/accounts/user/change_form.html": "the administration site's own layout",
}


def pages_with_a_form():
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if name.startswith(("includes/", "nhsuk/")) or "/includes/" in name or "/email/" in name:
            continue
        text = path.read_text()
        if 'extends "form_page.html"' in text or re.search(r'<form[^>]*method="post"', text):
            yield name, text


def test_every_page_with_a_form_has_a_back_link():
    missing = [
        name
        for name, text in pages_with_a_form()
        if name not in STARTS and "back_link" not in text and "nhsuk-back-link" not in text
    ]
    assert missing == [], f"pages with a form and no back link: {missing}"


def test_the_exceptions_are_still_pages_with_a_form():
    assert set(STARTS) <= {name for name, _ in pages_with_a_form()}
