import datetime
import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from core import uploads
from core.nhsuk_forms.fields import (
    NHSDateField,
    NHSTimeField,
    checkboxes,
    choose_from,
    file_field,
    radios,
    select,
    text_box,
    text_field,
    web_address,
)
from organisations.choices import OrganisationKind, Region
from organisations.forms import SearchForm, known_organisations

from .models import BuddyOffer, BuddyRequest, Event, Network, Resource, WebinarOffer, WorkplanItem


class EventForm(forms.ModelForm):
    title = text_field("Title", max_length=200, message="Enter the title of the event")
    on = NHSDateField(
        label="Date", help_text="For example, 12 1 2027", message="Enter the date of the event"
    )
    starts = NHSTimeField(label="Starts", subject="start time", help_text="For example, 12:30")
    ends = NHSTimeField(label="Ends", subject="end time", help_text="For example, 13:30")
    joining_link = web_address(
        "Joining link (optional)",
        example="https://meet.example/abc",
        help_text="The address of the online meeting, beginning https://",
    )

    class Meta:
        model = Event
        fields = ["title", "joining_link", "agenda"]
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

    title = text_field("Title", max_length=200, message="Enter a title")
    shape = radios(
        "What are you sharing?",
        [("file", "A document"), ("link", "A link to a web page")],
        message="Select whether you are sharing a document or a link",
        conditionals={"file": ["file"], "link": ["link"]},
    )
    file = file_field(
        "Document",
        required=False,
        widget=forms.FileInput,
        help_text="A PDF, Word, Excel, PowerPoint, OpenDocument, image, CSV or text file "
        "smaller than 10 MB",
    )
    link = web_address(
        "Web address",
        example="https://www.nhs.uk",
        help_text="For example, https://www.england.nhs.uk/patient-safety/",
    )
    description = text_box(
        "What it is and why it helps (optional)",
        required=False,
        max_length=2000,
        rows=3,
        too_long="What it is and why it helps must be 2,000 characters or fewer",
    )
    tags = text_field(
        "Tags (optional)",
        required=False,
        max_length=300,
        too_long="Tags must be 300 characters or fewer",
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
            if not upload and not self.too_big:
                self.add_error("file", "Select the document to share")
            elif identified := uploads.check(self, upload, over_limit=self.too_big):
                cleaned["identified"] = identified
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
    sectors = checkboxes(
        "Which kinds of organisation do you know well?",
        OrganisationKind.choices,
        message="Select at least one kind of organisation",
        help_text="Select all that apply",
    )
    capacity = radios(
        "How many new MSOs could you support at a time?",
        [(n, str(n)) for n in range(1, 6)],
        message="Select how many new MSOs you could support",
        field=forms.TypedChoiceField,
        coerce=int,
    )
    region = select("Your region", Region.choices, message="Select your region")

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


class ODSCodesField(forms.CharField):
    """Organisations typed by their ODS codes, separated by commas or spaces: each must be an
    organisation the service holds."""

    def clean(self, value):
        value = super().clean(value)
        codes = list(dict.fromkeys(code.upper() for code in re.split(r"[\s,;]+", value) if code))
        return known_organisations(codes)


class WorkplanItemForm(forms.ModelForm):
    priority = text_field(
        "Regional priority",
        max_length=200,
        message="Enter the regional priority it answers",
        too_long="The priority must be 200 characters or fewer",
        help_text="The priority of the region this item answers, for example, opioid safety",
    )
    title = text_field(
        "What the network will do",
        max_length=200,
        message="Enter what the network will do",
        too_long="This must be 200 characters or fewer",
    )
    description = text_box(
        "More detail (optional)",
        required=False,
        max_length=2000,
        too_long="The detail must be 2000 characters or fewer",
    )
    owner = choose_from(
        "Owner", None, message="Select the member who owns it", help_text="A member of the network"
    )
    involved = ODSCodesField(
        label="Organisations involved (optional)",
        help_text="Their ODS codes, separated by commas, for example RX1, A81001",
        required=False,
        max_length=2000,
    )
    due_on = NHSDateField(
        label="Due", help_text="For example, 31 3 2027", message="Enter when it is due"
    )
    state = radios("Status", WorkplanItem.State.choices, message="Select its status")

    class Meta:
        model = WorkplanItem
        fields = ["priority", "title", "description", "owner", "due_on", "state"]

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.network = network
        from accounts.models import User

        self.fields["owner"].queryset = User.objects.filter(
            network_memberships__network=network, is_active=True
        ).order_by("full_name", "email")
        self.fields["owner"].label_from_instance = lambda user: user.full_name or user.email
        if self.instance.pk:
            self.fields["involved"].initial = ", ".join(
                self.instance.organisations.values_list("ods_code", flat=True)
            )


class WorkplanStateForm(forms.Form):
    state = radios("Where is it now?", WorkplanItem.State.choices, message="Select its status")


def _months(count=12) -> list[tuple[str, str]]:
    """The first day of this month and the next ones, as choices: ("2027-01-01", "January 2027")."""
    first = timezone.localdate().replace(day=1)
    months = []
    for _ in range(count):
        months.append((first.isoformat(), f"{first:%B %Y}"))
        first = (first + datetime.timedelta(days=32)).replace(day=1)
    return months


class WebinarOfferForm(forms.ModelForm):
    topic = text_field(
        "Topic",
        max_length=200,
        message="Enter the topic of your talk",
        too_long="The topic must be 200 characters or fewer",
    )
    summary = text_box(
        "What you would cover (optional)",
        required=False,
        max_length=2000,
        too_long="The summary must be 2000 characters or fewer",
    )
    preferred_month = select(
        "Month you would like",
        (),
        message="Select the month you would like",
        field=forms.TypedChoiceField,
        coerce=datetime.date.fromisoformat,
    )

    class Meta:
        model = WebinarOffer
        fields = ["topic", "summary", "preferred_month"]

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.network = network
        self.fields["preferred_month"].choices = [("", "Select a month"), *_months()]


class WebinarDecisionForm(forms.Form):
    decision = radios(
        "Your decision",
        [("accept", "Accept it for an event"), ("decline", "Decline it")],
        message="Select whether you accept or decline the offer",
    )
    event = choose_from(
        "Event",
        None,
        message="Select one of the network's coming events",
        required=False,
        help_text="Needed when you accept it: its agenda will show the talk",
    )
    reason = text_box(
        "Reason",
        required=False,
        max_length=2000,
        rows=3,
        help_text="Needed when you decline it. The member sees it.",
        too_long="The reason must be 2000 characters or fewer",
    )

    def __init__(self, *args, network, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = network.events.filter(starts_at__gte=timezone.now())
        self.fields["event"].label_from_instance = lambda event: (
            f"{event.title}, {timezone.localtime(event.starts_at):%-d %B %Y}"
        )


class WorkplanFilterForm(SearchForm):
    """Every network's workplan, narrowed to a network or a status. A value that does not fit
    is left out."""

    network = forms.ModelChoiceField(
        label="Network",
        required=False,
        empty_label="Every network",
        queryset=Network.objects.exclude(kind=Network.Kind.NATIONAL).order_by("name"),
    )
    state = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *WorkplanItem.State.choices],
    )

    def cleaned(self, name):
        self.is_valid()
        return self.cleaned_data.get(name)
