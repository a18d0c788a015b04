from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db.models import Q

from accounts.models import User
from mso_portal.nhsuk_forms.fields import NHSDateField

from .choices import Region, Role
from .models import Appointment, Organisation


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        help_text="Their NHS or work email address. The invitation link is sent there.",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        error_messages={
            "required": "Enter their email address",
            "invalid": "Enter an email address in the correct format, like name@nhs.net",
        },
    )
    role = forms.ChoiceField(
        label="Role",
        choices=Role.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a role"},
    )


class MemberRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label="Roles",
        help_text="Untick every role to remove this person from the organisation.",
        choices=Role.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class OrganisationSwitchForm(forms.Form):
    organisation = forms.ModelChoiceField(
        label="Which organisation do you want to work in?",
        queryset=Organisation.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Choose an organisation"},
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations


class OrganisationFilterForm(forms.Form):
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
        help_text="Leave empty while they are in post",
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
        error_messages = {"post": {"required": "Choose a post"}}

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
        self.fields["post"].choices = self.fields["post"].choices[1:]  # no blank radio

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("user") and not (cleaned.get("name") or "").strip():
            raise ValidationError(
                {"user": "Choose a person with an account, or give the name of the post holder"}
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
        error_messages={"required": "Enter your full name"},
    )
    password1 = forms.CharField(
        label="Create a password",
        help_text="At least 12 characters. Avoid common words and your name.",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Create a password"},
    )
    password2 = forms.CharField(
        label="Confirm your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        error_messages={"required": "Confirm your password"},
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
