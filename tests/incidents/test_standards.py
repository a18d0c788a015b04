"""The national value lists, the medicine flags and the NHS number check."""

import json

import pytest
from django.forms import Textarea

from core import identifiers
from incidents import choices, medicines, privacy


def test_every_code_list_comes_from_the_lfpse_v5_file():
    data = json.loads(choices.LFPSE_CODE_SYSTEMS.read_text())
    assert data["source"].startswith("LFPSE FHIR AdverseEvent taxonomy v5")
    systems = {s["id"]: s for s in data["systems"]}
    for value in vars(choices).values():
        if isinstance(value, choices.CodeList):
            published = [(c["code"], c["display"]) for c in systems[value.system]["codes"]]
            assert set(value.choices) <= set(published)
            assert value.choices and value.system.endswith("-5")


def test_harm_is_shown_with_its_equivalents():
    assert choices.harm_with_equivalents("3") == (
        "Moderate physical harm (NRLS: Moderate; NCC MERP: F, or H with full recovery)"
    )
    assert set(choices.HARM_EQUIVALENTS) == choices.PHYSICAL_HARM.codes
    assert set(choices.PHYSICAL_HARM_MEANINGS) == choices.PHYSICAL_HARM.codes


def test_the_crosswalk_follows_the_ncc_merp_index():
    """The index's groups: A no error (not an incident), B to D error without harm, E to H
    error with harm, I death. So no level takes in A, no harm takes in exactly B to D, and H
    sits with harm."""
    taken = {code: eq.ncc_merp for code, eq in choices.HARM_EQUIVALENTS.items()}
    assert "A" not in " ".join(taken.values()).split()
    assert taken["5"] == "B, C or D"
    assert "H" in taken["3"] and "H" in taken["2"] and "H" not in taken["4"]


def test_the_reporter_is_shown_what_harm_means_and_no_ncc_merp_grade(client_for, staff):
    from django.urls import reverse

    page = client_for(staff).get(reverse("incidents:report")).content.decode()
    assert "Minimal harm: the patient needed extra observation or minor treatment" in page
    assert "NCC MERP" not in page
    from incidents.forms import SendForm

    assert "ncc_merp" not in SendForm.base_fields


def test_the_never_events_are_the_medicine_ones():
    assert [label for _, label in choices.NEVER_EVENT_TYPES.choices] == [
        choices.CodeList("never-event-type-5").label(code) for code in ("4", "5", "6", "7", "8")
    ]
    assert "potassium" in choices.NEVER_EVENT_TYPES.label("4").lower()


@pytest.mark.parametrize(
    ("name", "schedule"),
    [
        ("Oxycodone 5 mg capsules", "2"),
        ("Oramorph", "2"),  # not coded: the stricter of its strengths until it is
        ("hydromorphone 2mg", "2"),
        ("Midazolam 10 mg in 2 ml", "3"),
        ("Diazepam 5 mg", "4"),
        ("Sativex", "4"),
        ("Co-codamol 30/500", "5"),
        ("Paracetamol 500 mg", ""),
        ("Morphinoid sweets", ""),
    ],
)
def test_a_medicine_not_coded_takes_its_schedule_from_its_name(name, schedule):
    """For a medicine not coded at product level only (incidents/medicines.py)."""
    assert medicines.schedule_from_name(name) == schedule


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("NHS number 943 476 5919 on the chart", ["943 476 5919"]),
        ("9434765919", ["9434765919"]),
        ("943-476-5919", ["943-476-5919"]),
        ("9434765918 fails the check", []),
        ("batch 12345678901 is eleven digits", []),
        ("10 units at 14:30", []),
    ],
)
def test_nhs_numbers_are_found_by_their_check_digit(text, found):
    assert identifiers.nhs_numbers_in(text) == found


def _identifier_forms():
    from incidents import forms

    found = [
        form
        for form in vars(forms).values()
        if isinstance(form, type)
        and issubclass(form, forms.NoPatientIdentifiers)
        and form is not forms.NoPatientIdentifiers
    ]
    assert len(found) >= 8
    return found


@pytest.mark.parametrize("form_class", _identifier_forms(), ids=lambda form: form.__name__)
def test_every_free_text_box_says_not_to_identify_a_patient(form_class, db):
    from tests.factories import OrganisationFactory

    needs_organisation = form_class.__name__ in ("ActionForm", "FeedbackForm")
    kwargs = {"organisation": OrganisationFactory()} if needs_organisation else {}
    form = form_class(**kwargs)
    boxes = [
        name
        for name in form.checked_text
        if name in form.fields and isinstance(form.fields[name].widget, Textarea)
    ]
    for name in boxes:
        assert privacy.WARNING in str(form.fields[name].help_text), name


def test_a_reason_to_reopen_is_checked_for_nhs_numbers():
    from incidents.forms import MoveForm

    form = MoveForm({"to": "in-review", "note": "Reopened for 943 476 5919"})
    assert not form.is_valid()
    assert "looks like an NHS number" in form.errors["note"][0]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("DOB 12/03/1956, bay 4", ["DOB 12/03/1956"]),
        ("d.o.b. 1.3.56", ["d.o.b. 1.3.56"]),
        ("Date of birth: 3 March 1956", ["Date of birth: 3 March 1956"]),
        ("born on 3rd March 1956", ["born on 3rd March 1956"]),
        ("Dose given on 12/03/2026 at 14:30", []),  # a date alone is not a date of birth
        ("Dobutamine 12/03/2026", []),
    ],
)
def test_dates_of_birth_are_found_by_what_precedes_them(text, found):
    from core import identifiers

    assert [hit.text for hit in identifiers.found_in(text)] == found


def test_every_free_text_answer_refuses_an_identifier_not_only_the_boxes(db):
    from incidents.forms import CommentForm, FeedbackForm
    from tests.factories import OrganisationFactory

    comment = CommentForm({"body": "Pharmacist to call about 943 476 5919"})
    assert not comment.is_valid() and "NHS number" in comment.errors["body"][0]
    feedback = FeedbackForm(
        {
            "received_on_day": "1",
            "received_on_month": "11",
            "received_on_year": "2026",
            "source": FeedbackForm.base_fields["source"].choices[0][0],
            "medicines": "Warfarin for DOB 01/02/1940",
            "summary": "Leaflet unclear",
        },
        organisation=OrganisationFactory(),
    )
    assert not feedback.is_valid() and "date of birth" in feedback.errors["medicines"][0]
