"""Pages reflow at 320 CSS pixels wide (WCAG 1.4.10, which 400% zoom of a 1280-pixel screen
is): nothing scrolls sideways, and wide tables become one card a row.

Not a list of pages someone thought of: each person below starts at the home page and follows
the links of every page they are shown, as the benchmark's crawl does (tests/bench/crawl.py,
``walk``), here in a browser 320 pixels wide on the demo data, and every page they reach is
measured as it is shown."""

import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from accounts.models import User
from tests.bench.crawl import Answer, walk

pytestmark = pytest.mark.e2e

WIDTH = 320
# The people whose pages are measured: an MSO, a reporter, a network lead, a committee chair,
# a board director for medication safety, the MSO of a primary care network and a trust's
# controlled drugs accountable officer.
PEOPLE = (
    "mso@trust-a.example",
    "reporter@trust-a.example",
    "lead@network.example",
    "chair@trust-a.example",
    "director@trust-a.example",
    "mso@pcn.example",
    "cdao@trust-a.example",
)
SITE = {"localhost", "127.0.0.1", "testserver"}

# The elements that reach past the right edge, innermost first: what to fix.
_WIDEST = """
() => {
  const edge = document.documentElement.clientWidth;
  const name = (node) => node.tagName.toLowerCase() + (node.id ? '#' + node.id : '') +
    [...node.classList].map((c) => '.' + c).join('');
  const reach = (node) => {
    const box = node.getBoundingClientRect();
    return box.width ? Math.max(box.right, box.left + node.scrollWidth) : 0;
  };
  const past = [...document.body.querySelectorAll('*')].filter(
    (node) => reach(node) > edge + 0.5 && !node.closest('.nhsuk-u-visually-hidden, svg > *'));
  const inner = past.filter(
    (node) => !past.some((other) => other !== node && node.contains(other)));
  return {
    overflow: document.documentElement.scrollWidth - edge,
    widest: inner.slice(0, 3).map((node) => `${name(node)} to ${Math.round(reach(node))}px`),
  };
}
"""


def _browsing(page):
    """``walk``'s ``get`` through the browser: each page shown at 320 pixels and measured
    (``measured``: address → (overflow in pixels, the elements past the edge))."""
    from playwright.sync_api import Error as PlaywrightError

    measured, shown = {}, {}

    def get(address):
        if address in shown:  # the page a redirect led to, shown just now
            return shown.pop(address)
        shown.clear()
        try:
            response = page.goto(address)
        except PlaywrightError as error:
            if "Download is starting" in str(error):
                return Answer(200, "", "application/octet-stream", "")
            raise
        content_type = response.headers.get("content-type", "")
        final = urlsplit(page.url)
        answered = final.path + (f"?{final.query}" if final.query else "")
        answer = Answer(response.status, "", content_type, "")
        if response.status == 200 and content_type.startswith("text/html"):
            measured[answered] = page.evaluate(_WIDEST)
            answer = answer._replace(body=page.content())
        if response.request.redirected_from is not None:
            shown[answered] = answer
            return Answer(302, answered, "", "")
        return answer

    return get, measured


@pytest.fixture
def people(transactional_db, seeded_demo, client_for):
    """Each person's session on the demo data, as signing in with a password and an
    authenticator app leaves it: email -> session key."""
    import pyotp
    from allauth.mfa.totp.internal.auth import TOTP

    signed_in = {}
    for email in PEOPLE:
        user = User.objects.get(email=email)
        TOTP.activate(user, pyotp.random_base32())
        signed_in[email] = client_for(user).cookies[settings.SESSION_COOKIE_NAME].value
    return signed_in


def test_every_page_each_person_reaches_reflows_at_320_pixels(
    browser, live_server, people, axe_check
):
    failures, reached = [], {}
    for email, session in people.items():
        context = browser.new_context(
            base_url=live_server.url, locale="en-GB", viewport={"width": WIDTH, "height": 640}
        )
        context.set_default_timeout(20_000)
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
        page = context.new_page()
        get, measured = _browsing(page)
        found = walk(get, site=SITE | {urlsplit(live_server.url).hostname})
        page.goto("/")
        axe_check(page)  # the home page at 320 pixels: its header and menu as a phone has them
        context.close()
        reached[email] = len(found["pages"])
        assert not found["capped"], f"{email}'s walk reached its cap"
        assert not found["broken"], f"{email} met broken pages: {found['broken']}"
        failures += [
            f"{email}: {address} scrolls sideways by {shown['overflow']}px "
            f"({', '.join(shown['widest'])})"
            for address, shown in measured.items()
            if shown["overflow"] > 0
        ]
    assert not failures, "\n".join(failures)
    # Each person reached more than their home page and its menu (a walk that stopped short
    # would pass whatever the pages did).
    assert all(count > 20 for count in reached.values()), reached


def test_a_lists_filters_fold_away_behind_a_button_on_a_phone(browser, live_server, people, expect):
    """On a phone the incident list leads with its count and results, its filters behind
    "Filter"; on a wider screen, and without JavaScript, the filters show as they are."""

    def incident_list(width, javascript=True):
        context = browser.new_context(
            base_url=live_server.url,
            locale="en-GB",
            viewport={"width": width, "height": 800},
            java_script_enabled=javascript,
        )
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": people["mso@trust-a.example"],
                    "url": live_server.url,
                }
            ]
        )
        page = context.new_page()
        page.goto("/incidents/")
        return context, page

    context, page = incident_list(WIDTH)
    toggle = page.get_by_role("button", name="Filter", exact=True)
    search = page.get_by_label("Search what happened")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(search).to_be_hidden()
    expect(page.locator(".mso-result-count")).to_have_text(re.compile(r"^\d[\d,]* incidents$"))
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(search).to_be_visible()
    page.get_by_role("group", name="Status").get_by_label("Closed").check()
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".mso-result-count")).to_have_text(re.compile(r"^\d+ incidents? match"))
    expect(page.get_by_role("link", name="Clear the filters")).to_be_visible()
    context.close()

    for width, javascript in ((1024, True), (WIDTH, False)):
        context, page = incident_list(width, javascript)
        expect(page.get_by_label("Search what happened")).to_be_visible()
        expect(page.get_by_role("button", name="Filter", exact=True)).to_be_hidden()
        context.close()
