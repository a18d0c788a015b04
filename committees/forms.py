"""The forms of committees and their meetings. What a form cannot know (one chair at a time,
quorum) the services check, and the views put their messages on the fields."""

import datetime

from django import forms
from django.utils import timezone

from accounts.models import User
from core.action_forms import ProgressForm
from core.forms import ErrorsOnFields
from core.nhsuk_forms.fields import (
    NHSDateField,
    NHSTimeField,
    picked_from,
    radios,
    select,
    text_box,
    text_field,
)
from core.nhsuk_forms.widgets import NHSCheckboxSelectMultiple
from organisations.choices import Region
from organisations.picking import offer_members

from .choices import Attendance, Discipline, Frequency, Seat
from .models import MeetingAction


class CommitteeForm(forms.Form):
    name = text_field(
        "Name",
        max_length=200,
        message="Enter the committee's name",
        initial="Medication Safety Committee",
    )
    reports_to = text_field(
        "Reports to",
        max_length=200,
        message="Enter who the committee reports to",
        help_text="The committee or board it gives assurance to, for example the Quality and "
        "Safety Committee",
    )
    frequency = radios(
        "How often does it meet?", Frequency.choices, message="Select how often it meets"
    )
    quorum_members = forms.IntegerField(
        label="Members present for a quorum",
        min_value=1,
        max_value=50,
        initial=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-3"}),
        error_messages={
            "required": "Enter how many members make a quorum",
            "invalid": "Enter how many members make a quorum, as a number like 4",
            "min_value": "A quorum is at least 1 member",
            "max_value": "A quorum is at most 50 members",
        },
    )
    quorum_disciplines = forms.MultipleChoiceField(
        label="Disciplines that must be present (optional)",
        choices=[(value, label) for value, label in Discipline.choices if value != "other"],
        required=False,
        widget=NHSCheckboxSelectMultiple,
    )
    quorum_patient_representative = forms.BooleanField(
        label="The patient or lived-experience partner must be present", required=False
    )


class TermsForm(forms.Form):
    text = text_box(
        "Terms of reference", max_length=20000, message="Enter the terms of reference", rows=14
    )
    approved_on = NHSDateField(
        label="Date approved", allow_future=False, help_text="For example, 1 4 2026"
    )
    approved_by = text_field(
        "Approved by",
        max_length=200,
        message="Enter who approved them",
        help_text="For example, the Quality and Safety Committee",
    )


class MemberForm(ErrorsOnFields, forms.Form):
    errors_field = "has_account"
    has_account = radios(
        "Does this person have an MSO Portal account?",
        [("yes", "Yes"), ("no", "No")],
        message="Select whether they have an account",
        conditionals={"yes": ["user"], "no": ["name"]},
    )
    user = picked_from(
        "Who is it?",
        User.objects.none(),
        message="Choose a member of the organisation",
        required=False,
        empty_label="Choose a member of the organisation",
    )
    name = text_field("Their name", max_length=200, required=False)
    seat = radios("Their seat", Seat.choices, message="Select their seat")
    discipline = select(
        "Their discipline",
        [("", "Choose a discipline"), *Discipline.choices],
        message="Choose their discipline",
    )
    start_on = NHSDateField(label="First day on the committee", help_text="For example, 1 4 2026")

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        offer_members(self.fields["user"], organisation)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("has_account") == "yes" and not cleaned.get("user"):
            self.add_error("user", "Choose who it is")
        if cleaned.get("has_account") == "no":
            cleaned["user"] = None
            if not cleaned.get("name", "").strip():
                self.add_error("name", "Enter their name")
        return cleaned


class EndSeatForm(forms.Form):
    end_on = NHSDateField(label="Last day on the committee", help_text="For example, 31 3 2027")


class MeetingForm(forms.Form):
    on = NHSDateField(label="Date", help_text="For example, 12 1 2027")
    starts = NHSTimeField(label="Starts", subject="start time", help_text="For example, 14:00")
    ends = NHSTimeField(label="Ends", subject="end time", help_text="For example, 16:00")
    location = forms.CharField(
        label="Where (optional)",
        max_length=200,
        required=False,
        help_text="A room, or Microsoft Teams",
    )

    def clean(self):
        cleaned = super().clean()
        on, starts, ends = (cleaned.get(name) for name in ("on", "starts", "ends"))
        if on and starts and ends:
            zone = timezone.get_current_timezone()
            cleaned["starts_at"] = datetime.datetime.combine(on, starts, tzinfo=zone)
            cleaned["ends_at"] = datetime.datetime.combine(on, ends, tzinfo=zone)
        return cleaned

    @classmethod
    def initial_for(cls, meeting) -> dict:
        starts, ends = timezone.localtime(meeting.starts_at), timezone.localtime(meeting.ends_at)
        return {
            "on": starts.date(),
            "starts": f"{starts:%H:%M}",
            "ends": f"{ends:%H:%M}",
            "location": meeting.location,
        }


class AgendaItemForm(forms.Form):
    title = forms.CharField(label="Item", max_length=300, required=False)
    notes = forms.CharField(
        label="Notes (optional)",
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    source = forms.CharField(required=False, widget=forms.HiddenInput)
    about = forms.CharField(required=False, max_length=60, widget=forms.HiddenInput)


AgendaFormSet = forms.formset_factory(AgendaItemForm, extra=3, max_num=60)


def agenda_items(formset) -> list[tuple[str, str, str, str]]:
    """The items kept: those with a title, in order."""
    return [
        (f["title"].strip(), f["notes"].strip(), f["source"], f["about"])
        for f in (form.cleaned_data for form in formset.forms if form.cleaned_data)
        if f.get("title", "").strip()
    ]


class AttendanceForm(forms.Form):
    """A status for each seat held on the day of the meeting, as a radio group each."""

    def __init__(self, *args, seats, **kwargs):
        super().__init__(*args, **kwargs)
        self.seats = seats
        for seat in seats:
            self.fields[f"seat_{seat.pk}"] = radios(
                f"{seat.holder_name} ({seat.get_seat_display().lower()}, "
                f"{seat.get_discipline_display().lower()})",
                Attendance.choices,
                message=f"Select whether {seat.holder_name} attended",
                inline=True,
            )

    def statuses(self) -> dict[int, str]:
        return {seat.pk: self.cleaned_data[f"seat_{seat.pk}"] for seat in self.seats}


class MinutesForm(forms.Form):
    minutes = text_box("Minutes", max_length=50000, message="Enter the minutes", rows=14)
    decisions = forms.CharField(
        label="Decisions (optional)",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="One decision a line",
    )

    def decision_list(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["decisions"].splitlines()]


class ActionForm(forms.Form):
    description = text_box("What needs doing?", max_length=3000, message="Enter what needs doing")
    owner = picked_from(
        "Who owns it?",
        User.objects.none(),
        message="Choose a member of the organisation",
        required=False,
        empty_label="Choose a member of the organisation",
    )
    due_on = NHSDateField(label="Due", required=False, help_text="For example, 28 2 2027")

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        offer_members(self.fields["owner"], organisation)


class ActionUpdateForm(ProgressForm):
    model = MeetingAction


class ReportForm(forms.Form):
    period_start = NHSDateField(label="First day", help_text="For example, 1 7 2026")
    period_end = NHSDateField(label="Last day", help_text="For example, 30 9 2026")


class NarrativeForm(forms.Form):
    text = text_box(
        "The chair's narrative",
        required=False,
        max_length=10000,
        rows=10,
        help_text="What the figures mean for the board: what is assured, what is not, and what "
        "the committee is doing about it",
    )


class CompareForm(forms.Form):
    """Which approved reports to set side by side: one period, in a region or all."""

    period = forms.ChoiceField(label="Period", required=False)
    region = forms.ChoiceField(
        label="Region", choices=[("", "All regions"), *Region.choices], required=False
    )

    def __init__(self, data=None, *, periods):
        super().__init__(data)
        self.fields["period"].choices = [
            (self.key(start, end), f"{start:%-d %B %Y} to {end:%-d %B %Y}")
            for start, end in periods
        ]

    @staticmethod
    def key(start, end) -> str:
        return f"{start:%Y-%m-%d}_{end:%Y-%m-%d}"

    def values(self) -> dict:
        return self.cleaned_data if self.is_valid() else {}
