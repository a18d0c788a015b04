"""Choosing one member among many in the browser (core PickedFrom, static/js/row-picker.js):
Trust A's MSO changes who keeps a protocol by typing part of a name and choosing from what is
suggested, by keyboard; the page passes axe with the suggestions open."""

import pyotp
import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings

from accounts.models import User
from core.nhsuk_forms.fields import PickedFrom
from improvement.models import Protocol

pytestmark = pytest.mark.e2e

SECRET = pyotp.random_base32()


@pytest.fixture
def demo(transactional_db, seeded_demo, monkeypatch):
    TOTP.activate(User.objects.get(email="mso@trust-a.example"), SECRET)
    monkeypatch.setattr(PickedFrom, "LIST_UP_TO", 1)  # Trust A counts as a large organisation


def test_a_member_is_found_by_name_and_chosen_by_keyboard(page, demo, expect, axe_check, sign_in):
    protocol = Protocol.objects.filter(organisation__ods_code="RZA").first()
    keeper = User.objects.get(email="reporter@trust-a.example")
    sign_in(page, "mso@trust-a.example", settings.DEMO_PASSWORD, totp_secret=SECRET)
    page.goto(protocol.get_absolute_url() + "change/")
    # The picker takes the box over once its script has loaded.
    box = page.get_by_role("combobox", name="Who keeps it?")
    expect(box).to_have_value(protocol.owner.email)
    box.fill("")
    box.press_sequentially(keeper.full_name.split()[0][:4])
    choice = page.get_by_role("option", name=f"{keeper.full_name} ({keeper.email})")
    expect(choice).to_be_visible()
    axe_check(page)
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(box).to_have_value(keeper.email)
    page.get_by_role("button", name="Save the protocol").press("Enter")
    expect(page.locator("h1")).to_have_text(protocol.title)
    protocol.refresh_from_db()
    assert protocol.owner == keeper
