"""Forms for writing national alerts and for an organisation's response to one."""

from django import forms

from accounts.models import User
from core.action_forms import ProgressForm
from core.forms import ErrorsOnFields
from core.nhsuk_forms.fields import (
    NHSDateField,
    checkboxes,
    file_field,
    picked_from,
    radios,
    select,
    text_field,
    web_address,
)
from core.nhsuk_forms.fields import text_box as _text
from medicines.codes import is_dmd_code
from organisations.choices import OrganisationKind, Region
from organisations.picking import offer_members

from . import choices, validators
from .models import Alert, AlertActionResponse


class AlertForm(forms.ModelForm):
    reference = text_field(
        "Reference",
        max_length=60,
        message="Enter the alert's reference",
        help_text="As issued, for example NatPSA/2026/004/NHSPS",
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-20", "spellcheck": "false"}),
    )
    title = text_field("Title", max_length=300, message="Enter the alert's title")
    issuer = select(
        "Issued by",
        [("", "Select who issued it"), *choices.Issuer.choices],
        message="Select who issued it",
    )
    alert_type = radios(
        "Type of alert",
        choices.AlertType.choices,
        message="Select the type of alert",
        hints={
            choices.AlertType.RECALL_1: "Act at once: actions are due the day it is issued",
            choices.AlertType.RECALL_2: "Actions are due within 48 hours",
            choices.AlertType.RECALL_3: "Actions are due within 5 days",
        },
    )
    issued_on = NHSDateField(label="Date issued", allow_future=False)
    summary = _text("Summary", max_length=10000, message="Enter a summary of the alert", rows=6)
    link = web_address(
        "Link to the alert",
        example="https://www.gov.uk/…",
        help_text="Its page on GOV.UK, NHS England or CAS",
    )
    applicable_kinds = checkboxes(
        "Which organisations does it apply to?",
        OrganisationKind.choices,
        message="Select the kinds of organisation the alert applies to",
        help_text="It goes to every open organisation of these kinds",
    )
    no_sign_off = forms.BooleanField(
        label="Its responses need no senior sign-off",
        required=False,
        help_text="Only when the alert's own terms say so, as some recalls do: then the MSO "
        "or the response's lead completes it once every action is finished",
    )
    medicines = _text(
        "Medicines it covers",
        required=False,
        max_length=3000,
        rows=3,
        help_text="One a line, with its dm+d code after a comma if you know it. Incidents "
        "involving them are counted to show whether the alert is working",
    )

    class Meta:
        model = Alert
        fields = ["reference", "title", "issuer", "alert_type", "issued_on", "summary", "link"]
        labels = {"reference": "CAS reference"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial.setdefault("no_sign_off", not self.instance.needs_sign_off)
            self.initial.setdefault("applicable_kinds", self.instance.applicable_kinds)
            self.initial.setdefault(
                "medicines",
                "\n".join(
                    f"{m.name}, {m.dmd_code}" if m.dmd_code else m.name
                    for m in self.instance.medicines.all()
                ),
            )

    def clean_reference(self):
        return validators.normalise_reference(self.cleaned_data["reference"])

    def clean_medicines(self):
        medicines = []
        for number, line in enumerate(self.cleaned_data["medicines"].splitlines(), start=1):
            name, _, code = (part.strip() for part in line.partition(","))
            if not name:
                continue
            if code and not is_dmd_code(code):
                raise forms.ValidationError(
                    f"Line {number}: a dm+d code is 6 to 18 digits, after the name and a comma:"
                    " the code of a medicine in the dm+d"
                )
            medicines.append({"name": name[:200], "dmd_code": code})
        return medicines

    def save(self, commit=False):
        alert = super().save(commit=False)
        alert.applicable_kinds = self.cleaned_data["applicable_kinds"]
        alert.needs_sign_off = not self.cleaned_data["no_sign_off"]
        return alert


class ActionForm(forms.Form):
    description = _text(
        "What must be done", max_length=3000, message="Enter what must be done", rows=3
    )
    due_on = NHSDateField(
        label="Deadline",
        required=False,
        help_text="For a medicines recall, leave it empty to take the deadline its class sets",
    )


class BaseActionFormSet(forms.BaseFormSet):
    def actions(self, alert_type, issued_on) -> list[dict]:
        """The required actions typed, each with its deadline (the recall class's when none
        was given). Raises ValidationError naming the action that has none."""
        from .services import default_deadline

        found = []
        for number, form in enumerate(self.forms, start=1):
            data = getattr(form, "cleaned_data", None) or {}
            if not data.get("description"):
                continue
            due_on = data.get("due_on") or (
                default_deadline(alert_type, issued_on) if issued_on else None
            )
            if due_on is None:
                form.add_error("due_on", "Enter the deadline of this action")
                raise forms.ValidationError(f"Action {number} needs a deadline")
            found.append({"description": data["description"], "due_on": due_on})
        return found


ActionFormSet = forms.formset_factory(
    ActionForm, formset=BaseActionFormSet, extra=0, max_num=12, absolute_max=12
)


def action_formset(data=None, *, initial=None, rows=None):
    formset = ActionFormSet(data, initial=initial or [], prefix="actions")
    if data is None and rows:
        formset.extra = max(0, rows - len(initial or []))
    return formset


class DecisionForm(ErrorsOnFields, forms.Form):
    errors_field = "applies"
    applies = radios(
        "Does the alert apply to the organisation?",
        [("yes", "Yes: we have something to do"), ("no", "No, it does not apply")],
        message="Select whether the alert applies",
        conditionals={"no": ["rationale"]},
    )
    rationale = _text(
        "Why does it not apply?",
        required=False,
        max_length=3000,
        rows=3,
        help_text="For example: we do not stock the product, or do not provide the service",
    )


class LeadForm(forms.Form):
    lead = picked_from(
        "Who leads the response?",
        User.objects.none(),
        message="Select a member of the organisation",
        required=False,
        empty_label="Nobody yet",
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        offer_members(self.fields["lead"], organisation)


class ActionAnswerForm(ProgressForm):
    model = AlertActionResponse
    field_order = ["owner", "state", "done_on", "evidence"]

    owner = picked_from(
        "Who owns it?",
        User.objects.none(),
        message="Select a member of the organisation",
        required=False,
        empty_label="Nobody yet",
    )
    evidence = _text(
        "Evidence",
        required=False,
        max_length=5000,
        rows=4,
        help_text="What was done, and what shows it: a policy changed, stock quarantined, "
        "staff told. For an action not needed here, why not. Add files below",
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        offer_members(self.fields["owner"], organisation)


class SignOffForm(forms.Form):
    note = _text(
        "Anything to record with the sign-off (optional)", required=False, max_length=2000, rows=2
    )


class SendBackForm(forms.Form):
    note = _text(
        "What is needed before you can sign it off?",
        max_length=2000,
        message="Say what is needed before you can sign it off",
        too_long="What is needed must be 2,000 characters or fewer",
        help_text="For example, evidence that is missing, or a better reason for an action "
        "marked not needed here. The lead and the MSO read it on this page.",
        rows=3,
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "send_back_%s")  # beside the sign-off form's note
        super().__init__(*args, **kwargs)


class CasClosedForm(forms.Form):
    closed_on = NHSDateField(
        label="When was it closed in CAS?",
        allow_future=False,
        message="Enter the date it was closed in CAS",
        help_text="The Central Alerting System, where the organisation also answers the alert",
    )


class ReopenForm(forms.Form):
    reason = _text(
        "Why is it reopened?", max_length=2000, message="Say why the response is reopened", rows=2
    )


class IncidentLinkForm(forms.Form):
    reference = text_field(
        "Incident reference",
        max_length=40,
        message="Enter the incident's reference",
        help_text="For example, RX1-2026-000123",
    )

    def clean_reference(self):
        return self.cleaned_data["reference"].strip().upper()


class InboxFilterForm(forms.Form):
    """The inbox's filter, from its address: anything else is left out, never an error."""

    SHOWS = [
        ("open", "Open"),
        ("overdue", "Past a deadline"),
        ("sign-off", "Waiting for sign-off"),
        ("sent-back", "Sent back"),
        *choices.ResponseState.choices,
        ("all", "All"),
    ]
    show = forms.ChoiceField(label="Show", choices=SHOWS, required=False)

    def show_value(self) -> str:
        return self.cleaned_data.get("show") or "open" if self.is_valid() else "open"


class ComplianceFilterForm(forms.Form):
    region = forms.ChoiceField(
        label="Region", choices=[("", "All regions"), *Region.choices], required=False
    )
    kind = forms.ChoiceField(
        label="Kind of organisation",
        choices=[("", "All kinds"), *OrganisationKind.choices],
        required=False,
    )
    state = forms.ChoiceField(
        label="State",
        choices=[
            ("", "Any state"),
            ("overdue", "Past a deadline"),
            ("not-acknowledged", "Not acknowledged"),
            *choices.ResponseState.choices,
        ],
        required=False,
    )
    q = forms.CharField(label="Organisation or ODS code", required=False, max_length=100)

    def values(self) -> dict:
        return self.cleaned_data if self.is_valid() else {}


class ImportForm(forms.Form):
    file = file_field(
        "Alerts file",
        message="Select a file of alerts",
        help_text="A CSV or JSON file in the documented layout (docs/alerts-import.md), "
        "smaller than 2 MB",
    )
    publish = forms.BooleanField(
        label="Publish the new alerts as they are imported", required=False
    )
