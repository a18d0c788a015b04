from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from accounts.models import User
from core.forms import error_codes
from core.nhsuk_forms.fields import (
    NHSDateField,
    choose_from,
    email_field,
    picked_from,
    radios,
    select,
    text_box,
    text_field,
)
from core.nhsuk_forms.widgets import NHSRadioSelect

from . import change_requests, register, services
from .access import access_for
from .choices import (
    APPROVED_POSTS,
    LEAVES,
    NEW_HOLDER,
    ROLE_HINTS,
    OrganisationKind,
    Post,
    Region,
    posts_for,
    roles_for,
)
from .models import Appointment, ChangeRequest, Organisation
from .permissions import Perm
from .picking import offer_members
from .validators import ODSCodeFormField, validate_ods_code


class RolesField(forms.MultipleChoiceField):
    """Roles in an organisation, as checkboxes with a one-line hint of what each lets a person
    do. Inviting someone and changing their roles use this same field."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, organisation, **kwargs):
        kwargs.setdefault("label", "Roles")
        kwargs.setdefault(
            "error_messages",
            {
                "required": "Select at least one role",
                "invalid_choice": "Select roles from the list",
            },
        )
        super().__init__(
            choices=[(r.value, r.label) for r in roles_for(organisation.kind)], **kwargs
        )
        self.widget.choice_hints = {role.value: hint for role, hint in ROLE_HINTS.items()}


class InvitationForm(forms.Form):
    email = email_field(
        "Email address",
        message="Enter their email address",
        help_text="Their NHS or work email address. The invitation link is sent there.",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"] = RolesField(
            organisation=organisation, help_text="Select all that apply."
        )


class MemberRolesForm(forms.Form):
    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["roles"] = RolesField(
            organisation=organisation, help_text="Select all that apply."
        )


class OrganisationSwitchForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label="Which organisation do you want to work in?",
        queryset=Organisation.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Select an organisation",
            "invalid_choice": "Select one of your organisations",
        },
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


def known_organisations(codes: list[str]) -> list[Organisation]:
    """The organisations of these ODS codes, in the order given, or a ValidationError naming
    the codes no organisation has. ODS codes are public (the NHS Organisation Data Service):
    saying one is unknown tells nobody anything new."""
    found = {o.ods_code: o for o in Organisation.objects.filter(ods_code__in=codes)}
    unknown = [code for code in codes if code not in found]
    if unknown:
        raise ValidationError(
            f"No organisation has the ODS code {', '.join(unknown)}", code="unknown"
        )
    return [found[code] for code in codes]


class SearchForm(forms.Form):
    """The query string of a list page: a search and a page number, both bounded. Anything
    malformed is ignored, so a list page never fails on what is in its address."""

    q = forms.CharField(label="Search by name or email", required=False, max_length=100)
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)

    @property
    def query(self) -> str:
        return (self.cleaned_data.get("q") or "").strip() if self.is_valid() else ""

    @property
    def page_number(self) -> int:
        return (self.cleaned_data.get("page") or 1) if self.is_valid() else 1


class PostChoiceForm(forms.Form):
    """``?post=`` on the page that records a named post: the post to start with."""

    post = forms.ChoiceField(choices=Post.choices, required=False)


class OrganisationFilterForm(SearchForm):
    q = forms.CharField(label="Name or ODS code", required=False, max_length=100)
    kind = forms.ChoiceField(
        label="Kind",
        required=False,
        choices=[("", "Any kind"), *Organisation._meta.get_field("kind").choices],
    )
    region = forms.ChoiceField(
        label="Region", required=False, choices=[("", "Any region"), *Region.choices]
    )


class HolderForm(forms.Form):
    """Who holds a named post: a member of the organisation with an account, or someone named
    without one. "Does the new post holder have an account?" reveals the right questions."""

    has_account = radios(
        "Does the new post holder have an MSO Portal account?",
        [("yes", "Yes"), ("no", "No")],
        message="Select whether the new post holder has an MSO Portal account",
        conditionals={"yes": ["user"], "no": ["name", "email"]},
    )
    user = picked_from(
        "Who is it?",
        User.objects.none(),
        message="Select a member of this organisation",
        required=False,
        empty_label="Select a member",
    )
    name = text_field("Full name", max_length=200, required=False)
    email = email_field(
        "Email address",
        message="Enter their email address",
        required=False,
        help_text="Optional",
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        user = self.fields["user"]
        offer_members(user, organisation)
        user.help_text = (
            f"{user.help_text}. Invite them first if they are not a member of {organisation.name}."
            if user.picks_by_key
            else f"Members of {organisation.name}. Invite someone first if they are not listed."
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("has_account") == "yes":
            if not cleaned.get("user") and "user" not in self.errors:
                self.add_error("user", "Select who holds the post")
            cleaned["name"] = cleaned["email"] = ""
        elif cleaned.get("has_account") == "no":
            if not (cleaned.get("name") or "").strip() and "name" not in self.errors:
                self.add_error("name", "Enter their full name")
            cleaned["user"] = None
        return cleaned

    def holder(self) -> dict:
        data = self.cleaned_data
        return {"user": data["user"], "name": data["name"].strip(), "email": data["email"]}


START_ON = {
    "label": "Start date",
    "help_text": "For example, 1 4 2026",
    "error_messages": {"required": "Enter the start date"},
}
END_ON = {
    "label": "End date",
    "required": False,
    "help_text": "Leave empty while they are in post. For example, 31 3 2027",
}


class AppointmentCreateForm(HolderForm):
    """Record a named post holder."""

    post = radios("Post", [], message="Select a post")
    start_on = NHSDateField(**START_ON)
    end_on = NHSDateField(**END_ON)
    field_order = ["post", "has_account", "user", "name", "email", "start_on", "end_on"]

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, organisation=organisation, **kwargs)
        self.fields["post"].choices = [
            (p.value, p.label) for p in posts_for(organisation.kind) if p not in APPROVED_POSTS
        ]

    def appointment(self) -> Appointment:
        data = self.cleaned_data
        return Appointment(
            organisation=self.organisation,
            post=data["post"],
            start_on=data["start_on"],
            end_on=data["end_on"],
            **self.holder(),
        )


class AppointmentReplaceForm(HolderForm):
    """Who takes over a post on the register from the person who holds it, and from when: a
    change to the register (``change``), which a network lead approves, or makes at once."""

    starts_on = NHSDateField(
        label="First day in post",
        message="Enter the successor's first day in post",
    )
    note = text_box(
        "Anything the network lead should know (optional)",
        required=False,
        max_length=2000,
        rows=3,
        too_long="The note must be 2000 characters or fewer",
    )
    field_order = ["has_account", "user", "name", "email", "starts_on", "note"]

    def __init__(self, *args, appointment, kind, asking, **kwargs):
        super().__init__(*args, organisation=appointment.organisation, **kwargs)
        self.appointment, self.kind = appointment, kind
        post, holder = appointment.get_post_display(), appointment.holder_name
        has_account = self.fields["has_account"]
        has_account.label = "Does the successor have an MSO Portal account?"
        has_account.help_text = f"The successor is the person who takes over from {holder}."
        has_account.error_messages = dict.fromkeys(
            ("required", "invalid_choice"),
            "Select whether the successor has an MSO Portal account",
        )
        user, starts_on = self.fields["user"], self.fields["starts_on"]
        user.label = "Who is the successor?"
        user.queryset = user.queryset.exclude(pk=appointment.user_id)
        self.fields["name"].label = "The successor's full name"
        self.fields["email"].label = "The successor's email address"
        self.fields["email"].help_text = "Their NHS or work email address, shown on the register"
        starts_on.label = f"The successor's first day as {post}"
        starts_on.help_text = f"{holder}'s last day is the day before. For example, 1 4 2027"
        if asking:
            decider = services.approver(appointment.post)
            self.fields["note"].label = f"Anything {decider} should know (optional)"
        else:
            del self.fields["note"]

    def clean(self):
        cleaned = super().clean()
        no_email = cleaned.get("has_account") == "no" and not cleaned.get("email")
        if no_email and "email" not in self.errors:
            self.add_error("email", "Enter the successor's email address")
        return cleaned

    def change(self) -> ChangeRequest:
        """The change to the register that names the successor in the holder's place."""
        data = self.cleaned_data
        person = data["user"]
        return ChangeRequest(
            organisation=self.organisation,
            kind=self.kind,
            replaces=self.appointment,
            name=(person.full_name or person.email) if person else data["name"].strip(),
            email=person.email if person else data["email"],
            starts_on=data["starts_on"],
            note=data.get("note", ""),
        )


class AppointmentChangeForm(forms.Form):
    """Correct the dates of a named post (and the email of someone without an account). The
    person is never changed: a new holder is recorded, or replaces this one."""

    start_on = NHSDateField(**START_ON)
    end_on = NHSDateField(**END_ON)
    email = email_field(
        "Their email address",
        message="Enter their email address",
        required=False,
    )

    def __init__(self, *args, appointment, **kwargs):
        initial = {
            "start_on": appointment.start_on,
            "end_on": appointment.end_on,
            "email": appointment.email,
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.appointment = appointment
        if appointment.user_id:
            del self.fields["email"]  # theirs is the account's
        if appointment.post in APPROVED_POSTS:
            del self.fields["start_on"]  # as approved on the register
            self.fields[
                "end_on"
            ].help_text = (
                "Today or later; leave empty while they are in post. For example, 31 3 2027"
            )

    def changed_appointment(self) -> Appointment:
        for name, value in self.cleaned_data.items():
            setattr(self.appointment, name, value)
        return self.appointment


class AcceptInvitationForm(forms.Form):
    """A new person's name and password, chosen from their invitation link."""

    full_name = text_field(
        "Full name",
        max_length=200,
        message="Enter your full name",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = text_field(
        "Create a password",
        max_length=128,
        message="Create a password",
        too_long="Password must be 128 characters or fewer",
        help_text="At least 12 characters. Avoid common words and your name.",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = text_field(
        "Confirm your password",
        max_length=128,
        message="Confirm your password",
        too_long="Password must be 128 characters or fewer",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The passwords do not match")
        elif password1:
            person = User(email=self.email, full_name=cleaned.get("full_name", ""))
            try:
                password_validation.validate_password(password1, user=person)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ChangeRequestStartForm(forms.Form):
    """The first question of a change to the register: which organisation, and what changes.
    The organisation is given by its ODS code, as on the form this replaces."""

    ods_code = ODSCodeFormField(
        label="ODS code of the organisation",
        help_text="For example, RX1 or A81001",
        message="Enter the organisation's ODS code",
    )
    kind = radios(
        "What is changing?", ChangeRequest.Kind.choices, message="Select what is changing"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.organisation = None
        self.waiting = None  # the change of the kind chosen already waiting, to link to

    def clean_ods_code(self):
        code = self.cleaned_data["ods_code"]
        validate_ods_code(code)
        [organisation] = known_organisations([code])
        if not access_for(self.user).has(Perm.CHANGES_SUBMIT, organisation):
            raise ValidationError(
                "You can ask for changes only for organisations where you are the MSO, the "
                "deputy MSO, the board director for medication safety or the executive "
                "director for patient safety",
                code="not_yours",
            )
        self.organisation = organisation
        return code

    def clean(self):
        cleaned = super().clean()
        if self.organisation is not None and cleaned.get("kind"):
            draft = ChangeRequest(organisation=self.organisation, kind=cleaned["kind"])
            try:
                change_requests.check_asker(self.user, draft)
                change_requests.check_kind(draft)
            except ValidationError as error:
                self.add_error("kind", error.message_dict.get("kind", error.messages))
                if "waiting" in error_codes(error):
                    self.waiting = change_requests.waiting_like(
                        self.user, self.organisation, draft.kind
                    )
        return cleaned


class ChangeRequestForm(forms.ModelForm):
    """The details of one kind of change: who and from when, a last day, or a mailbox."""

    FIELDS = {
        **dict.fromkeys(NEW_HOLDER, ["name", "email", "starts_on"]),
        **dict.fromkeys(LEAVES, ["ends_on"]),
        ChangeRequest.Kind.CONTACT: ["mso_mailbox"],
        ChangeRequest.Kind.NEW_SPECIALIST: [
            "basis",
            "replaces",
            "name",
            "email",
            "phone",
            "starts_on",
            "job_title",
            "pay_band",
            "guidance_considered",
        ],
    }
    name = text_field("Full name", max_length=200, message="Enter their full name")
    email = email_field(
        "Email address",
        message="Enter their email address",
        help_text="Their NHS or work email address, shown on the register",
    )
    starts_on = NHSDateField(
        label="First day in post",
        help_text="For example, 1 4 2027",
        message="Enter their first day in post",
    )
    ends_on = NHSDateField(
        label="Last day in post",
        help_text="For example, 31 3 2027",
        message="Enter their last day in post",
    )
    mso_mailbox = email_field(
        "Generic MSO mailbox",
        message="Enter the generic MSO mailbox",
        help_text="A shared address that reaches whoever is MSO, for example mso@nhs.net",
    )
    basis = radios(
        "Is this person the organisation's first Patient Safety Specialist, a replacement "
        "or an addition?",
        ChangeRequest.Basis.choices,
        message="Select whether they are the first, a replacement or an addition",
    )
    replaces = choose_from(
        "Whom do they replace?",
        Appointment.objects.none(),
        message="Select the Patient Safety Specialist who is replaced",
        required=False,
        help_text="Only for a replacement: their last day is the day before this person starts",
        widget=NHSRadioSelect,
    )
    phone = text_field("Contact number", max_length=30, message="Enter their contact number")
    job_title = text_field(
        "Job title",
        max_length=200,
        message="Enter their job title",
        help_text="Seen by the national patient safety team only",
    )
    pay_band = select(
        "Pay band",
        [("", "Select a pay band"), *ChangeRequest.PayBand.choices],
        message="Select their pay band",
        help_text="Seen by the national patient safety team only",
    )
    guidance_considered = forms.BooleanField(
        label="The national guidance, Identifying Patient Safety Specialists, was considered "
        "in choosing them",
        error_messages={
            "required": "Confirm that the national guidance on identifying Patient Safety "
            "Specialists was considered"
        },
    )
    note = text_box(
        "Anything the people who decide it should know (optional)",
        required=False,
        max_length=2000,
        rows=3,
        too_long="The note must be 2000 characters or fewer",
    )

    class Meta:
        model = ChangeRequest
        fields = [
            "basis",
            "replaces",
            "name",
            "email",
            "phone",
            "starts_on",
            "ends_on",
            "job_title",
            "pay_band",
            "mso_mailbox",
            "guidance_considered",
            "note",
        ]

    def __init__(self, *args, organisation, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        self.instance.kind = kind
        for name in set(self.Meta.fields) - {*self.FIELDS[kind], "note"}:
            del self.fields[name]
        self.fields["note"].label = f"Anything {self.instance.decider} should know (optional)"
        if "replaces" in self.fields:
            self.fields["replaces"].queryset = (
                Appointment.objects.filter(
                    organisation=organisation, post=Post.PATIENT_SAFETY_SPECIALIST
                )
                .current()
                .select_related("user")
                .order_by("start_on", "pk")
            )
            self.fields["replaces"].label_from_instance = lambda held: (
                f"{held.holder_name}, from {held.start_on:%-d %B %Y}"
            )
        if kind in LEAVES:
            self.fields["ends_on"].help_text = (
                "Their post shows as vacant on the register from the next day, until a "
                "successor is named. For example, 31 3 2027"
            )


class ChangeDecisionForm(forms.Form):
    decision = radios(
        "Your decision",
        [
            ("approve", "Approve it: the register changes now"),
            ("reject", "Reject it"),
        ],
        message="Select whether you approve or reject the change",
    )
    reason = text_box(
        "Reason",
        required=False,
        max_length=2000,
        rows=3,
        help_text="Needed when you reject it. Whoever asked sees it.",
        too_long="The reason must be 2000 characters or fewer",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == "reject" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Give the reason for rejecting it")
        return cleaned


class ChangeRequestFilterForm(SearchForm):
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[
            ("", "Any status"),
            (ChangeRequest.Status.PENDING, "Waiting for a decision"),
            *(
                choice
                for choice in ChangeRequest.Status.choices
                if choice[0] != ChangeRequest.Status.PENDING
            ),
        ],
    )


class RegisterFilterForm(SearchForm):
    """The register's search, filters and sort, from the query string. A value that does not
    fit is left out; the rest still apply."""

    q = forms.CharField(label="Person, organisation or ODS code", required=False, max_length=100)
    region = forms.ChoiceField(
        label="Region", required=False, choices=[("", "Any region"), *Region.choices]
    )
    icb = forms.TypedChoiceField(label="ICB", required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(
        label="Kind of organisation",
        required=False,
        choices=[("", "Any kind"), *OrganisationKind.choices],
    )
    post = forms.ChoiceField(
        label="Post",
        required=False,
        choices=[(Post.MSO, "MSO"), (Post.BOARD_DIRECTOR, "Board director")],
    )
    state = forms.ChoiceField(
        label="State of the post",
        required=False,
        choices=[("", "Any state"), *register.State.choices],
    )
    sort = forms.ChoiceField(label="Sort by", required=False, choices=register.Sort.choices)
    order = forms.ChoiceField(
        label="Order",
        required=False,
        choices=[("", "A to Z, oldest first"), ("desc", "Z to A, newest first")],
    )

    def __init__(self, *args, icbs, **kwargs):
        """``icbs``: the ICBs the person may choose from, as (id, name)."""
        super().__init__(*args, **kwargs)
        self.fields["icb"].choices = [("", "Any ICB"), *icbs]

    def filters(self) -> register.Filters:
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if value}
        return register.Filters(
            q=data.get("q", ""),
            region=data.get("region", ""),
            icb=data.get("icb"),
            kind=data.get("kind", ""),
            post=data.get("post", Post.MSO),
            state=data.get("state", ""),
            sort=data.get("sort", register.Sort.ORGANISATION),
            descending=data.get("order") == "desc",
        )


class SpecialistFilterForm(SearchForm):
    """The Patient Safety Specialists' register: a search and filters from the query string. A
    value that does not fit is left out; the rest still apply."""

    q = forms.CharField(
        label="Specialist, organisation or ODS code", required=False, max_length=100
    )
    region = forms.ChoiceField(
        label="Region", required=False, choices=[("", "Any region"), *Region.choices]
    )
    kind = forms.ChoiceField(
        label="Kind of organisation",
        required=False,
        choices=[("", "Any kind"), *OrganisationKind.choices],
    )
    state = forms.ChoiceField(
        label="Specialists",
        required=False,
        choices=[
            ("", "With or without"),
            ("with", "With a Patient Safety Specialist"),
            ("without", "Without a Patient Safety Specialist"),
        ],
    )

    def filters(self) -> dict:
        self.is_valid()
        return {
            name: (value.strip() if isinstance(value, str) else value)
            for name in ("q", "region", "kind", "state")
            if (value := self.cleaned_data.get(name))
        }
