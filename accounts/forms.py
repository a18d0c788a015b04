"""django-allauth's forms, worded and labelled for NHS.UK pages: no placeholders, labels and
messages in the NHS.UK style, and every error on the field it is about (ErrorsOnFields), so the
error summary links to it. Each form only declares its wording (``NHSWording``)."""

import logging

from allauth.account import forms as allauth_forms
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.models import Authenticator
from allauth.mfa.totp import forms as totp_forms
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.webauthn import forms as webauthn_forms
from django import forms

from core.forms import ErrorsOnFields
from core.nhsuk_forms.fields import NHSDateField, radios, text_field

from .models import PharmacyTeam, Profession, SyllabusLevel

logger = logging.getLogger(__name__)

EMAIL_FORMAT = "Enter an email address in the correct format, like name@nhs.net"
CODE_HELP = "The 6 numbers your authenticator app shows now"
CODE = {
    "label": "Code from your authenticator app",
    "hint": CODE_HELP,
    "required": "Enter the code from your authenticator app",
    "attrs": {
        "inputmode": "numeric",
        "autocomplete": "one-time-code",
        "spellcheck": "false",
        "class": "nhsuk-input--width-10",
    },
}
KEY_NAME = {
    "label": "Name of this security key",
    "hint": "So you can tell your keys apart, for example 'Work laptop' or 'Blue key'",
    "required": "Enter a name for this security key",
    "max_length": 100,
}
NEW_PASSWORD = {"label": "New password", "required": "Enter a new password"}
CONFIRM_NEW_PASSWORD = {"label": "Confirm new password", "required": "Confirm your new password"}


class NHSWording(ErrorsOnFields):
    """Declare each field's wording as ``wording = {field: {label, hint, required, invalid,
    attrs, max_length}}``; placeholders go."""

    wording: dict[str, dict] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.pop("placeholder", None)
            words = self.wording.get(name, {})
            field.label = words.get("label", field.label)
            field.help_text = words.get("hint", field.help_text)
            field.widget.attrs.update(words.get("attrs", {}))
            if "max_length" in words:
                field.max_length = words["max_length"]
            for key in ("required", "invalid"):
                if key in words:
                    field.error_messages[key] = words[key]


class LoginForm(NHSWording, allauth_forms.LoginForm):
    errors_field = "login"
    wording = {
        "login": {
            "label": "Email address",
            "required": "Enter your email address",
            "invalid": EMAIL_FORMAT,
            "attrs": {"autocomplete": "email", "spellcheck": "false"},
        },
        "password": {"label": "Password", "required": "Enter your password"},
    }


class ResetPasswordForm(NHSWording, allauth_forms.ResetPasswordForm):
    """Asking for a password reset: the email goes from a worker after the page has answered,
    asked for with every address, so how long the page takes tells nobody whether an account
    has it. Nothing of the account changes (accounts/tokens.py)."""

    errors_field = "email"
    wording = {
        "email": {
            "label": "Email address",
            "required": "Enter your email address",
            "invalid": EMAIL_FORMAT,
        }
    }

    def save(self, request, **kwargs) -> str:
        from kombu.exceptions import OperationalError

        from .tasks import send_password_reset

        email = self.cleaned_data["email"]
        try:
            send_password_reset.delay(email)
        except OperationalError:  # no broker: send it now rather than not at all
            logger.warning("The broker is down: a password reset email is sent in the request")
            send_password_reset.apply(args=[email])
        return email


class ResetPasswordKeyForm(NHSWording, allauth_forms.ResetPasswordKeyForm):
    errors_field = "password1"
    wording = {"password1": NEW_PASSWORD, "password2": CONFIRM_NEW_PASSWORD}


class ChangePasswordForm(NHSWording, allauth_forms.ChangePasswordForm):
    errors_field = "oldpassword"
    wording = {
        "oldpassword": {"label": "Current password", "required": "Enter your current password"},
        "password1": NEW_PASSWORD,
        "password2": CONFIRM_NEW_PASSWORD,
    }


class SetPasswordForm(NHSWording, allauth_forms.SetPasswordForm):
    errors_field = "password1"
    wording = {
        "password1": {"label": "Password", "required": "Enter a password"},
        "password2": {"label": "Confirm password", "required": "Confirm your password"},
    }


class ReauthenticateForm(NHSWording, allauth_forms.ReauthenticateForm):
    errors_field = "password"
    wording = {"password": {"label": "Password", "required": "Enter your password"}}


class AuthenticateForm(NHSWording, mfa_forms.AuthenticateForm):
    errors_field = "code"
    wording = {"code": {**CODE, "hint": f"{CODE_HELP}, or one of your recovery codes"}}


class ReauthenticateMFAForm(NHSWording, mfa_forms.ReauthenticateForm):
    errors_field = "code"
    wording = {"code": CODE}


class ActivateTOTPForm(NHSWording, totp_forms.ActivateTOTPForm):
    errors_field = "code"
    wording = {"code": CODE}

    def clean_code(self):
        code = super().clean_code()
        # Spent: confirming the new app (accounts/mfa.py) takes the next code it shows.
        TOTP(Authenticator(user=self.user))._mark_code_used(code)
        return code


class AddWebAuthnForm(NHSWording, webauthn_forms.AddWebAuthnForm):
    errors_field = "name"
    wording = {
        "name": KEY_NAME,
        "credential": {"required": "Use your security key when your browser asks for it"},
    }


class EditWebAuthnForm(NHSWording, webauthn_forms.EditWebAuthnForm):
    errors_field = "name"
    wording = {"name": KEY_NAME}


class RegistrationForm(forms.Form):
    profession = radios("Your profession", Profession.choices, message="Select your profession")
    number = text_field(
        "Registration number",
        max_length=12,
        message="Enter your registration number",
        help_text=(
            "Your GPhC registration number (7 numbers), GMC reference number (7 numbers), NMC "
            "PIN (like 12A3456E) or HCPC registration number (like PA12345)"
        ),
        widget=forms.TextInput(
            attrs={"class": "nhsuk-input--width-10", "spellcheck": "false", "autocomplete": "off"}
        ),
    )
    pharmacy_team = radios(
        "Do you work inside or outside the pharmacy team?",
        PharmacyTeam.choices,
        message="Select whether you work inside or outside the pharmacy team",
    )


class TrainingForm(forms.Form):
    title = text_field(
        "Course or development",
        max_length=200,
        message="Enter the course or development",
        help_text="For example, the national MSO induction or the patient safety syllabus level 2",
    )
    provider = text_field(
        "Provider (optional)",
        max_length=200,
        required=False,
        too_long="Provider must be 200 characters or fewer",
        help_text="For example, NHS England or the Centre for Pharmacy Postgraduate Education",
    )
    completed_on = NHSDateField(
        label="Date completed", allow_future=False, help_text="For example, 15 3 2026"
    )


class SyllabusForm(forms.Form):
    level = radios("Level", SyllabusLevel.choices, message="Select the level you completed")
    completed_on = NHSDateField(
        label="Date completed", allow_future=False, help_text="For example, 15 3 2026"
    )
