from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db.models import Q

from accounts.models import User
from mso_portal.nhsuk_forms.fields import NHSDateField

from .choices import ROLE_HINTS, Post, Region, posts_for, roles_for
from .models import Appointment, Organisation


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
    email = forms.EmailField(
        label="Email address",
        help_text="Their NHS or work email address. The invitation link is sent there.",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@nhs.net",
            "max_length": "Email address must be 254 characters or fewer",
        },
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


class AppointmentForm(forms.ModelForm):
    """A named post: held by a member of the organisation, or by a named person without an
    account."""

    start_on = NHSDateField(
        label="Start date",
        help_text="For example, 1 4 2026",
        error_messages={"required": "Enter the start date"},
    )
    end_on = NHSDateField(
        label="End date",
        required=False,
        help_text="Leave empty while they are in post. For example, 31 3 2027",
    )
    replace = forms.BooleanField(
        label="End the current holder's appointment the day before this one starts",
        help_text="For the MSO or the board director, who has one holder at a time",
        required=False,
    )

    class Meta:
        model = Appointment
        fields = ["post", "user", "name", "email", "start_on", "end_on"]
        labels = {
            "post": "Post",
            "user": "Person with an account",
            "name": "Or: full name of someone without an account",
            "email": "Their email address",
        }
        help_texts = {"email": "Optional, for someone without an account"}
        widgets = {"post": forms.RadioSelect}
        error_messages = {
            "post": {"required": "Select a post", "invalid_choice": "Select a post"},
            "user": {"invalid_choice": "Select a member of this organisation"},
            "name": {"max_length": "Full name must be 200 characters or fewer"},
            "email": {"invalid": "Enter an email address in the correct format, like name@nhs.net"},
        }

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.organisation = organisation
        # Members of the organisation, and whoever holds this post already (they may have left).
        self.fields["user"].queryset = User.objects.filter(
            Q(memberships__organisation=organisation, is_active=True)
            | Q(pk=self.instance.user_id or 0)
        ).distinct()
        self.fields["user"].empty_label = "No account: I will give their name"
        self.fields["user"].required = False
        self.fields["post"].choices = [(p.value, p.label) for p in posts_for(organisation.kind)]
        if self.instance.pk:
            del self.fields["replace"]  # a new holder is recorded as a new appointment

    def clean(self):
        cleaned = super().clean()
        no_holder = not cleaned.get("user") and not (cleaned.get("name") or "").strip()
        if no_holder and "user" not in self.errors:
            self.add_error(
                "user", "Select a person with an account, or give the name of the post holder"
            )
        if cleaned.get("user"):
            cleaned["name"] = ""
            cleaned["email"] = ""
        return cleaned


class AcceptInvitationForm(forms.Form):
    """A new person's name and password, chosen from their invitation link."""

    full_name = forms.CharField(
        label="Full name",
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={
            "required": "Enter your full name",
            "max_length": "Full name must be 200 characters or fewer",
        },
    )
    password1 = forms.CharField(
        label="Create a password",
        help_text="At least 12 characters. Avoid common words and your name.",
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={
            "required": "Create a password",
            "max_length": "Password must be 128 characters or fewer",
        },
    )
    password2 = forms.CharField(
        label="Confirm your password",
        strip=False,
        max_length=128,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={
            "required": "Confirm your password",
            "max_length": "Password must be 128 characters or fewer",
        },
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
