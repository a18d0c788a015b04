"""Browser journeys: a real Chromium (the system one, through Playwright) against live_server.

Run them with `pytest tests/e2e` or `pytest -m e2e`. Locally they are skipped when Chromium or
Playwright is missing; under CI (CI=true) a missing browser is an error, never a skip.
Set CHROMIUM_PATH to use a Chromium other than /usr/bin/chromium.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

from tests.totp import current_code, next_code

from .axe import assert_no_axe_violations

# Playwright's sync API keeps an asyncio event loop in this thread, so Django would otherwise
# refuse database access from tests (SynchronousOnlyOperation). The loop only drives the browser.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTEFACTS_DIR = Path(__file__).resolve().parents[2] / "test-results"


def _under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def _unavailable(reason: str):
    if _under_ci():
        pytest.fail(f"Browser tests cannot run under CI: {reason}", pytrace=False)
    pytest.skip(reason)


def _chromium_path() -> str | None:
    if os.environ.get("CHROMIUM_PATH"):
        candidates = [os.environ["CHROMIUM_PATH"]]
    else:
        candidates = ["/usr/bin/chromium", shutil.which("chromium")]
    return next((path for path in candidates if path and os.access(path, os.X_OK)), None)


@pytest.fixture(scope="session")
def browser():
    """One headless system Chromium for the whole session."""
    try:
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    executable = _chromium_path()
    if executable is None:
        _unavailable("Chromium is not installed (apt-get install chromium, or set CHROMIUM_PATH)")

    playwright = sync_playwright().start()
    try:
        try:
            chromium = playwright.chromium.launch(
                executable_path=executable, headless=True, args=CHROMIUM_ARGS
            )
        except PlaywrightError as error:
            _unavailable(f"Chromium at {executable} did not start: {error}")
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the item so the page fixture can tell if the test failed.
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(browser, live_server, request):
    """A fresh browser context and page per test, with base_url set to the live server.

    On failure a screenshot is saved in test-results/ (uploaded by CI if it keeps artefacts).
    """
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(10_000)
    new_page = context.new_page()
    yield new_page
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTEFACTS_DIR.mkdir(exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", request.node.nodeid)
        try:
            new_page.screenshot(path=str(ARTEFACTS_DIR / f"{name}.png"), full_page=True)
        except Exception as error:  # noqa: BLE001 - a screenshot must never hide the failure
            print(f"Could not save a screenshot: {error}")
    context.close()


@pytest.fixture
def expect(browser):
    """Playwright's expect(), as a fixture so test modules never import playwright themselves:
    without it they are skipped (or, under CI, failed) by the browser fixture, not broken."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect


@pytest.fixture
def axe_check():
    """assert_no_axe_violations(page): fail on WCAG 2.x A/AA violations found by axe-core."""
    return assert_no_axe_violations


@pytest.fixture
def sign_in(expect):
    """sign_in(page, email, password, totp_secret=None): through the sign-in page, and the
    authenticator-app step when the person has one (the code is worked out from its secret)."""

    def go(page, email, password, totp_secret=None):
        page.goto("/accounts/login/")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password", exact=True).fill(password)
        page.get_by_role("button", name="Sign in").click()
        if totp_secret:
            code_page = "Enter the code from your authenticator app"
            expect(page.locator("h1")).to_have_text(code_page)
            code = current_code(totp_secret)
            page.get_by_label("Code from your authenticator app").fill(code)
            page.get_by_role("button", name="Sign in").click()
            refused = page.get_by_role("alert").filter(has_text="The code is not right")
            expect(refused.or_(page.locator("h1", has_not_text=code_page)).first).to_be_visible()
            if refused.is_visible():
                # On a busy machine the code's 30 seconds can run out before the form arrives:
                # a person would type the next one. A second refusal fails the journey.
                page.get_by_label("Code from your authenticator app").fill(
                    next_code(totp_secret, after=code)
                )
                page.get_by_role("button", name="Sign in").click()
            expect(page.locator("h1")).not_to_have_text(code_page)

    return go


@pytest.fixture
def open_from_menu():
    """open_from_menu(page, name): follow the header menu's link ``name``, through its "More"
    list when the link does not fit on the bar (NHS.UK frontend moves those there)."""

    def go(page, name):
        menu = page.get_by_role("navigation", name="Menu")
        link = menu.get_by_role("link", name=name, exact=True)
        if not link.is_visible():
            menu.get_by_role("button", name="Browse More").click()
        link.click()

    return go


# The user guide's pictures (docs/user-guide.md): the role journeys take them as they pass the
# pages the guide describes. `make guide` runs the journeys with GUIDE_PICTURES set to the
# folder they go in; otherwise taking one does nothing.
GUIDE_PICTURES = os.environ.get("GUIDE_PICTURES", "")
GUIDE_WIDTH, GUIDE_HEIGHT = 1100, 800


@pytest.fixture
def picture():
    """picture(page, name): the user guide's picture ``name`` (docs/user-guide/<name>.png), of
    what the page shows now, at the guide's size."""

    def take(page, name: str):
        assert re.fullmatch(r"[a-z0-9-]+", name), name
        if not GUIDE_PICTURES:
            return
        folder = Path(GUIDE_PICTURES)
        folder.mkdir(parents=True, exist_ok=True)
        size = page.viewport_size
        page.set_viewport_size({"width": GUIDE_WIDTH, "height": GUIDE_HEIGHT})
        page.screenshot(path=str(folder / f"{name}.png"), animations="disabled")
        if size:
            page.set_viewport_size(size)

    return take
