import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from mso_portal import uploads
from mso_portal.nhsuk_forms.fields import NHSDateField
from mso_portal.nhsuk_forms.widgets import NHSRadioSelect
from organisations.choices import OrganisationKind, Region
from organisations.forms import SearchForm

from .models import BuddyOffer, BuddyRequest, Event, Resource

TIME = re.compile(r"^\s*([01]?\d|2[0-3])[:.]([0-5]\d)\s*$")


class TimeField(forms.Field):
    """A time of day typed as 24-hour hours and minutes, like 14:30."""

    def __init__(self, *, subject, **kwargs):
        self.subject = subject
        super().__init__(
            widget=forms.TextInput(
                attrs={"inputmode": "numeric", "maxlength": 5, "class": "nhsuk-input--width-5"}
            ),
            error_messages={"required": f"Enter the {subject}"},
            **kwargs,
        )

    def to_python(self, value):
        value = (value or "").strip()
        if not value:
            return None
        match = TIME.match(value)
        if not match:
            raise ValidationError(
                f"Enter the {self.subject} as hours and minutes, like 14:30", code="invalid"
            )
        return datetime.time(int(match[1]), int(match[2]))


class EventForm(forms.ModelForm):
    on = NHSDateField(
        label="Date",
        help_text="For example, 12 1 2027",
        error_messages={"required": "Enter the date of the event"},
    )
    starts = TimeField(label="Starts", subject="start time", help_text="For example, 12:30")
    ends = TimeField(label="Ends", subject="end time", help_text="For example, 13:30")
    joining_link = forms.URLField(
        label="Joining link (optional)",
        help_text="The address of the online meeting, beginning https://",
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={"invalid": "Enter a web address, like https://meet.example/abc"},
    )

    class Meta:
        model = Event
        fields = ["title", "joining_link", "agenda"]
        labels = {"title": "Title"}
        error_messages = {"title": {"required": "Enter the title of the event"}}
        widgets = {"agenda": forms.Textarea(attrs={"rows": 5})}

    field_order = ["title", "on", "starts", "ends", "joining_link", "agenda"]

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.network = network
        if self.instance.pk:
            starts = timezone.localtime(self.instance.starts_at)
            ends = timezone.localtime(self.instance.ends_at)
            self.initial.update(
                {"on": starts.date(), "starts": f"{starts:%H:%M}", "ends": f"{ends:%H:%M}"}
            )
        self.fields["agenda"].label = "Agenda (optional)"

    def clean_joining_link(self):
        link = self.cleaned_data["joining_link"]
        if link and not link.startswith("https://"):
            raise ValidationError("The joining link must begin https://")
        return link

    def clean(self):
        cleaned = super().clean()
        on, starts, ends = (cleaned.get(name) for name in ("on", "starts", "ends"))
        if on and starts and ends:
            zone = timezone.get_current_timezone()
            self.instance.starts_at = datetime.datetime.combine(on, starts, tzinfo=zone)
            self.instance.ends_at = datetime.datetime.combine(on, ends, tzinfo=zone)
            if ends <= starts:
                self.add_error("ends", "The end time must be after the start time")
        return cleaned


class ResourceForm(forms.Form):
    """Share a document or a link. The file is checked by its content (uploads.py)."""

    title = forms.CharField(
        label="Title",
        max_length=200,
        error_messages={"required": "Enter a title"},
    )
    shape = forms.ChoiceField(
        label="What are you sharing?",
        choices=[("file", "A document"), ("link", "A link to a web page")],
        widget=NHSRadioSelect(conditionals={"file": ["file"], "link": ["link"]}),
        error_messages={"required": "Select whether you are sharing a document or a link"},
    )
    file = forms.FileField(
        label="Document",
        required=False,
        widget=forms.FileInput,
        error_messages={"empty": "The file is empty"},
        help_text="A PDF, Word, Excel, PowerPoint, OpenDocument, image, CSV or text file "
        "smaller than 10 MB",
    )
    link = forms.URLField(
        label="Web address",
        assume_scheme="https",
        required=False,
        max_length=500,
        help_text="For example, https://www.england.nhs.uk/patient-safety/",
        error_messages={"invalid": "Enter a web address, like https://www.nhs.uk"},
    )
    description = forms.CharField(
        label="What it is and why it helps (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    tags = forms.CharField(
        label="Tags (optional)",
        required=False,
        max_length=300,
        help_text="Separate them with commas, for example: insulin, handover, audit",
    )

    def __init__(self, *args, too_big=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_big = too_big
        self.fields[
            "file"
        ].help_text = f"A {uploads.accepted_list()} file, smaller than {uploads.limit()}"

    def clean(self):
        cleaned = super().clean()
        shape = cleaned.get("shape")
        if shape == "file":
            upload = cleaned.get("file")
            if self.too_big:
                self.add_error("file", uploads.too_big())
            elif not upload:
                self.add_error("file", "Select the document to share")
            else:
                try:
                    kind, content_type, name = uploads.identify(upload)
                except ValidationError as error:
                    self.add_error("file", error)
                else:
                    cleaned["identified"] = (content_type, name)
        elif shape == "link":
            if not cleaned.get("link") and "link" not in self.errors:
                self.add_error("link", "Enter the web address")
            elif cleaned.get("link") and not cleaned["link"].startswith("https://"):
                self.add_error("link", "The web address must begin https://")
        return cleaned

    def resource(self, network) -> Resource:
        data = self.cleaned_data
        resource = Resource(network=network, title=data["title"], description=data["description"])
        if data["shape"] == "file":
            resource.content_type, resource.filename = data["identified"]
            resource.size = data["file"].size
            resource.file = data["file"]
        else:
            resource.link = data["link"]
        return resource


class ResourceSearchForm(SearchForm):
    q = forms.CharField(label="Search the library", required=False, max_length=100)
    tag = forms.CharField(required=False, max_length=50)


class BuddyOfferForm(forms.ModelForm):
    sectors = forms.MultipleChoiceField(
        label="Which kinds of organisation do you know well?",
        help_text="Select all that apply",
        choices=OrganisationKind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one kind of organisation"},
    )
    capacity = forms.TypedChoiceField(
        label="How many new MSOs could you support at a time?",
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Select how many new MSOs you could support"},
    )
    region = forms.ChoiceField(
        label="Your region",
        choices=Region.choices,
        error_messages={"required": "Select your region"},
    )

    class Meta:
        model = BuddyOffer
        fields = ["capacity", "sectors", "region", "note", "active"]
        labels = {
            "note": "Anything a new MSO should know about you (optional)",
            "active": "I can take on a new MSO now",
        }
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}


class BuddyRequestForm(forms.ModelForm):
    class Meta:
        model = BuddyRequest
        fields = ["organisation", "note"]
        labels = {
            "organisation": "Which organisation are you the MSO of?",
            "note": "What would help you most (optional)",
        }
        widgets = {"organisation": forms.RadioSelect, "note": forms.Textarea(attrs={"rows": 3})}
        error_messages = {
            "organisation": {
                "required": "Select your organisation",
                "invalid_choice": "Select an organisation where you are the MSO",
            }
        }

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].empty_label = None
