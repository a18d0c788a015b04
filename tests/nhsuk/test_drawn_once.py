"""What the pack keeps of what it has drawn: a field whose markup follows from its context
alone, and a whole form that is the same on every page while unbound. Nothing kept may show
one person's answers to another, or stale choices, errors or settings."""

import pytest
from django import forms
from django.test import override_settings

from core.nhsuk_forms import NHSCheckboxSelectMultiple, NHSDateField, rendering
from core.templatetags.nhsuk import nhsuk_form


class Filters(forms.Form):
    same_for_everyone = True
    q = forms.CharField(label="Search", required=False)
    since = NHSDateField(label="Since", required=False)
    harm = forms.MultipleChoiceField(
        label="Harm",
        choices=[("1", "None"), ("2", "Low")],
        required=False,
        widget=NHSCheckboxSelectMultiple,
    )
    kind = forms.ChoiceField(label="Kind", choices=[("", "Any"), ("a", "A")], required=False)


class Chosen(forms.Form):
    """Its choices depend on who is asking: not the same for everyone."""

    place = forms.ChoiceField(label="Place", required=False)

    def __init__(self, *args, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].choices = places


@pytest.fixture(autouse=True)
def nothing_kept():
    rendering._forget()
    yield
    rendering._forget()


def test_a_field_with_nothing_typed_is_drawn_once():
    first = rendering.field_html(Filters({"harm": ["2"]})["harm"])
    assert len(rendering._DRAWN) == 1
    again = rendering.field_html(Filters({"harm": ["2"]})["harm"])
    assert again == first and len(rendering._DRAWN) == 1
    assert 'value="2" checked' in first


def test_what_is_chosen_and_what_is_wrong_make_different_markup():
    none = rendering.field_html(Filters({})["harm"])
    low = rendering.field_html(Filters({"harm": ["2"]})["harm"])
    wrong = Filters({"harm": ["9"]})
    wrong.is_valid()
    error = rendering.field_html(wrong["harm"])
    assert "checked" not in none and "checked" in low
    assert "nhsuk-error-message" in error and "nhsuk-error-message" not in low
    assert len({none, low, error}) == 3


def test_what_someone_typed_is_never_kept():
    typed = Filters({"q": "Mr Jones on ward 7", "since_day": "1", "since_month": "2"})
    assert "Mr Jones on ward 7" in rendering.field_html(typed["q"])
    assert 'value="1"' in rendering.field_html(typed["since"])
    assert not any("Mr Jones" in html for html in rendering._DRAWN.values())
    assert len(rendering._DRAWN) == 0


def test_choices_that_depend_on_the_person_are_part_of_what_is_kept():
    mine = rendering.field_html(Chosen({}, places=[("1", "Ashby")])["place"])
    theirs = rendering.field_html(Chosen({}, places=[("2", "Brookfield")])["place"])
    assert "Ashby" in mine and "Brookfield" not in mine
    assert "Brookfield" in theirs and "Ashby" not in theirs


def test_a_form_the_same_for_everyone_is_drawn_once_while_unbound():
    first = nhsuk_form(Filters())
    assert nhsuk_form(Filters()) is first
    assert nhsuk_form(Filters({"kind": "a"})) is not first  # bound: drawn for its values
    assert nhsuk_form(Filters(initial={"kind": "a"})) is not first  # its own initial values


def test_a_form_of_its_own_is_drawn_each_time():
    form = Chosen(places=[("1", "Ashby")])
    assert nhsuk_form(form) is not nhsuk_form(form)


def test_what_is_kept_is_forgotten_when_a_setting_changes():
    nhsuk_form(Filters())
    with override_settings(DEBUG=True):
        assert not rendering._UNBOUND and not rendering._DRAWN
