"""The role journeys: each person's day on the demo data, in a real Chromium, by visible labels
and the keyboard only, with axe on every page the journey reaches (WCAG 2.2 AA).

``keyboard(page)`` drives a page the way someone without a mouse does: links and buttons are
found by their visible names and pressed with Enter, radios and checkboxes are reached by their
labels and set with Space, text is typed. After each press that opens a new page, the new page
is checked with axe (each address once per journey)."""

import pyotp
import pytest
from allauth.mfa.totp.internal.auth import TOTP

from accounts.models import User

SECRET = pyotp.random_base32()


class Keyboard:
    def __init__(self, page, expect, axe_check):
        self.page, self.expect, self.axe_check = page, expect, axe_check
        self.checked: set[str] = set()

    def check(self):
        """axe on the page shown now, once for each address of the journey."""
        address = self.page.url.split("#")[0]
        if address not in self.checked:
            self.checked.add(address)
            self.axe_check(self.page)

    def go(self, path: str):
        """Open an address (the first page of a journey, or one given in an email)."""
        self.page.goto(path)
        self.check()

    def _enter(self, control):
        control.focus()
        with self.page.expect_navigation():
            control.press("Enter")
        self.page.wait_for_load_state()
        self.check()

    def follow(self, name: str, *, within=None, exact=False):
        """Press Enter on the link named ``name``, to the page it opens."""
        self._enter((within or self.page).get_by_role("link", name=name, exact=exact).first)

    def press(self, name: str, *, within=None, exact=False):
        """Press Enter on the button named ``name``, to the page it leads to (or the same form
        drawn again with what was wrong)."""
        self._enter((within or self.page).get_by_role("button", name=name, exact=exact).first)

    def type(self, label: str, text: str, *, within=None, exact=False):
        field = (within or self.page).get_by_label(label, exact=exact).first
        field.focus()
        field.press("ControlOrMeta+a")
        field.press("Delete")
        if text:
            field.press_sequentially(text)

    def choose(self, label: str, *, within=None, exact=False):
        """A radio or a checkbox, by its label, set with Space."""
        choice = (within or self.page).get_by_label(label, exact=exact).first
        choice.focus()
        if not choice.is_checked():
            choice.press("Space")
        self.expect(choice).to_be_checked()

    def select(self, label: str, option: str, *, within=None):
        """A drop-down list: focused, and the option chosen as typing its name would."""
        field = (within or self.page).get_by_label(label).first
        field.focus()
        field.select_option(label=option)

    def date(self, day: int, month: int, year: int, *, within=None):
        scope = within or self.page
        for label, value in (("Day", day), ("Month", month), ("Year", year)):
            self.type(label, str(value), within=scope, exact=True)

    def pick(self, label: str, typed: str, option, *, within=None):
        """A box that suggests as it is typed in (a medicine, a member): ``typed`` typed, the
        suggestion named ``option`` (a string or a pattern) reached with the down arrow and
        chosen with Enter."""
        box = (within or self.page).get_by_role("combobox", name=label).first
        box.focus()
        box.press_sequentially(typed)
        wanted = self.page.get_by_role("option", name=option).first
        self.expect(wanted).to_be_visible()
        for _ in range(self.page.get_by_role("option").count()):
            self.page.keyboard.press("ArrowDown")
            if wanted.evaluate("option => option === document.activeElement"):
                break
        self.page.keyboard.press("Enter")

    def open(self, text: str, *, within=None):
        """The details element that holds ``text`` (a line of notifications, by its own words
        or those of a notification in it): Enter on its summary, which opens it in place."""
        details = (within or self.page).locator("details", has_text=text).first
        toggle = details.locator("summary").first
        toggle.focus()
        if details.get_attribute("open") is None:
            toggle.press("Enter")
        self.expect(details).to_have_attribute("open", "")

    def download(self, name: str, *, within=None):
        """Press Enter on the link named ``name`` that downloads a file: the download."""
        link = (within or self.page).get_by_role("link", name=name).first
        link.focus()
        with self.page.expect_download() as waiting:
            link.press("Enter")
        return waiting.value

    def show(self, heading: str, *, above: int = 30):
        """Scroll the section headed ``heading`` to the top of the window (``above`` pixels of
        what comes before it left in sight), as a picture of that section wants it."""
        self.page.get_by_role("heading", name=heading, exact=True).first.evaluate(
            "(h, above) => { h.scrollIntoView(); window.scrollBy(0, -above) }", above
        )

    def unfold(self, name: str = "Filter", *, within=None):
        """Press Enter on the button named ``name`` that shows, in place, what it controls (a
        list's filters folded away on a phone): what it controls, now shown."""
        button = (within or self.page).get_by_role("button", name=name, exact=True).first
        button.focus()
        if button.get_attribute("aria-expanded") != "true":
            button.press("Enter")
        self.expect(button).to_have_attribute("aria-expanded", "true")
        shown = self.page.locator(f"#{button.get_attribute('aria-controls')}")
        self.expect(shown).to_be_visible()
        return shown

    def bring(self, locator, *, above: int = 30):
        """Scroll what ``locator`` finds to the top of the window (``above`` pixels of what
        comes before it left in sight), as a picture of a part of a page without a heading of
        its own wants it."""
        locator.first.evaluate(
            "(e, above) => { e.scrollIntoView(); window.scrollBy(0, -above) }", above
        )


@pytest.fixture
def keyboard(expect, axe_check):
    return lambda page: Keyboard(page, expect, axe_check)


@pytest.fixture
def demo(transactional_db, seeded_demo):
    """The demo data, with an authenticator app for each demo person (the roles that need
    one ask for its code at sign-in): ``totp_secret=SECRET``."""
    for user in User.objects.filter(is_active=True):
        TOTP.activate(user, SECRET)
    return SECRET
