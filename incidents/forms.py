"""Forms for reporting and reviewing medication incidents, in the words of the LFPSE taxonomy
(choices.py) and the NHS digital service manual."""

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BaseFormSet
from django.utils import timezone

from accounts.models import User
from core import identifiers
from core.nhsuk_forms.fields import (
    NHSDateField,
    NHSTimeField,
    file_field,
    picked_from,
    radios,
    select,
    text_field,
)
from core.nhsuk_forms.fields import text_box as _text
from core.nhsuk_forms.widgets import NHSCheckboxSelectMultiple, NHSRadioSelect
from medicines import codes as dmd_codes
from medicines import lookup
from organisations.forms import known_organisations
from organisations.picking import offer_members
from organisations.validators import ODSCodeFormField, validate_ods_code

from . import choices, privacy
from . import medicines as medicine_flags
from .models import (
    ExportState,
    Incident,
    IncidentAction,
    LfpseChoice,
    PatientFeedback,
    ProcessChange,
    SharedNote,
    Status,
)


def _radios(codes: choices.CodeList | list, *, hints=None, conditionals=None):
    return NHSRadioSelect(
        choices=codes.choices if isinstance(codes, choices.CodeList) else codes,
        choice_hints=hints,
        conditionals=conditionals,
    )


def _codes(label, codes: choices.CodeList, *, help_text="", conditionals=None):
    """Any number of codes of a list, as checkboxes."""
    return forms.MultipleChoiceField(
        label=label,
        choices=codes.choices,
        required=False,
        help_text=help_text,
        widget=NHSCheckboxSelectMultiple(conditionals=conditionals),
        error_messages={"invalid_choice": "Select from the list"},
    )


class NoPatientIdentifiers:
    """A form mixin: each free-text box of ``checked_text`` says not to enter details that
    identify a patient, and no free-text answer (a text box or a line of text, codes apart:
    privacy.CODES) may hold an NHS number, a date of birth or one of the organisation's hospital
    numbers (core.identifiers; ``identifier_shapes``): the person is asked to remove it, and
    nothing of it is saved."""

    checked_text: tuple[str, ...] = ()

    def __init__(self, *args, identifier_shapes=(), **kwargs):
        # The organisation's hospital numbers (privacy.shapes_for), refused too.
        self.identifier_shapes = identifier_shapes
        super().__init__(*args, **kwargs)
        for name in self.checked_text:
            field = self.fields.get(name)
            if isinstance(getattr(field, "widget", None), forms.Textarea) and (
                privacy.WARNING not in str(field.help_text)
            ):
                field.help_text = " ".join(filter(None, [str(field.help_text), privacy.WARNING]))

    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            value = cleaned.get(name)
            if name in privacy.CODES or not isinstance(value, str) or name in self.errors:
                continue
            if not isinstance(field.widget, forms.Textarea | forms.TextInput):
                continue
            if found := identifiers.found_in(value, self.identifier_shapes):
                self.add_error(name, ValidationError(found[0].refusal, code=IDENTIFIER))
        return cleaned


IDENTIFIER = "identifier"  # the code of the error that refuses a patient's identifier


def only_identifier_errors(*forms_or_formsets) -> None:
    """Keep, of bound forms' errors, only those refusing an identifier: what a reporter who
    pressed "Save as a draft" needs to put right before anything is kept (the rest can wait)."""
    for form in forms_or_formsets:
        if isinstance(form, BaseFormSet):
            form._non_form_errors = form.error_class()
            only_identifier_errors(*form.forms)
            continue
        for name in list(form.errors):
            kept = [error for error in form.errors.as_data()[name] if error.code == IDENTIFIER]
            if kept:
                form._errors[name] = form.error_class(kept)
            else:
                del form._errors[name]


# Reporting: step 1 -------------------------------------------------------------------------


def _harm_hints():
    """What each level means, in words (never an NCC MERP grade: the reviewer records that)."""
    return choices.PHYSICAL_HARM_MEANINGS


class ReportForm(NoPatientIdentifiers, forms.Form):
    """What every reporter answers: 11 questions, all quick."""

    checked_text = ("service_area", "what_happened", "immediate_actions")

    occurred_on = NHSDateField(
        label="When did it happen?",
        subject="The date of the incident",
        allow_future=False,
        help_text="For example, 15 3 2026",
        message="Enter the date of the incident",
    )
    occurred_time = NHSTimeField(
        label="Time, if you know it",
        subject="time",
        required=False,
        help_text="Use the 24-hour clock, for example 14:30",
    )
    time_bracket = radios(
        "Or the shift",
        choices.TIME_BRACKETS.choices,
        message="Select the shift",
        required=False,
        help_text="Answer this if you do not know the time",
    )
    location = select(
        "Where did it happen?",
        [("", "Select where it happened"), *choices.LOCATIONS.choices],
        message="Select where it happened",
    )
    service_area = text_field(
        "Ward, department or service",
        required=False,
        max_length=200,
        help_text="For example, Ward 12 (acute medicine)",
    )
    what_happened = _text(
        "What happened?",
        max_length=5000,
        message="Enter what happened",
        rows=6,
        help_text=f"Describe the incident and the medicines involved. {privacy.WARNING}",
    )
    immediate_actions = _text(
        "What was done straight away?",
        max_length=3000,
        message="Enter what was done straight away",
        rows=3,
        help_text="For example, the doctor was told and the patient monitored",
    )
    reached_patient = radios(
        "Did the medicine reach the patient?",
        choices.YES_NO_UNKNOWN.choices,
        message="Select whether the medicine reached the patient",
    )
    physical_harm = forms.ChoiceField(  # its radios carry hints, which radios() does not take
        label="Physical harm to the patient",
        choices=choices.PHYSICAL_HARM.choices,
        help_text="As far as you know now: the reviewer can change it",
        widget=_radios(choices.PHYSICAL_HARM, hints=_harm_hints()),
        error_messages={
            "required": "Select the level of physical harm",
            "invalid_choice": "Select the level of physical harm",
        },
    )
    psychological_harm = radios(
        "Psychological harm to the patient",
        choices.PSYCHOLOGICAL_HARM.choices,
        message="Select the level of psychological harm",
    )
    age_bracket = select(
        "Patient's age",
        [("", "Select an age range"), *choices.AGE_BRACKETS.choices],
        message="Select the patient's age range",
    )
    gender = radios(
        "Patient's gender", choices.GENDERS.choices, message="Select the patient's gender"
    )

    def clean(self):
        cleaned = super().clean()
        if (
            not cleaned.get("occurred_time")
            and not cleaned.get("time_bracket")
            and "occurred_time" not in self.errors
        ):
            self.add_error("time_bracket", "Enter the time, or select the shift")
        return cleaned

    def details(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in self.fields} | {
            "occurred_time": data["occurred_time"],
            "time_bracket": data["time_bracket"] or "",
        }


# A medicine's answers, as the service takes them (services.report_submit, incident_correct).
MEDICINE_KEYS = ("name", "route", "dose", "dmd_code", "cd_schedule")


class MedicineForm(NoPatientIdentifiers, forms.Form):
    checked_text = ("name", "dose")

    name = text_field(
        "Medicine",
        max_length=200,
        required=False,
        help_text="The name you know it by, for example Apixaban 5 mg tablets",
    )
    route = select(
        "Route",
        [("", "Select a route"), *choices.Route.choices],
        message="Select a route",
        required=False,
    )
    dose = text_field("Dose", max_length=100, required=False, help_text="For example, 10 units")
    dmd_code = forms.RegexField(
        label="dm+d code, if you know it",
        regex=r"^\d{6,18}$",
        required=False,
        help_text=(
            "The medicine's VTM, VMP or AMP code from the NHS Dictionary of Medicines and Devices"
        ),
        error_messages={"invalid": dmd_codes.MESSAGE},
        validators=[dmd_codes.validate_dmd_code],  # a concept's code, never an NHS number
        widget=forms.TextInput(attrs={"inputmode": "numeric", "class": "nhsuk-input--width-20"}),
    )

    def __init__(self, *args, reviewer=False, **kwargs):
        super().__init__(*args, **kwargs)
        if reviewer:
            # The reviewer can put a schedule right. Left to the service, a medicine is given
            # the dm+d's schedule when it is coded as a product, and one from its name
            # otherwise, as it is for the reporter.
            self.fields["cd_schedule"] = select(
                "Controlled drug",
                [
                    (medicine_flags.FROM_NAME, "As the dm+d has it (from its name if not coded)"),
                    ("", "Not a controlled drug"),
                    *choices.CdSchedule.choices,
                ],
                message="Select whether it is a controlled drug",
                required=False,
                initial=medicine_flags.FROM_NAME,
            )

    def clean(self):
        cleaned = super().clean()
        named = bool((cleaned.get("name") or "").strip())
        if not named and any(cleaned.get(f) for f in ("route", "dose", "dmd_code")):
            self.add_error("name", "Enter the name of the medicine")
        return cleaned

    @property
    def is_blank(self) -> bool:
        return not (self.cleaned_data.get("name") or "").strip()


class BaseMedicineFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        if not self.medicines():
            raise forms.ValidationError("Enter at least one medicine", code="no_medicine")

    def medicines(self) -> list[dict]:
        keys = [key for key in MEDICINE_KEYS if key in self.empty_form.fields]
        return [
            {key: form.cleaned_data.get(key) or "" for key in keys}
            for form in self.forms
            if hasattr(form, "cleaned_data") and not form.is_blank
        ]


MedicineFormSet = forms.formset_factory(
    MedicineForm, formset=BaseMedicineFormSet, extra=0, min_num=1, max_num=10, absolute_max=10
)


def medicine_formset(data=None, *, initial=None, rows=None, reviewer=False, identifier_shapes=()):
    """The medicines, with ``rows`` boxes (one more after "Add another medicine"); for the
    reviewer, with each one's controlled drug schedule."""
    initial = initial or []
    formset = MedicineFormSet(
        data,
        initial=initial,
        prefix="medicines",
        form_kwargs={"reviewer": reviewer, "identifier_shapes": identifier_shapes},
    )
    if data is None and rows:
        formset.extra = max(0, rows - max(len(initial), 1))
    return formset


# Reporting: step 2 -------------------------------------------------------------------------


YES_NO = [("yes", "Yes"), ("no", "No")]
# A yes-or-no answer as it is kept: True, False, or None for a question left unanswered.
ANSWERED = {"yes": True, "no": False}
ASKED = {True: "yes", False: "no", None: ""}


class DetailForm(forms.Form):
    """The medication problem in LFPSE's terms, and governance: optional for a reporter, and
    completed by the reviewer."""

    service_type = select(
        "Type of service",
        [("", "Select a type of service"), *choices.SERVICE_TYPES.choices],
        message="Select a type of service",
        required=False,
    )
    process = select(
        "What was happening when it went wrong?",
        [("", "Select what was happening"), *choices.HEALTHCARE_PROCESSES.choices],
        message="Select what was happening",
        required=False,
        help_text="LFPSE needs this before the incident can be submitted",
    )
    drugs_involved = _codes(
        "What went wrong with the medicine?",
        choices.DRUGS_INVOLVED,
        help_text="Select all that apply",
        conditionals={
            code: [name] for code, (name, _detail) in choices.DRUGS_INVOLVED_DETAIL.items()
        },
    )
    too_much = _codes("How was it too much?", choices.TOO_MUCH)
    too_little = _codes("How was it too little?", choices.TOO_LITTLE)
    administered_incorrectly = _codes("What was wrong?", choices.ADMINISTERED_INCORRECTLY)
    packaging_problem = _codes(
        "What was wrong with the medicine or its packaging?", choices.PACKAGING_PROBLEM
    )
    processes = _codes(
        "Which steps were involved?", choices.PROCESSES, help_text="Select all that apply"
    )
    detection_point = select(
        "When was it noticed?",
        [("", "Select when it was noticed"), *choices.DETECTION_POINTS.choices],
        message="Select when it was noticed",
        required=False,
    )
    identified_through = select(
        "How was it identified?",
        [("", "Select how it was identified"), *choices.IdentifiedThrough.choices],
        message="Select how it was identified",
        required=False,
    )
    yellow_card = _codes(
        "Should it be reported to the MHRA Yellow Card scheme?",
        choices.YELLOW_CARD,
        help_text="Select any that apply",
    )
    ncc_merp = select(
        "NCC MERP category",
        [("", "Select a category"), *choices.NccMerp.choices],
        message="Select an NCC MERP category",
        required=False,
    )
    duty_of_candour = radios(
        "Does the statutory duty of candour apply?",
        choices.YES_NO_UNKNOWN.choices,
        message="Select whether the duty of candour applies",
        required=False,
    )
    never_event = radios(
        "Is it a Never Event?",
        YES_NO,
        message="Select whether it is a Never Event",
        required=False,
        conditionals={"yes": ["never_event_type"]},
    )
    never_event_type = select(
        "Which Never Event?",
        [("", "Select the Never Event"), *choices.NEVER_EVENT_TYPES.choices],
        message="Select the Never Event",
        required=False,
    )
    cqc_notification = radios(
        "Must the Care Quality Commission (CQC) be notified?",
        YES_NO,
        message="Select whether the CQC must be notified",
        required=False,
        conditionals={"yes": ["cqc_criteria"]},
    )
    cqc_criteria = _codes("Why?", choices.CQC_CRITERIA)

    LISTS = (
        "drugs_involved",
        "too_much",
        "too_little",
        "administered_incorrectly",
        "packaging_problem",
        "processes",
        "yellow_card",
        "cqc_criteria",
    )

    def clean(self):
        cleaned = super().clean()
        for code, (name, _detail) in choices.DRUGS_INVOLVED_DETAIL.items():  # noqa: B007
            if code not in (cleaned.get("drugs_involved") or []):
                cleaned[name] = []
        if cleaned.get("never_event") == "yes":
            if not cleaned.get("never_event_type") and "never_event_type" not in self.errors:
                self.add_error("never_event_type", "Select the Never Event")
        else:
            cleaned["never_event_type"] = ""
        if cleaned.get("cqc_notification") != "yes":
            cleaned["cqc_criteria"] = []
        return cleaned

    def details(self) -> dict:
        data = self.cleaned_data
        details = {name: list(data.get(name) or []) for name in self.LISTS}
        details |= {
            name: data.get(name) or ""
            for name in (
                "service_type",
                "process",
                "detection_point",
                "identified_through",
                "ncc_merp",
                "duty_of_candour",
                "never_event_type",
            )
        }
        details["never_event"] = ANSWERED.get(data.get("never_event"))
        details["cqc_notification"] = ANSWERED.get(data.get("cqc_notification"))
        return details

    @staticmethod
    def initial_from(incident: Incident) -> dict:
        initial = {name: getattr(incident, name) for name in DetailForm.LISTS}
        initial |= {
            name: getattr(incident, name)
            for name in (
                "service_type",
                "process",
                "detection_point",
                "identified_through",
                "ncc_merp",
                "duty_of_candour",
                "never_event_type",
            )
        }
        initial["never_event"] = ASKED[incident.never_event]
        initial["cqc_notification"] = ASKED[incident.cqc_notification]
        return initial


class SendForm(DetailForm):
    """Step 2 as the reporter sees it: the detail, where it arose if elsewhere, then whether to
    put their name to it. The NCC MERP grade is the reviewer's to record, never the reporter's."""

    ncc_merp = None
    arose_in = ODSCodeFormField(
        label="Did it start in another organisation? Its ODS code (optional)",
        help_text="For example, the hospital that wrote the discharge letter: RX1, or the "
        "pharmacy that dispensed it: FA123. Its Medication Safety Officer is told and reads "
        "what happened, never who reported it",
        required=False,
    )

    anonymous = radios(
        "Do you want your name on this report?",
        [("no", "Yes, put my name on it"), ("yes", "No, report it anonymously")],
        message="Select whether to put your name on the report",
        hints={
            "no": "The medication safety team can ask you about it, and you will see its "
            "progress and feedback in My reports",
            "yes": "Nothing that identifies you is kept. You will get a reference and a "
            "receipt code to see its progress and feedback",
        },
    )

    def clean_arose_in(self):
        code = self.cleaned_data["arose_in"]
        self.arose_in_organisation = None
        if code:
            validate_ods_code(code)
            [self.arose_in_organisation] = known_organisations([code])
        return code


# Review ------------------------------------------------------------------------------------


class ThemesField(forms.CharField):
    """Themes typed separated by commas (an incident's, or feedback's): the names, trimmed."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text", "Separate themes with commas, for example insulin, discharge"
        )
        super().__init__(required=False, max_length=500, **kwargs)

    def clean(self, value):
        return [name.strip() for name in super().clean(value).split(",") if name.strip()]


class LearningForm(NoPatientIdentifiers, forms.Form):
    checked_text = ("learning_summary",)

    learning_response = radios(
        "Learning response (PSIRF)",
        choices.LearningResponse.choices,
        message="Select the learning response",
    )
    learning_summary = _text(
        "What was learned?", required=False, max_length=5000, help_text=privacy.WARNING
    )
    themes = ThemesField(label="Themes")
    related = text_field(
        "Related incidents",
        required=False,
        max_length=500,
        help_text="References of incidents of the same organisation, separated by commas",
    )

    def theme_names(self) -> list[str]:
        return self.cleaned_data.get("themes") or []

    def related_references(self) -> list[str]:
        return [
            r.strip().upper() for r in self.cleaned_data.get("related", "").split(",") if r.strip()
        ]


class ActionForm(NoPatientIdentifiers, forms.ModelForm):
    checked_text = ("description", "evidence")

    description = _text(
        "What needs doing?", max_length=2000, message="Enter what needs doing", rows=3
    )
    owner = picked_from(
        "Who does it?",
        User.objects.none(),
        message="Select a member of the organisation",
        empty_label="Select a member",
        error_messages={"required": "Select who does it"},
    )
    due_on = NHSDateField(
        label="Due date",
        help_text="For example, 31 3 2027",
        message="Enter the due date",
    )
    state = radios(
        "Status", IncidentAction.State.choices, message="Select the status", required=False
    )
    evidence = _text(
        "Evidence", required=False, max_length=3000, rows=3, help_text="What shows it was done"
    )

    class Meta:
        model = IncidentAction
        fields = ["description", "owner", "due_on", "state", "evidence"]

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        offer_members(self.fields["owner"], organisation)
        if self.instance.pk is None:
            del self.fields["state"], self.fields["evidence"]

    def clean(self):
        cleaned = super().clean()
        due = cleaned.get("due_on")
        if self.instance.pk is None and due and due < timezone.localdate():
            self.add_error("due_on", "The due date must be today or in the future")
        return cleaned


class CommentForm(NoPatientIdentifiers, forms.Form):
    checked_text = ("body",)
    same_for_everyone = True

    body = _text(
        "Add a comment",
        max_length=3000,
        message="Enter a comment",
        rows=3,
        help_text=privacy.WARNING,
    )


class CloseForm(NoPatientIdentifiers, forms.Form):
    checked_text = ("feedback",)

    feedback = _text(
        "Feedback to the reporter",
        max_length=3000,
        message="Enter the feedback to the reporter",
        help_text="What was found and what changes. The reporter sees this.",
    )


class MoveForm(NoPatientIdentifiers, forms.Form):
    checked_text = ("note",)
    to = forms.ChoiceField(
        choices=[(Status.IN_REVIEW, "In review"), (Status.AWAITING_ACTIONS, "Awaiting actions")],
        widget=forms.HiddenInput,
    )
    note = _text(
        "Why are you reopening this incident?",
        required=False,
        max_length=2000,
        rows=2,
        help_text="For example, new facts about what happened. It is kept in its history.",
        too_long="The reason must be 2,000 characters or fewer",
    )


class DuplicateForm(forms.Form):
    original = text_field(
        "Reference of the original incident",
        max_length=40,
        message="Enter the reference of the original incident",
        help_text="For example, RX1-2026-000123",
    )


class FilterForm(forms.Form):
    """The list's filters, from its address: anything malformed is left out, never an error
    page."""

    same_for_everyone = True

    q = forms.CharField(label="Search what happened", required=False, max_length=200)
    occurred_from = NHSDateField(label="From", required=False)
    occurred_to = NHSDateField(label="To", required=False)
    status = forms.MultipleChoiceField(
        label="Status", choices=Status.choices, required=False, widget=NHSCheckboxSelectMultiple
    )
    harm = forms.MultipleChoiceField(
        label="Physical harm",
        choices=choices.PHYSICAL_HARM.choices,
        required=False,
        widget=NHSCheckboxSelectMultiple,
    )
    stage = forms.MultipleChoiceField(
        label="Stage",
        choices=choices.PROCESSES.choices,
        required=False,
        widget=NHSCheckboxSelectMultiple,
    )
    lfpse = forms.MultipleChoiceField(
        label="LFPSE",
        choices=ExportState.choices,
        required=False,
        widget=NHSCheckboxSelectMultiple,
    )
    medicine = forms.CharField(label="Medicine", required=False, max_length=100)
    flags = forms.MultipleChoiceField(
        label="Medicines",
        choices=[
            ("high-risk", "High-risk medicine"),
            ("controlled-drug", "Controlled drug"),
            ("not-coded", "A medicine not coded from the dm+d"),
        ],
        required=False,
        widget=NHSCheckboxSelectMultiple,
    )
    location = forms.ChoiceField(
        label="Where",
        choices=[("", "Anywhere"), *choices.LOCATIONS.choices],
        required=False,
    )
    reporter = forms.CharField(
        label="Reporter", required=False, max_length=100, help_text="A name, or “anonymous”"
    )
    theme = forms.CharField(label="Theme", required=False, max_length=60)
    organisation = forms.CharField(label="ODS code", required=False, max_length=10)
    sort = forms.ChoiceField(
        label="Sort by",
        choices=[
            ("newest", "Newest first"),
            ("oldest", "Oldest first"),
            ("reported", "Most recently reported"),
            ("harm", "Most harm first"),
        ],
        required=False,
    )

    def filters(self):
        from .queries import Filters

        if not self.is_bound:
            return Filters()
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        flags = data.get("flags") or []
        return Filters(
            occurred_from=data.get("occurred_from"),
            occurred_to=data.get("occurred_to"),
            statuses=data.get("status") or [],
            harms=data.get("harm") or [],
            stages=data.get("stage") or [],
            lfpse_states=data.get("lfpse") or [],
            medicine=(data.get("medicine") or "").strip(),
            high_risk="high-risk" in flags,
            controlled_drug="controlled-drug" in flags,
            not_coded="not-coded" in flags,
            location=data.get("location") or "",
            reporter=(data.get("reporter") or "").strip(),
            theme=(data.get("theme") or "").strip(),
            organisation=(data.get("organisation") or "").strip(),
            text=(data.get("q") or "").strip(),
            sort=data.get("sort") or "newest",
        )


class LfpseChoiceForm(forms.Form):
    when = radios(
        "When should the organisation's incidents go to LFPSE?",
        LfpseChoice.When.choices,
        message="Select when incidents go to LFPSE",
        help_text=(
            "An incident goes only once it has every answer LFPSE requires. An anonymous "
            "report goes when the team marks it ready, whatever is chosen here."
        ),
    )


class AttachmentForm(forms.Form):
    same_for_everyone = True  # its help text follows the settings alone
    file = file_field("Add a file", message="Select a file to add")

    def __init__(self, *args, too_big=False, **kwargs):
        from core import uploads

        super().__init__(*args, **kwargs)
        self.too_big = too_big
        self.fields[
            "file"
        ].help_text = (
            f"A {uploads.accepted_list()} file, smaller than {uploads.limit()}. {privacy.WARNING}"
        )

    def clean(self):
        from core import uploads

        cleaned = super().clean()
        upload = cleaned.get("file")
        if upload and (found := identifiers.found_in(upload.name)):
            self.add_error(
                "file",
                f"The file's name holds “{found[0].text}”, which looks like "
                f"{identifiers.KINDS[found[0].kind]}. Rename the file: do not enter details "
                "that identify a patient",
            )
        elif identified := uploads.check(self, upload, over_limit=self.too_big):
            cleaned["identified"] = identified
        return cleaned


class HospitalNumberForm(forms.Form):
    example = text_field(
        "An example of a hospital number",
        max_length=20,
        message="Enter an example of a hospital number",
        help_text="Made up, in the same shape as the real ones: its letters as they are, any "
        "numbers, for example RX1234567",
        widget=forms.TextInput(
            attrs={"class": "nhsuk-input--width-10", "spellcheck": "false", "autocomplete": "off"}
        ),
    )


class MedicineCodeForm(forms.Form):
    """The dm+d medicine a reported medicine is, chosen from those its words find."""

    def __init__(self, *args, matches=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"] = radios(
            "Which dm+d medicine is it?",
            [(match.code, match.label) for match in matches],
            message="Select the medicine from the list",
            hints={
                match.code: _dmd_hint(match.level, match.cd_schedule, match.code)
                for match in matches
            },
        )


def _dmd_hint(level: str, schedule: str | None, code: str) -> str:
    kind = {"VTM": "Substance", "VMP": "Product", "AMP": "Brand"}[level]
    controlled = f", Schedule {schedule} controlled drug" if schedule else ""
    return f"{kind}{controlled}, dm+d {code}"


class HighRiskMedicineForm(forms.Form):
    """A dm+d substance (VTM) or product (VMP) for the organisation's high-risk list, by its dm+d
    name or code; a brand (AMP) adds its VMP."""

    medicine = text_field(
        "Medicine",
        max_length=255,
        message="Enter the medicine",
        help_text="Its name as the dm+d writes it, for example Amiodarone (every product) or "
        "Amiodarone 200mg tablets (that product only), or its dm+d code",
    )
    group = text_field(
        "Group", max_length=60, message="Enter the group", help_text="For example, Antiarrhythmic"
    )

    def clean_medicine(self):
        text = self.cleaned_data["medicine"].strip()
        found = lookup.by_code(text) if text.isdigit() else lookup.by_name(text)
        if found is not None and found.level == "AMP":
            found = lookup.by_code(found.vmp) if found.vmp else None
        if found is None:
            raise forms.ValidationError(
                "Enter a medicine as the dm+d names it, or its dm+d code (find it under "
                "“Find a medicine in the dm+d”)"
            )
        return found


class ShareForm(forms.Form):
    """The organisation where the incident arose, by its ODS code (from the directory); left
    empty, the incident is no longer shared."""

    ods_code = ODSCodeFormField(
        label="ODS code of the organisation where it arose (optional)",
        help_text="For example, the trust that wrote the discharge letter: RX1, or a pharmacy: "
        "FA123. Leave it empty to stop sharing it",
        required=False,
    )

    def clean_ods_code(self):
        code = self.cleaned_data["ods_code"]
        self.organisation = None
        if code:
            validate_ods_code(code)
            [self.organisation] = known_organisations([code])
        return code


class SharedNoteForm(NoPatientIdentifiers, forms.Form):
    checked_text = ("body",)

    kind = radios(
        "What are you adding?",
        SharedNote.Kind.choices,
        message="Select what you are adding",
        initial=SharedNote.Kind.COMMENT,
    )
    body = _text("Your note", max_length=3000, message="Enter your note", rows=4)
    due_on = NHSDateField(
        label="Due (for an action)", required=False, help_text="For example, 31 1 2027"
    )


class FeedbackForm(NoPatientIdentifiers, forms.ModelForm):
    checked_text = ("summary", "medicines")

    received_on = NHSDateField(
        label="Date received",
        allow_future=False,
        help_text="For example, 15 11 2026",
        message="Enter the date it was received",
    )
    source = radios(
        "Who gave it?", PatientFeedback.Source.choices, message="Select who gave the feedback"
    )
    medicines = text_field(
        "Medicines it is about (optional)",
        required=False,
        max_length=300,
        too_long="Medicines must be 300 characters or fewer",
    )
    summary = _text("What they said", max_length=3000, message="Enter what they said", rows=5)
    themes = ThemesField(label="Themes (optional)")

    class Meta:
        model = PatientFeedback
        fields = ["received_on", "source", "medicines", "summary"]

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation

    def theme_names(self) -> list[str]:
        return self.cleaned_data.get("themes") or []


class ProcessChangeForm(forms.ModelForm):
    changed_on = NHSDateField(
        label="When did the process change?",
        allow_future=False,
        help_text="For example, 1 4 2026. The chart starts again from the first whole month "
        "after it.",
        message="Enter the date the process changed",
    )
    what = text_field(
        "What changed?",
        max_length=200,
        too_long="What changed must be 200 characters or fewer",
        message="Enter what changed",
        help_text="For example, electronic prescribing went live on the medical wards",
    )

    class Meta:
        model = ProcessChange
        fields = ["changed_on", "what"]

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
