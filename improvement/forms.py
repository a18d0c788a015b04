"""Forms for improvement projects, their measure and PDSA cycles, and protocols, with the NHS
digital service manual's messages. Free text about a project or a protocol is about practice,
never a patient: the boxes say so and refuse an NHS number (incidents.forms.NoPatientIdentifiers).
"""

from django import forms

from accounts.models import User
from core import uploads
from core.nhsuk_forms.fields import (
    NHSDateField,
    file_field,
    picked_from,
    radios,
    text_box,
    text_field,
)
from core.nhsuk_forms.widgets import NHSRadioSelect
from incidents.forms import NoPatientIdentifiers
from organisations.picking import offer_members

from .models import Better, Frequency, MeasurePoint, PdsaCycle, Project, Protocol


class ReferencesField(forms.CharField):
    """References typed one a line (or separated by commas): the references, each once, their
    runs of spaces read as one. Not split on spaces: an alert's reference may hold them (MHRA's
    "EL (26)A/15"); neither an alert's nor an incident's holds a comma or a line break
    (alerts.choices.OTHER_REFERENCE, NATPSA_REFERENCE; incidents' RX1-2026-000123)."""

    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, **kwargs):
        super().__init__(required=False, max_length=1000, **kwargs)

    def clean(self, value):
        parts = super().clean(value).replace(",", "\n").splitlines()
        return list(dict.fromkeys(" ".join(part.split()) for part in parts if part.strip()))

    def prepare_value(self, value):
        """The references a project has, shown one a line, as they are typed."""
        return "\n".join(value) if isinstance(value, list | tuple) else value


class ProjectForm(NoPatientIdentifiers, forms.ModelForm):
    checked_text = ("aim", "co_production", "title", "medicines")

    title = text_field("Title", max_length=200, message="Enter the project's title")
    aim = text_box(
        "Aim",
        max_length=2000,
        message="Enter the project's aim",
        rows=3,
        help_text="What it will achieve, for whom, by how much and by when. For example: "
        "reduce omitted doses of time-critical medicines on the medical wards by half by "
        "31 March 2027",
    )
    medicines = text_field(
        "Medicines it is about (optional)",
        max_length=300,
        required=False,
        too_long="Medicines must be 300 characters or fewer",
    )
    lead = picked_from(
        "Who leads it?",
        User.objects.none(),
        message="Choose who leads the project",
        empty_label="Choose a member of the organisation",
    )
    started_on = NHSDateField(label="Start date", help_text="For example, 1 9 2026")
    measure = text_field(
        "What does it measure?",
        max_length=200,
        message="Enter what the project measures",
        too_long="What it measures must be 200 characters or fewer",
        help_text="The outcome or process measure on its run chart, for example: omitted "
        "doses of time-critical medicines",
    )
    measure_unit = text_field(
        "Unit",
        max_length=60,
        message="Enter the measure's unit",
        help_text="For example: %, doses, per 1,000 bed days",
    )
    frequency = radios(
        "How often is it measured?", Frequency.choices, message="Select how often it is measured"
    )
    better = radios(
        "Which way is improvement?", Better.choices, message="Select which way is improvement"
    )
    co_production = text_box(
        "Co-production (optional)",
        required=False,
        max_length=2000,
        rows=3,
        help_text="How patients, carers or lived-experience partners shaped the project: who "
        "took part (not their names) and what changed because of them",
    )
    incident_references = ReferencesField(
        label="Incidents it responds to (optional)",
        help_text="Their references, one on each line, for example RX1-2026-000123",
    )
    alert_references = ReferencesField(
        label="National patient safety alerts it responds to (optional)",
        help_text="Their references as they were issued, one on each line, for example "
        "NatPSA/2026/001/NHSPS or EL (26)A/15",
    )

    class Meta:
        model = Project
        fields = [
            "title",
            "aim",
            "medicines",
            "lead",
            "started_on",
            "measure",
            "measure_unit",
            "frequency",
            "better",
            "co_production",
        ]

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        offer_members(self.fields["lead"], organisation)
        if self.instance.pk and not self.is_bound:
            self.initial["incident_references"] = list(
                self.instance.incidents.order_by("reference").values_list("reference", flat=True)
            )
            self.initial["alert_references"] = list(
                self.instance.alerts.order_by("reference").values_list("reference", flat=True)
            )

    def references(self) -> dict[str, list[str]]:
        return {
            "incidents": self.cleaned_data["incident_references"],
            "alerts": self.cleaned_data["alert_references"],
        }


class MeasurePointForm(forms.ModelForm):
    period_start = NHSDateField(
        label="Date",
        allow_future=False,
        help_text="Any day of the week or month the value is for, for example 3 11 2026",
        error_messages={"future": "The date must be today or in the past: a value is measured"},
    )
    value = forms.DecimalField(
        label="Value",
        max_digits=10,
        decimal_places=2,
        min_value=0,
        error_messages={
            "required": "Enter the value",
            "invalid": "The value must be a number, like 12 or 8.5",
            "min_value": "The value must be 0 or more",
            "max_digits": "The value must be less than 100,000,000",
            "max_decimal_places": "The value must have no more than 2 decimal places",
            "max_whole_digits": "The value must be less than 100,000,000",
        },
    )
    note = text_field(
        "Note (optional)",
        max_length=300,
        required=False,
        too_long="Note must be 300 characters or fewer",
        help_text="Anything that explains the value, for example: ward closed for 2 weeks",
    )

    class Meta:
        model = MeasurePoint
        fields = ["period_start", "value", "note"]

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.project = project
        self.fields["value"].label = f"Value ({project.measure_unit})"


class CycleForm(NoPatientIdentifiers, forms.ModelForm):
    """A cycle: planned when it starts, studied and decided when it ends."""

    checked_text = ("change", "plan", "do", "study", "act")

    change = text_field(
        "What change are you testing?",
        max_length=200,
        message="Enter the change you are testing",
        too_long="The change you are testing must be 200 characters or fewer",
        help_text="For example: a time-critical medicines sticker on the drug chart",
    )
    plan = text_box(
        "Plan",
        max_length=2000,
        message="Enter the plan",
        help_text="Who does what, where and for how long; what you predict will happen",
    )
    starts_on = NHSDateField(label="Start date", help_text="For example, 2 11 2026")
    do = text_box("Do (optional)", required=False, max_length=2000, help_text="What happened")
    study = text_box(
        "Study (optional)",
        required=False,
        max_length=2000,
        help_text="What the measure and the team found, against the prediction",
    )
    act = text_box("Act (optional)", required=False, max_length=2000, help_text="What next")
    decision = radios(
        "Decision (optional until the cycle ends)",
        [("", "Not yet: the cycle is running"), *PdsaCycle.Decision.choices],
        message="Select a decision",
        required=False,
    )
    ends_on = NHSDateField(
        label="Date it ended (with the decision)",
        subject="Date it ended",
        required=False,
        allow_future=False,
        help_text="For example, 30 11 2026",
    )

    class Meta:
        model = PdsaCycle
        fields = ["change", "plan", "starts_on", "do", "study", "act", "decision", "ends_on"]

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.project = project

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision"):
            if not cleaned.get("ends_on") and "ends_on" not in self.errors:
                self.add_error("ends_on", "Enter the date the cycle ended")
            if not cleaned.get("study") and "study" not in self.errors:
                self.add_error("study", "Say what you found before deciding")
        elif cleaned.get("ends_on"):
            self.add_error("decision", "Select the decision the cycle ended with")
        return cleaned


class FinishForm(NoPatientIdentifiers, forms.Form):
    checked_text = ("results",)

    status = radios(
        "How did it end?",
        [
            (Project.Status.FINISHED, "Finished: it reached its end"),
            (Project.Status.STOPPED, "Stopped before its end"),
        ],
        message="Select how it ended",
    )
    finished_on = NHSDateField(label="End date", allow_future=False)
    results = text_box(
        "Results",
        required=False,
        max_length=3000,
        rows=6,
        help_text="What changed, what the measure showed and what the organisation keeps "
        "doing. Needed when it finished; say why when it stopped",
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("status") == Project.Status.FINISHED
            and not cleaned.get("results")
            and "results" not in self.errors
        ):
            self.add_error("results", "Enter the project's results")
        return cleaned


class ShareForm(forms.Form):
    """Which of the person's networks to share with, and the library's tags."""

    network = forms.TypedChoiceField(
        label="Which network's library?",
        coerce=int,
        widget=NHSRadioSelect,
        error_messages={
            "required": "Select the network to share it with",
            "invalid_choice": "Select one of your networks",
        },
    )
    tags = text_field(
        "Tags (optional)",
        max_length=300,
        required=False,
        too_long="Tags must be 300 characters or fewer",
        help_text="Separate them with commas, for example: insulin, omitted doses",
    )

    def __init__(self, *args, networks, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["network"].choices = [(network.pk, network.name) for network in networks]


class ProtocolForm(NoPatientIdentifiers, forms.ModelForm):
    """A protocol: its details and, when new or replaced, its document (checked by what it is,
    uploads.identify)."""

    checked_text = ("summary", "title", "medicines")

    title = text_field(
        "Title",
        max_length=200,
        message="Enter the protocol's title",
        help_text="For example: Insulin prescribing and administration for adults",
    )
    medicines = text_field(
        "Medicines it covers",
        max_length=300,
        message="Enter the medicines it covers",
        help_text="For example: insulin",
    )
    summary = text_box("Summary (optional)", required=False, max_length=2000, rows=3)
    version = text_field(
        "Version", max_length=20, message="Enter the version", help_text="e.g. 3.1"
    )
    approved_on = NHSDateField(label="Date approved", allow_future=False)
    review_on = NHSDateField(label="Next review", help_text="For example, 1 12 2028")
    owner = picked_from(
        "Who keeps it?",
        User.objects.none(),
        message="Choose who keeps the protocol",
        empty_label="Choose a member of the organisation",
    )
    file = file_field("Document", required=False, widget=forms.FileInput)

    class Meta:
        model = Protocol
        fields = ["title", "medicines", "summary", "version", "approved_on", "review_on", "owner"]

    def __init__(self, *args, organisation, too_big=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_big = too_big
        self.instance.organisation = organisation
        offer_members(self.fields["owner"], organisation)
        replacing = " (optional: leave it out to keep the current one)" if self.instance.pk else ""
        self.fields["file"].label = f"Document{replacing}"
        self.fields[
            "file"
        ].help_text = f"A {uploads.accepted_list()} file, smaller than {uploads.limit()}"

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        if identified := uploads.check(self, upload, over_limit=self.too_big):
            self.instance.file = upload
            self.instance.content_type, self.instance.filename = identified
            self.instance.size = upload.size
        elif not upload and not self.too_big and not self.instance.pk and "file" not in self.errors:
            self.add_error("file", "Select the protocol's document")
        return cleaned
