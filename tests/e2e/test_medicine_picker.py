"""The dm+d medicine picker on the report's medicine field, in Chromium under the site's
Content-Security-Policy: typing part of a brand suggests it, picking it fills the name and the
code, typing over the name takes the code out, free text stays, the rows added by "Add another
medicine" are pickers too, and the report sent is coded from the dm+d (Oramorph: Schedule 5).
Without JavaScript the fields are plain inputs. The page passes axe with the picker open."""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone

pytestmark = pytest.mark.e2e

ORAMORPH = "9992001000001108"
ORAMORPH_NAME = "Oramorph 10mg/5ml oral solution"


@pytest.fixture
def reporter(transactional_db):
    from organisations.choices import Role
    from tests.factories import OrganisationFactory, member

    call_command("import_dmd", "medicines/sample_release")
    return member(OrganisationFactory(), Role.STAFF)


def policy_refusals(page) -> list[str]:
    """What the browser refuses under the Content-Security-Policy, as it says in its console:
    scripts, styles (style attributes included) and requests. (NHS.UK frontend's stylesheet
    names its fonts on assets.nhs.uk, which font-src refuses on every page: not the picker's.)"""
    refused = []

    def heard(message):
        if "Content Security Policy" in message.text and "font-src" not in message.text:
            refused.append(message.text)

    page.on("console", heard)
    return refused


def step_one(page, day):
    page.get_by_label("Day", exact=True).fill(str(day.day))
    page.get_by_label("Month", exact=True).fill(str(day.month))
    page.get_by_label("Year", exact=True).fill(str(day.year))
    page.get_by_label("Day shift").check()
    page.get_by_label("Where did it happen?").select_option(label="Hospital")
    page.get_by_label("What happened?").fill("Oramorph 10 ml given instead of 5 ml.")
    page.get_by_label("What was done straight away?").fill("Observations; doctor told.")
    page.get_by_role("group", name="Did the medicine reach the patient?").get_by_label(
        "Yes"
    ).check()
    page.get_by_label("Low physical harm").check()
    page.get_by_label("No psychological harm").check()
    page.get_by_label("Patient's age").select_option(label="66-85 years")
    page.get_by_label("Female").check()


def test_a_medicine_is_picked_from_the_dmd_and_the_report_is_coded(
    page, reporter, expect, axe_check, sign_in
):
    from incidents.models import IncidentMedicine
    from tests.factories import PASSWORD

    sign_in(page, reporter.email, PASSWORD)
    refused = policy_refusals(page)
    page.goto("/incidents/report/")
    name = page.get_by_role("group", name="Medicine 1").get_by_role("combobox", name="Medicine")
    code = page.locator("#id_medicines-0-dmd_code")
    expect(name).to_have_id("id_medicines-0-name")
    expect(name).to_have_attribute("aria-describedby", re.compile(r"\bid_medicines-0-name-hint\b"))

    name.press_sequentially("oramor")
    suggestion = page.get_by_role("option", name=re.compile("^Oramorph 10mg"))
    expect(suggestion).to_contain_text("(morphine sulfate 10mg/5ml oral solution)")
    expect(suggestion).to_contain_text("Brand, Schedule 5 controlled drug")
    axe_check(page)
    suggestion.click()
    expect(name).to_have_value(ORAMORPH_NAME)
    expect(code).to_have_value(ORAMORPH)

    # Typing over the name takes out the code the picker put in; picking again puts it back.
    name.press("End")
    name.press_sequentially(" sugar free")
    expect(code).to_have_value("")
    name.fill("")
    name.press_sequentially("oramor")
    suggestion.click()
    expect(code).to_have_value(ORAMORPH)

    # A second row, drawn by the server: the first keeps its name and code, and the second is
    # a picker too, which keeps free text when nothing is picked.
    page.get_by_role("button", name="Add another medicine").click()
    expect(name).to_have_value(ORAMORPH_NAME)
    expect(code).to_have_value(ORAMORPH)
    second = page.locator("#id_medicines-1-name")
    expect(second).to_have_attribute("role", "combobox")
    second.press_sequentially("Grandma's green tablets")
    expect(page.get_by_role("option", name=re.compile("No dm\\+d medicine found"))).to_be_visible()
    page.get_by_label("What was done straight away?").click()
    expect(second).to_have_value("Grandma's green tablets")
    expect(page.locator("#id_medicines-1-dmd_code")).to_have_value("")

    step_one(page, timezone.localdate())
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("More about the incident")
    page.get_by_label("Administering").check()
    page.get_by_label("Yes, put my name on it").check()
    page.get_by_role("button", name="Send the report").click()
    expect(page.locator("h1")).to_have_text("Report sent")
    assert refused == []

    medicines = IncidentMedicine.objects.values_list("name", "dmd_code", "cd_schedule")
    assert list(medicines) == [
        (ORAMORPH_NAME, ORAMORPH, "5"),
        ("Grandma's green tablets", "", ""),
    ]


def test_a_code_put_back_by_the_server_still_goes_with_its_name(page, reporter, expect, sign_in):
    """After a round trip (a refused step, a draft), the code of exactly the name shown is
    taken out when the name is typed over, as one picked on the page is."""
    from tests.factories import PASSWORD

    sign_in(page, reporter.email, PASSWORD)
    page.goto("/incidents/report/")
    name = page.locator("#id_medicines-0-name")
    code = page.locator("#id_medicines-0-dmd_code")
    name.press_sequentially("oramor")
    page.get_by_role("option", name=re.compile("^Oramorph")).click()
    # Refused (nothing else is answered), the page comes back with both; the picker asks once
    # whether the code is the name's.
    with page.expect_response(re.compile(r"/medicines/search/\?q=Oramorph")):
        page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(name).to_have_value(ORAMORPH_NAME)
    expect(code).to_have_value(ORAMORPH)
    name.press("End")
    name.press_sequentially(" 300ml")
    expect(code).to_have_value("")


def test_without_javascript_the_fields_are_plain_inputs(browser, live_server, reporter, sign_in):
    from tests.factories import PASSWORD

    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", java_script_enabled=False
    )
    try:
        page = context.new_page()
        sign_in(page, reporter.email, PASSWORD)
        page.goto("/incidents/report/")
        name = page.locator("#id_medicines-0-name")
        assert name.get_attribute("role") is None
        assert name.get_attribute("data-medicine-picker") == "/medicines/search/"
        name.fill("Oramorph 10mg/5ml oral solution")
        page.locator("#id_medicines-0-dmd_code").fill(ORAMORPH)
        page.get_by_role("link", name=re.compile("Find a medicine's dm\\+d name and code"))
        page.goto("/medicines/?q=oramor")
        assert ORAMORPH in page.locator("table").inner_text()
    finally:
        context.close()
