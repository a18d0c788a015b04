"""Pages reflow at 320 CSS pixels wide (WCAG 1.4.10): nothing scrolls sideways, and wide tables
become one card a row."""

import pyotp
import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings

from accounts.models import User

pytestmark = pytest.mark.e2e

SECRET = pyotp.random_base32()
PAGES = [
    "/",
    "/organisations/RZA/",
    "/organisations/RZA/members/",
    "/organisations/RZA/invitations/new/",
    "/organisations/RZA/posts/new/",
    "/organisations/",
    "/accounts/",
    "/accessibility/",
]


@pytest.fixture
def admin_who_is_mso(transactional_db, seeded_demo):
    """The demo MSO of Trust A, also a site administrator, so every page above opens."""
    user = User.objects.get(email="mso@trust-a.example")
    user.is_staff = True
    user.save()
    TOTP.activate(user, SECRET)
    return user


def test_every_page_reflows_at_320_pixels(page, admin_who_is_mso, sign_in, expect, axe_check):
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page, admin_who_is_mso.email, settings.DEMO_PASSWORD, totp_secret=SECRET)
    for path in PAGES:
        page.goto(path)
        expect(page.locator("h1")).to_be_visible()
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 320px wide"
    axe_check(page)
