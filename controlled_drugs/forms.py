from django import forms

from core.nhsuk_forms.fields import NHSDateField, radios, text_box, text_field
from incidents.forms import NoPatientIdentifiers

from .models import Concern


class ConcernForm(NoPatientIdentifiers, forms.Form):
    """A concern about an individual, as the CDAO records it. It names a member of staff; it
    names no patient."""

    checked_text = ("concern",)

    received_on = NHSDateField(
        label="When was the concern raised with you?", allow_future=False, message="Enter the date"
    )
    source = radios(
        "Who raised it?", Concern.Source.choices, message="Select who raised the concern"
    )
    about = text_field(
        "Who is the concern about?",
        max_length=200,
        message="Enter who the concern is about",
        help_text="Their name and role, for example Alex Brown, staff nurse",
    )
    works_at = text_field(
        "Where do they work?",
        max_length=200,
        required=False,
        help_text="The ward, practice or pharmacy, if it is not obvious",
    )
    concern = text_box("What is the concern?", max_length=5000, message="Enter the concern")
    medicines = text_field("Which controlled drugs are involved?", max_length=300, required=False)


class ConcernProgressForm(NoPatientIdentifiers, forms.Form):
    checked_text = ("action_taken",)

    action_taken = text_box("What has been done?", max_length=5000, required=False)
    shared_with_lin_on = NHSDateField(
        label="When was it shared with the Local Intelligence Network?",
        allow_future=False,
        required=False,
        help_text="Leave it empty if it has not been shared",
    )
    state = radios("Is it open or closed?", Concern.State.choices, message="Select open or closed")

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("state") == Concern.State.CLOSED
            and not (cleaned.get("action_taken") or "").strip()
        ):
            self.add_error("action_taken", "Enter what was done before closing the concern")
        return cleaned


class RaiseConcernForm(ConcernForm):
    """A concern as a member of staff raises it: the day is today and they raised it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["received_on"]
        del self.fields["source"]
        self.fields["works_at"].help_text = "The ward, department or team, if it is not yours"
        self.fields["about_the_cdao"] = forms.BooleanField(
            label="It is about the controlled drugs accountable officer",
            required=False,
            help_text="Then it goes to NHS England's regional controlled drugs accountable "
            "officer instead",
        )
