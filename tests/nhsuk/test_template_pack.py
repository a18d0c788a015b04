"""The ``nhsuk`` crispy-forms template pack, NHSDateField and the ``nhsuk`` template tags.

Where nhsuk-frontend ships an example of a component (``fixtures.json`` beside each
``template.njk``), a form is built to give the same ids, names and texts, and the two are
compared as HTML (attribute order, class order and whitespace do not matter).
"""

import datetime
import json
import re
from pathlib import Path

import pytest
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Button, Div, Field, Fieldset, Layout, Submit
from django import forms
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template, TemplateSyntaxError
from django.test.html import Element, parse_html
from django.utils.html import format_html

from core.nhsuk_forms import NHSDateField, NHSDateInput, NHSRadioSelect

COMPONENTS = Path(settings.BASE_DIR) / "node_modules/nhsuk-frontend/dist/nhsuk/components"


# Helpers


def fixture_html(component, name):
    """The expected HTML of an nhsuk-frontend example (the first one with that name)."""
    path = COMPONENTS / component / "fixtures.json"
    if not path.exists():
        pytest.fail(f"{path} is missing: run `make assets` (npm ci) first")
    for fixture in json.loads(path.read_text())["fixtures"]:
        if fixture["name"] == name:
            return fixture["html"]
    raise AssertionError(f"no fixture {name!r} in {component}")


def assert_same_html(actual, expected):
    actual_dom, expected_dom = parse_html(actual), parse_html(expected)
    assert actual_dom == expected_dom, f"\nrendered:\n{actual_dom}\n\nexpected:\n{expected_dom}"


def find(element, tag, css_class):
    """The first element under ``element`` with that tag and class."""
    for child in element.children:
        if not isinstance(child, Element):
            continue
        classes = (dict(child.attributes).get("class") or "").split()
        if child.name == tag and css_class in classes:
            return child
        found = find(child, tag, css_class)
        if found is not None:
            return found
    return None


def render(source, **context):
    return Template("{% load crispy_forms_tags nhsuk %}" + source).render(Context(context))


def render_field(form, name):
    return render("{{ field|as_crispy_field }}", field=form[name])


def tag_with_id(html, id_):
    """The opening tag of the element with that id."""
    match = re.search(rf'<[a-z]+\b[^>]*\bid="{re.escape(id_)}"[^>]*>', html)
    assert match, f'no element with id="{id_}" in:\n{html}'
    return match.group(0)


class FixtureForm(forms.Form):
    """nhsuk-frontend examples have no required attribute."""

    use_required_attribute = False


def make_form(fields, base=FixtureForm):
    """A form class from a dict, so fields can have names like "file-upload"."""
    return type("ExampleForm", (base,), dict(fields))


# Help text with markup must be marked safe where it is written: the templates escape the rest.
NHS_NUMBER_HINT = format_html(
    'This is a 10 digit number (like <span class="nhsuk-u-nowrap">{}</span>) '
    "that you can find on an NHS letter, prescription or in the NHS App",
    "999 123 4567",
)
CONTACT_CHOICES = [("email", "Email"), ("phone", "Phone"), ("text", "Text message")]


# Comparisons with nhsuk-frontend's own examples


@pytest.mark.parametrize("widget", [forms.TextInput, forms.CheckboxInput])
def test_help_text_is_escaped_unless_marked_safe(widget):
    form_class = make_form(
        {
            "example": forms.CharField(
                label="Name", help_text="<script>alert(1)</script>", widget=widget, required=False
            )
        }
    )
    html = render_field(form_class(), "example")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_input_matches_fixture_with_error_message_and_hint():
    form_class = make_form(
        {
            "example": forms.CharField(
                label="What is your NHS number?",
                help_text=NHS_NUMBER_HINT,
                error_messages={"required": "Enter NHS number"},
                widget=forms.TextInput(
                    attrs={
                        "id": "with-hint-error",
                        "class": "nhsuk-input--code nhsuk-input--width-10",
                        "spellcheck": "false",
                        "inputmode": "numeric",
                    }
                ),
            )
        }
    )
    html = render_field(form_class(data={}), "example")
    assert_same_html(html, fixture_html("input", "with error message and hint, without heading"))


def test_textarea_matches_fixture_with_error_message_and_hint():
    form_class = make_form(
        {
            "example": forms.CharField(
                label="Can you provide more detail?",
                help_text="Do not include personal information like your name, date of birth "
                "or NHS number",
                error_messages={"required": "You must provide an explanation"},
                widget=forms.Textarea(attrs={"id": "with-hint-error", "rows": 5}),
            )
        }
    )
    html = render_field(form_class(data={}), "example")
    assert_same_html(html, fixture_html("textarea", "with error message and hint, without heading"))


def test_select_matches_fixture_with_error_message_and_hint():
    regions = [
        ("choose", "Choose location"),
        ("eastmidlands", "East Midlands"),
        ("eastofengland", "East of England"),
        ("london", "London"),
        ("northeast", "North East"),
        ("northwest", "North West"),
        ("southeast", "South East"),
        ("southwest", "South West"),
        ("westmidlands", "West Midlands"),
        ("yorkshire", "Yorkshire and the Humber"),
    ]
    form_class = make_form(
        {
            "example": forms.ChoiceField(
                label="Choose location",
                help_text="This can be different to where you went before",
                choices=regions,
                error_messages={"required": "Select a location"},
                widget=forms.Select(attrs={"id": "with-hint-error"}),
            )
        }
    )
    html = render_field(form_class(data={}), "example")
    assert_same_html(html, fixture_html("select", "with error message and hint, without heading"))


def test_radios_match_fixture_with_error_message_and_hint():
    form_class = make_form(
        {
            "example": forms.ChoiceField(
                label="How do you want to be contacted about this?",
                help_text="Select 1 option",
                choices=CONTACT_CHOICES,
                error_messages={"required": "Select how you want to be contacted"},
                widget=forms.RadioSelect(attrs={"id": "with-hint-error"}),
            )
        }
    )
    html = render_field(form_class(data={}), "example")
    assert_same_html(html, fixture_html("radios", "with error message and hint, without heading"))


def test_radio_items_with_hints_match_fixture():
    form_class = make_form(
        {
            "example": forms.ChoiceField(
                label="Do you have a mobile phone with signal?",
                choices=[
                    ("mobile", "Yes, I have a mobile phone with signal"),
                    ("landline", "No, I want to use my landline"),
                ],
                widget=NHSRadioSelect(
                    attrs={"id": "with-hint-item"},
                    choice_hints={
                        "mobile": "We will text you a 6 digit security code",
                        "landline": "We will call you to give you a 6 digit security code",
                    },
                ),
            )
        }
    )
    rendered = parse_html(render_field(form_class(), "example"))
    expected = find(
        parse_html(fixture_html("radios", "with hints on items")), "div", "nhsuk-radios"
    )
    assert expected is not None
    assert find(rendered, "div", "nhsuk-radios") == expected


def test_checkboxes_match_fixture_with_error_message_and_hint():
    form_class = make_form(
        {
            "example": forms.MultipleChoiceField(
                label="How do you want to be contacted about this?",
                help_text="Select all options that are relevant to you",
                choices=[("email", "Email"), ("phone", "Phone"), ("text message", "Text message")],
                error_messages={"required": "Select how you want to be contacted"},
                widget=forms.CheckboxSelectMultiple(attrs={"id": "with-hint-error"}),
            )
        }
    )
    html = render_field(form_class(data={}), "example")
    expected = fixture_html("checkboxes", "with error message and hint, without heading")
    assert_same_html(html, expected)


def test_date_input_matches_fixture_with_error_message_and_hint():
    form_class = make_form(
        {
            "example": NHSDateField(
                label="What is your date of birth?",
                help_text="For example, 31 3 1980",
                error_messages={"required": "Enter your date of birth"},
                widget=NHSDateInput(attrs={"id": "example"}),
            )
        }
    )
    html = render_field(form_class(data={}), "example")
    # The example names its inputs day, month and year; a Django form field names them
    # <field name>_day and so on, so that the form can have more than one date.
    expected = re.sub(
        r'name="(day|month|year)"',
        r'name="example_\1"',
        fixture_html("date-input", "with error message and hint, without heading"),
    )
    assert_same_html(html, expected)


def test_file_upload_matches_fixture_with_error_message_and_hint():
    form_class = make_form(
        {
            "file-upload": forms.FileField(
                label="Upload a file",
                help_text="Your photo may be in your Pictures, Photos, Downloads or Desktop folder",
                error_messages={"required": "The selected file must be a JPG, BMP or TIF"},
                widget=forms.FileInput(attrs={"id": "file-upload"}),
            )
        }
    )
    html = render_field(form_class(data={}, files={}), "file-upload")
    expected = fixture_html("file-upload", "with error message and hint, without heading")
    assert_same_html(html, expected)


def test_error_summary_matches_fixture_with_multiple_errors():
    form_class = make_form(
        {
            "first_name": forms.CharField(
                error_messages={"required": "Enter your first name"},
                widget=forms.TextInput(attrs={"id": "example-first-name"}),
            ),
            "last_name": forms.CharField(
                error_messages={"required": "Enter your last name"},
                widget=forms.TextInput(attrs={"id": "example-last-name"}),
            ),
        }
    )
    html = render("{% nhsuk_error_summary form %}", form=form_class(data={}))
    assert_same_html(html, fixture_html("error-summary", "with multiple errors"))


def test_button_tag_matches_fixtures():
    assert_same_html(
        render('{% nhsuk_button "Save and continue" %}'), fixture_html("button", "default")
    )
    assert_same_html(
        render('{% nhsuk_button "Find my location" variant="secondary" %}'),
        fixture_html("button", "secondary"),
    )


# Text-like inputs


@pytest.mark.parametrize(
    ("field", "input_type"),
    [
        (forms.CharField(), "text"),
        (forms.EmailField(), "email"),
        (forms.IntegerField(), "number"),
        (forms.URLField(assume_scheme="https"), "url"),
        (forms.CharField(widget=forms.SearchInput), "search"),
    ],
)
def test_text_like_inputs_keep_value_and_show_error(field, input_type):
    form_class = make_form(
        {"thing": field, "other": forms.CharField(help_text="Needed")}, base=forms.Form
    )
    form = form_class(data={"thing": "kept value", "other": ""})
    html = render_field(form, "thing")
    tag = tag_with_id(html, "id_thing")
    assert f'type="{input_type}"' in tag
    assert 'value="kept value"' in tag
    assert "required" in tag
    if input_type in ("text", "search"):  # valid: no error
        assert 'class="nhsuk-input"' in tag
        assert "nhsuk-form-group--error" not in html
    else:  # "kept value" is not an email, number or URL
        assert 'class="nhsuk-input nhsuk-input--error"' in tag
        assert 'aria-describedby="id_thing-error"' in tag
        assert '<div class="nhsuk-form-group nhsuk-form-group--error">' in html
        assert 'id="id_thing-error"' in html
        assert '<span class="nhsuk-u-visually-hidden">Error: </span>' in html

    other = render_field(form, "other")
    assert 'aria-describedby="id_other-hint id_other-error"' in tag_with_id(other, "id_other")
    assert "aria-invalid" not in other


def test_input_keeps_widget_attrs_width_class_and_own_described_by():
    form_class = make_form(
        {
            "postcode": forms.CharField(
                help_text="For example, LS1 1AB",
                widget=forms.TextInput(
                    attrs={
                        "class": "nhsuk-input--width-10",
                        "autocomplete": "postal-code",
                        "aria-describedby": "postcode-note",
                        "data-thing": "x",
                    }
                ),
            )
        },
        base=forms.Form,
    )
    tag = tag_with_id(render_field(form_class(), "postcode"), "id_postcode")
    assert 'class="nhsuk-input nhsuk-input--width-10"' in tag
    assert 'autocomplete="postal-code"' in tag
    assert 'data-thing="x"' in tag
    assert 'aria-describedby="postcode-note id_postcode-hint"' in tag
    assert " required" in tag


def test_password_input_is_not_echoed_back():
    form_class = make_form(
        {
            "password": forms.CharField(
                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
            ),
            "other": forms.CharField(),
        },
        base=forms.Form,
    )
    tag = tag_with_id(
        render_field(form_class(data={"password": "secret", "other": ""}), "password"),
        "id_password",
    )
    assert 'type="password"' in tag
    assert "secret" not in tag
    assert 'autocomplete="new-password"' in tag


def test_label_without_show_labels_is_visually_hidden():
    form_class = make_form({"name": forms.CharField()}, base=forms.Form)
    form = form_class()
    form.helper = FormHelper()
    form.helper.form_show_labels = False
    html = render("{% crispy form %}", form=form)
    assert '<label class="nhsuk-label nhsuk-u-visually-hidden" for="id_name">Name</label>' in html


# Textarea and select


def test_textarea_keeps_value_and_error():
    form_class = make_form(
        {"notes": forms.CharField(widget=forms.Textarea), "other": forms.CharField()},
        base=forms.Form,
    )
    html = render_field(form_class(data={"notes": "Line one <b>", "other": ""}), "notes")
    assert 'class="nhsuk-textarea"' in html
    assert "Line one &lt;b&gt;</textarea>" in html
    html = render_field(form_class(data={"notes": ""}), "notes")
    assert 'class="nhsuk-textarea nhsuk-textarea--error"' in html
    assert 'aria-describedby="id_notes-error"' in html


def test_select_with_optgroups_keeps_selected_value():
    form_class = make_form(
        {
            "drug": forms.ChoiceField(
                choices=[
                    ("", "Choose a medicine"),
                    ("Opioids", [("morphine", "Morphine"), ("oxycodone", "Oxycodone")]),
                    ("insulin", "Insulin"),
                ]
            ),
            "other": forms.CharField(),
        },
        base=forms.Form,
    )
    html = render_field(form_class(data={"drug": "oxycodone", "other": ""}), "drug")
    dom = parse_html(html)
    expected = parse_html(
        '<optgroup label="Opioids"><option value="morphine">Morphine</option>'
        '<option value="oxycodone" selected>Oxycodone</option></optgroup>'
    )
    assert expected in dom
    assert parse_html('<option value="">Choose a medicine</option>') in dom
    assert 'class="nhsuk-select"' in html

    html = render_field(form_class(data={"drug": "", "other": ""}), "drug")
    assert 'class="nhsuk-select nhsuk-select--error"' in html
    assert "This field is required." in html


# Radios and checkboxes


def test_radios_keep_choice_after_failed_post_and_summary_links_first_radio():
    form_class = make_form(
        {
            "contact": forms.ChoiceField(choices=CONTACT_CHOICES, widget=forms.RadioSelect),
            "other": forms.CharField(),
        },
        base=forms.Form,
    )
    form = form_class(data={"contact": "phone", "other": ""})
    html = render_field(form, "contact")
    assert "checked" in tag_with_id(html, "id_contact-2")
    assert "checked" not in tag_with_id(html, "id_contact")
    assert '<legend class="nhsuk-fieldset__legend">Contact</legend>' in html

    form = form_class(data={"other": "x"})
    html = render_field(form, "contact")
    assert "aria-describedby" not in tag_with_id(html, "id_contact")  # on the fieldset
    assert '<fieldset class="nhsuk-fieldset" aria-describedby="id_contact-error">' in html
    summary = render("{% nhsuk_error_summary form %}", form=form)
    assert '<a href="#id_contact">This field is required.</a>' in summary


def test_checkboxes_keep_choices_and_classes():
    form_class = make_form(
        {
            "roles": forms.MultipleChoiceField(
                choices=[("mso", "MSO"), ("mss", "MSS"), ("lead", "Lead")],
                widget=forms.CheckboxSelectMultiple(attrs={"class": "nhsuk-checkboxes--small"}),
            ),
            "other": forms.CharField(),
        },
        base=forms.Form,
    )
    html = render_field(form_class(data={"roles": ["mso", "lead"], "other": ""}), "roles")
    assert '<div class="nhsuk-checkboxes nhsuk-checkboxes--small" data-module=' in html
    assert "checked" in tag_with_id(html, "id_roles")
    assert "checked" not in tag_with_id(html, "id_roles-2")
    assert "checked" in tag_with_id(html, "id_roles-3")
    assert 'type="checkbox"' in tag_with_id(html, "id_roles-3")


def test_single_checkbox_is_one_item_checkboxes_without_fieldset():
    form_class = make_form(
        {
            "agree": forms.BooleanField(
                label="I have read the policy",
                help_text="You must agree",
                error_messages={"required": "Confirm you have read the policy"},
            ),
            "other": forms.CharField(),
        },
        base=forms.Form,
    )
    html = render_field(form_class(data={"other": "x"}), "agree")
    assert "<fieldset" not in html
    assert '<div class="nhsuk-form-group nhsuk-form-group--error">' in html
    tag = tag_with_id(html, "id_agree")
    assert 'class="nhsuk-checkboxes__input"' in tag
    assert 'aria-describedby="id_agree-error id_agree-item-hint"' in tag
    assert "checked" not in tag
    assert "Confirm you have read the policy" in html
    assert '<div class="nhsuk-hint nhsuk-checkboxes__hint" id="id_agree-item-hint">' in html
    assert html.count("nhsuk-checkboxes__item") == 1

    html = render_field(form_class(data={"agree": "on", "other": ""}), "agree")
    assert "checked" in tag_with_id(html, "id_agree")
    assert "nhsuk-form-group--error" not in html


# Date input


class DateForm(forms.Form):
    reported_on = NHSDateField(label="Date reported", help_text="For example, 15 3 2024")
    other = forms.CharField(required=False)


def test_date_input_keeps_values_and_marks_only_the_missing_part():
    form = DateForm(data={"reported_on_day": "31", "reported_on_year": "2024"})
    html = render_field(form, "reported_on")
    assert '<fieldset class="nhsuk-fieldset" role="group"' in html
    assert '<legend class="nhsuk-fieldset__legend">Date reported</legend>' in html
    assert 'aria-describedby="id_reported_on-hint id_reported_on-error"' in html
    assert "Date reported must include a month" in html
    day = tag_with_id(html, "id_reported_on-day")
    month = tag_with_id(html, "id_reported_on-month")
    year = tag_with_id(html, "id_reported_on-year")
    assert 'value="31"' in day and "nhsuk-input--error" not in day
    assert "nhsuk-input--error" in month and "value=" not in month
    assert 'value="2024"' in year and "nhsuk-input--width-4" in year
    for tag in (day, month, year):
        assert 'inputmode="numeric"' in tag
    summary = render("{% nhsuk_error_summary form %}", form=form)
    assert '<a href="#id_reported_on-day">Date reported must include a month</a>' in summary


def test_date_input_marks_every_part_for_an_impossible_date_error_from_the_form():
    form = DateForm(
        data={"reported_on_day": "1", "reported_on_month": "1", "reported_on_year": "2024"}
    )
    assert form.is_valid()
    form.add_error("reported_on", "Date reported must be after the incident")
    html = render_field(form, "reported_on")
    assert html.count("nhsuk-input--error") == 3


def test_date_input_round_trips_an_initial_date():
    form = DateForm(initial={"reported_on": datetime.date(2024, 8, 5)})
    html = render_field(form, "reported_on")
    values = {
        part: re.search(r'value="(\d+)"', tag_with_id(html, f"id_reported_on-{part}")).group(1)
        for part in ("day", "month", "year")
    }
    assert values == {"day": "5", "month": "8", "year": "2024"}
    data = {f"reported_on_{part}": value for part, value in values.items()}
    bound = DateForm(data=data, initial={"reported_on": datetime.date(2024, 8, 5)})
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["reported_on"] == datetime.date(2024, 8, 5)
    assert not bound.has_changed()


def test_date_input_autocomplete_is_given_per_part():
    form_class = make_form(
        {"dob": NHSDateField(widget=NHSDateInput(attrs={"autocomplete": "bday"}))},
        base=forms.Form,
    )
    html = render_field(form_class(), "dob")
    assert 'autocomplete="bday-day"' in tag_with_id(html, "id_dob-day")
    assert 'autocomplete="bday-year"' in tag_with_id(html, "id_dob-year")


# NHSDateField validation


def clean_date(day, month, year, **field_kwargs):
    field_kwargs.setdefault("label", "Date of birth")
    return NHSDateField(**field_kwargs).clean([day, month, year])


def date_error(day, month, year, **field_kwargs):
    with pytest.raises(forms.ValidationError) as caught:
        clean_date(day, month, year, **field_kwargs)
    (error,) = caught.value.error_list
    return error.code, error.message % error.params, error.params["nhsuk_parts"]


@pytest.mark.parametrize(
    ("parts", "message", "marked"),
    [
        (("", "3", "1980"), "Date of birth must include a day", ("day",)),
        (("31", "", "1980"), "Date of birth must include a month", ("month",)),
        (("31", "3", ""), "Date of birth must include a year", ("year",)),
        (("", "", "1980"), "Date of birth must include a day and month", ("day", "month")),
        (("", "3", ""), "Date of birth must include a day and year", ("day", "year")),
        (("31", "", ""), "Date of birth must include a month and year", ("month", "year")),
    ],
)
def test_date_field_names_the_missing_parts(parts, message, marked):
    assert date_error(*parts) == ("incomplete", message, marked)


@pytest.mark.parametrize(
    ("parts", "marked"),
    [
        (("31", "2", "2023"), ("day", "month")),
        (("29", "2", "2023"), ("day", "month")),
        (("32", "1", "2023"), ("day",)),
        (("0", "1", "2023"), ("day",)),
        (("1", "13", "2023"), ("month",)),
        (("1", "0", "2023"), ("month",)),
        (("1", "1", "0000"), ("year",)),
        (("ab", "1", "2023"), ("day",)),
        (("1", "x", "2023"), ("month",)),
        (("1.5", "1", "2023"), ("day",)),
        (("-1", "1", "2023"), ("day",)),
        (("1", "1", "20a3"), ("year",)),
        (("١", "1", "2023"), ("day",)),  # non-ASCII digits
    ],
)
def test_date_field_rejects_dates_that_are_not_real(parts, marked):
    assert date_error(*parts) == ("invalid", "Date of birth must be a real date", marked)


@pytest.mark.parametrize("year", ["99", "123", "20245"])
def test_date_field_needs_a_four_digit_year(year):
    assert date_error("1", "2", year) == ("year_length", "Year must include 4 numbers", ("year",))


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (("29", "2", "2024"), datetime.date(2024, 2, 29)),
        ((" 05 ", "03", " 1980"), datetime.date(1980, 3, 5)),
        (("5", "Mar", "1980"), datetime.date(1980, 3, 5)),
        (("5", "september", "1980"), datetime.date(1980, 9, 5)),
        (("5", "Sept", "1980"), datetime.date(1980, 9, 5)),
        (("31", "12", "2023"), datetime.date(2023, 12, 31)),
    ],
)
def test_date_field_accepts_real_dates(parts, expected):
    assert clean_date(*parts) == expected


def test_blank_optional_date_is_none_and_blank_required_date_is_an_error():
    assert clean_date("", "", "", required=False) is None
    assert clean_date(" ", None, "", required=False) is None
    assert date_error("", "", "") == (
        "required",
        "Enter date of birth",
        ("day", "month", "year"),
    )
    assert date_error("", "", "", label=None)[1] == "Enter a date"
    with pytest.raises(forms.ValidationError, match="Enter the start date"):
        clean_date("", "", "", error_messages={"required": "Enter the start date"})


def test_date_field_subject_and_custom_messages():
    assert date_error("1", "", "2020", label="When did it happen?")[1] == (
        "Date must include a month"
    )
    assert date_error("1", "", "2020", subject="Incident date")[1] == (
        "Incident date must include a month"
    )
    custom = {"invalid": "Enter a real %(subject_lower)s"}
    assert date_error("40", "1", "2020", error_messages=custom)[1] == ("Enter a real date of birth")


def test_date_field_can_refuse_future_dates():
    today = datetime.date.today()
    assert clean_date(str(today.day), str(today.month), str(today.year), allow_future=False)
    assert date_error("1", "1", "2999", allow_future=False) == (
        "future",
        "Date of birth must be today or in the past",
        ("day", "month", "year"),
    )
    assert clean_date("1", "1", "2999") == datetime.date(2999, 1, 1)


def test_date_field_to_python_takes_dates_and_iso_strings():
    field = NHSDateField()
    assert field.to_python(datetime.date(2024, 1, 2)) == datetime.date(2024, 1, 2)
    assert field.to_python("2024-01-02") == datetime.date(2024, 1, 2)
    with pytest.raises(forms.ValidationError, match="Date must be a real date"):
        field.to_python("not a date")
    assert NHSDateInput().decompress("2024-01-02") == ["2", "1", "2024"]
    assert NHSDateInput().decompress(None) == [None, None, None]


# File upload and hidden inputs


class FakeFile:
    url = "/media/report.pdf"

    def __str__(self):
        return "report.pdf"


def test_clearable_file_input_shows_current_file_and_remove_checkbox():
    form_class = make_form(
        {"attachment": forms.FileField(required=False, help_text="A PDF")}, base=forms.Form
    )
    html = render_field(form_class(initial={"attachment": FakeFile()}), "attachment")
    assert (
        '<div class="nhsuk-form-group nhsuk-file-upload" data-module="nhsuk-file-upload">' in html
    )
    tag = tag_with_id(html, "id_attachment")
    assert 'class="nhsuk-file-upload__input"' in tag
    assert 'type="file"' in tag
    assert 'aria-describedby="id_attachment-hint"' in tag
    assert "checked" not in tag
    assert "report.pdf" in html
    assert "/media/report.pdf" not in html  # never a link to where it is stored
    assert 'name="attachment-clear"' in tag_with_id(html, "attachment-clear_id")


def test_file_upload_error():
    form_class = make_form({"attachment": forms.FileField()}, base=forms.Form)
    form = form_class(data={}, files={"attachment": SimpleUploadedFile("a.txt", b"")})
    html = render_field(form, "attachment")
    assert "nhsuk-form-group--error nhsuk-file-upload" in html
    assert "The submitted file is empty." in html


def test_hidden_input_is_plain():
    form_class = make_form(
        {"next": forms.CharField(widget=forms.HiddenInput), "name": forms.CharField()},
        base=forms.Form,
    )
    html = render("{{ form|crispy }}", form=form_class(initial={"next": "/home"}))
    assert '<input type="hidden" name="next" value="/home" id="id_next">' in html
    assert "Next" not in html


# Whole forms: filter, tag, layout objects, non-field errors, error summary


class ReportForm(forms.Form):
    title = forms.CharField(label="Title")
    description = forms.CharField(label="What happened?", widget=forms.Textarea)
    severity = forms.ChoiceField(
        label="Severity", choices=[("low", "Low"), ("high", "High")], widget=forms.RadioSelect
    )
    happened_on = NHSDateField(label="Date it happened", required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("title") == "duplicate":
            raise forms.ValidationError("A report with this title already exists")
        return cleaned


def test_crispy_filter_renders_fields_without_form_tag():
    html = render("{{ form|crispy }}", form=ReportForm())
    assert "<form" not in html
    assert "csrfmiddlewaretoken" not in html
    for id_ in ("id_title", "id_description", "id_severity", "id_happened_on-day"):
        tag_with_id(html, id_)


def test_crispy_tag_renders_form_with_csrf_token_and_novalidate():
    form = ReportForm()
    form.helper = FormHelper()
    form.helper.form_action = "/reports/new"
    html = render("{% crispy form %}", form=form, csrf_token="token123")
    assert re.search(r'<form action="/reports/new" method="post" novalidate>', html)
    assert '<input type="hidden" name="csrfmiddlewaretoken" value="token123">' in html
    assert html.strip().endswith("</form>")


def test_crispy_tag_uses_multipart_for_files():
    form_class = make_form({"attachment": forms.FileField()}, base=forms.Form)
    html = render("{% crispy form %}", form=form_class(), csrf_token="t")
    assert 'enctype="multipart/form-data"' in html


def test_crispy_layout_objects():
    form = ReportForm(data={"title": "", "severity": "high"})
    form.helper = FormHelper()
    form.helper.layout = Layout(
        Fieldset(
            "About the incident",
            Field("title", css_class="nhsuk-input--width-20", wrapper_class="mso-title"),
            "description",
        ),
        Div("severity", css_class="mso-box", css_id="severity-box"),
        HTML("<p class='nhsuk-body'>Hello {{ who }}</p>"),
        "happened_on",
        Submit("save", "Save report"),
        Button("back", "Go back", css_class="nhsuk-button--secondary"),
    )
    form.helper.add_input(Submit("draft", "Save as draft", css_class="nhsuk-button--secondary"))
    html = render("{% crispy form %}", form=form, csrf_token="t", who="Sam")
    dom = parse_html(html)

    fieldset = find(dom, "fieldset", "nhsuk-fieldset")
    assert fieldset.children[0] == parse_html(
        '<legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--m">'
        "About the incident</legend>"
    )
    assert '<div class="nhsuk-form-group nhsuk-form-group--error mso-title">' in html
    tag = tag_with_id(html, "id_title")
    assert 'class="nhsuk-input nhsuk-input--error nhsuk-input--width-20"' in tag
    assert '<div id="severity-box" class="mso-box">' in html
    assert "checked" in tag_with_id(html, "id_severity-2")
    assert "<p class='nhsuk-body'>Hello Sam</p>" in html
    assert (
        parse_html(
            '<button class="nhsuk-button" data-module="nhsuk-button" id="submit-id-save" '
            'name="save" type="submit" value="Save report">Save report</button>'
        )
        in dom
    )
    assert (
        parse_html(
            '<button class="nhsuk-button nhsuk-button--secondary" data-module="nhsuk-button" '
            'id="button-id-back" name="back" type="button" value="Go back">Go back</button>'
        )
        in dom
    )
    group = find(dom, "div", "nhsuk-button-group")
    assert group.children == [
        parse_html(
            '<button class="nhsuk-button nhsuk-button--secondary" data-module="nhsuk-button" '
            'id="submit-id-draft" name="draft" type="submit" value="Save as draft">'
            "Save as draft</button>"
        )
    ]
    assert "btn" not in html


def test_non_field_errors_in_form_and_in_summary():
    form = ReportForm(data={"title": "duplicate", "description": "x", "severity": "low"})
    assert not form.is_valid()
    html = render("{{ form|crispy }}", form=form)
    assert parse_html(
        '<div class="nhsuk-form-group nhsuk-form-group--error"><span class="nhsuk-error-message">'
        '<span class="nhsuk-u-visually-hidden">Error: </span>'
        "A report with this title already exists</span></div>"
    ) in parse_html(html)
    summary = render("{% nhsuk_error_summary form %}", form=form)
    # An error about the whole form links to its first field (the service manual: every error
    # in the summary links to a field).
    assert '<a href="#id_title">A report with this title already exists</a>' in summary
    assert 'role="alert"' in summary
    assert "There is a problem" in summary


def test_error_summary_only_when_there_are_errors_and_takes_two_forms():
    assert render("{% nhsuk_error_summary form %}", form=ReportForm()).strip() == ""
    valid = ReportForm(data={"title": "T", "description": "D", "severity": "low"})
    assert render("{% nhsuk_error_summary form %}", form=valid).strip() == ""

    invalid = ReportForm(data={"title": "T", "severity": "low", "happened_on_day": "40"})
    other_class = make_form({"email": forms.EmailField()}, base=forms.Form)
    other = other_class(data={"contact-email": "nope"}, prefix="contact")
    summary = render("{% nhsuk_error_summary form other %}", form=invalid, other=other)
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', summary)
    assert links == [
        ("#id_description", "This field is required."),
        ("#id_happened_on-day", "Date it happened must include a month and year"),
        ("#id_contact-email", "Enter a valid email address."),
    ]
    assert render("{% nhsuk_error_summary form missing %}", form=ReportForm()).strip() == ""


def test_button_tag_options():
    html = render('{% nhsuk_button "Search" variant="secondary" type="button" name="go" %}')
    assert_same_html(
        html,
        '<button class="nhsuk-button nhsuk-button--secondary" data-module="nhsuk-button" '
        'name="go" type="button">Search</button>',
    )
    with pytest.raises(TemplateSyntaxError):
        render('{% nhsuk_button "Oops" variant="green" %}')


def test_formsets_render_and_are_summarised():
    formset_class = forms.formset_factory(
        make_form({"name": forms.CharField()}, base=forms.Form), extra=0, min_num=1
    )
    formset = formset_class(
        data={"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-0-name": ""}
    )
    html = render("{{ formset|crispy }}", formset=formset)
    assert 'name="form-TOTAL_FORMS"' in html
    assert 'aria-describedby="id_form-0-name-error"' in tag_with_id(html, "id_form-0-name")
    summary = render("{% nhsuk_error_summary formset %}", formset=formset)
    assert '<a href="#id_form-0-name">This field is required.</a>' in summary

    html = render(
        "{% crispy formset helper %}", formset=formset, helper=FormHelper(), csrf_token="t"
    )
    assert re.search(r'<form method="post" novalidate>', html)
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="form-TOTAL_FORMS"' in html
    assert "id_form-0-name-error" in html


def test_radios_with_conditional_content_match_fixture():
    """NHS.UK conditional content: the fields shown under a choice, drawn there and not in
    their own place."""
    form_class = make_form(
        {
            "example": forms.ChoiceField(
                label="How do you want to be contacted about this?",
                help_text="Select 1 option",
                choices=CONTACT_CHOICES,
                required=False,
                widget=NHSRadioSelect(
                    attrs={"id": "conditional"},
                    conditionals={
                        "email": ["contact-by-email"],
                        "phone": ["contact-by-phone"],
                        "text": ["contact-by-text"],
                    },
                ),
            ),
            "contact-by-email": forms.CharField(
                label="Email address",
                required=False,
                widget=forms.TextInput(
                    attrs={
                        "id": "contact-by-email",
                        "class": "nhsuk-u-width-two-thirds",
                        "spellcheck": "false",
                    }
                ),
            ),
            "contact-by-phone": forms.CharField(
                label="Phone number",
                required=False,
                widget=forms.TextInput(
                    attrs={
                        "id": "contact-by-phone",
                        "class": "nhsuk-u-width-two-thirds",
                        "type": "tel",
                    }
                ),
            ),
            "contact-by-text": forms.CharField(
                label="Mobile phone number",
                required=False,
                widget=forms.TextInput(
                    attrs={
                        "id": "contact-by-text",
                        "class": "nhsuk-u-width-two-thirds",
                        "type": "tel",
                    }
                ),
            ),
        }
    )
    form = form_class()
    expected = find(
        parse_html(fixture_html("radios", "with conditional content")), "div", "nhsuk-radios"
    )
    assert find(parse_html(render_field(form, "example")), "div", "nhsuk-radios") == expected
    assert render_field(form, "contact-by-email").strip() == ""  # not again in its own place
    shown = render_field(form_class(data={"example": "phone"}), "example")
    assert 'class="nhsuk-radios__conditional" id="conditional-conditional-2"' in shown
