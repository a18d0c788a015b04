"""django-allauth's forms, worded and labelled for NHS.UK pages: no placeholders, and every
error on the field it is about (ErrorsOnFields), so the error summary links to it."""

from allauth.account import forms as allauth_forms
from allauth.core import context
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.totp import forms as totp_forms
from allauth.mfa.webauthn import forms as webauthn_forms
from django import forms

from mso_portal.forms import ErrorsOnFields

from .mfa import mark_session_verified

CODE_HELP = "The 6 numbers your authenticator app shows now"


def _plain(form, labels: dict[str, str], required: dict[str, str] | None = None) -> None:
    for name, field in form.fields.items():
        field.widget.attrs.pop("placeholder", None)
        if name in labels:
            field.label = labels[name]
        if required and name in required:
            field.error_messages["required"] = required[name]


class LoginForm(ErrorsOnFields, allauth_forms.LoginForm):
    errors_field = "login"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _plain(
            self,
            {"login": "Email address", "password": "Password"},
            {"login": "Enter your email address", "password": "Enter your password"},
        )
        self.fields["login"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})
        self.fields["login"].error_messages["invalid"] = (
            "Enter an email address in the correct format, like name@nhs.net"
        )


class ResetPasswordForm(ErrorsOnFields, allauth_forms.ResetPasswordForm):
    errors_field = "email"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _plain(self, {"email": "Email address"}, {"email": "Enter your email address"})
        self.fields["email"].error_messages["invalid"] = (
            "Enter an email address in the correct format, like name@nhs.net"
        )


class ResetPasswordKeyForm(ErrorsOnFields, allauth_forms.ResetPasswordKeyForm):
    errors_field = "password1"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _plain(
            self,
            {"password1": "New password", "password2": "Confirm new password"},
            {"password1": "Enter a new password", "password2": "Confirm your new password"},
        )


class ChangePasswordForm(ErrorsOnFields, allauth_forms.ChangePasswordForm):
    errors_field = "oldpassword"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _plain(
            self,
            {
                "oldpassword": "Current password",
                "password1": "New password",
                "password2": "Confirm new password",
            },
            {
                "oldpassword": "Enter your current password",
                "password1": "Enter a new password",
                "password2": "Confirm your new password",
            },
        )


class SetPasswordForm(ErrorsOnFields, allauth_forms.SetPasswordForm):
    errors_field = "password1"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _plain(
            self,
            {"password1": "Password", "password2": "Confirm password"},
            {"password1": "Enter a password", "password2": "Confirm your password"},
        )


class ReauthenticateForm(ErrorsOnFields, allauth_forms.ReauthenticateForm):
    errors_field = "password"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _plain(self, {"password": "Password"}, {"password": "Enter your password"})


def _code_field(field: forms.Field) -> None:
    field.label = "Code from your authenticator app"
    field.help_text = CODE_HELP
    field.error_messages["required"] = "Enter the code from your authenticator app"
    field.widget.attrs.pop("placeholder", None)
    field.widget.attrs.update(
        {"inputmode": "numeric", "autocomplete": "one-time-code", "spellcheck": "false"}
    )
    field.widget.attrs["class"] = "nhsuk-input--width-10"


class AuthenticateForm(ErrorsOnFields, mfa_forms.AuthenticateForm):
    errors_field = "code"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _code_field(self.fields["code"])
        self.fields["code"].help_text = f"{CODE_HELP}, or one of your recovery codes"


class ReauthenticateMFAForm(ErrorsOnFields, mfa_forms.ReauthenticateForm):
    errors_field = "code"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _code_field(self.fields["code"])


class ActivateTOTPForm(ErrorsOnFields, totp_forms.ActivateTOTPForm):
    errors_field = "code"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _code_field(self.fields["code"])

    def clean_code(self):
        code = super().clean_code()
        # A right code from the new app proves it: this session has used a second factor.
        mark_session_verified(context.request)
        return code


KEY_NAME_HELP = "So you can tell your keys apart, for example 'Work laptop' or 'Blue key'"


class AddWebAuthnForm(ErrorsOnFields, webauthn_forms.AddWebAuthnForm):
    errors_field = "name"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].label = "Name of this security key"
        self.fields["name"].help_text = KEY_NAME_HELP
        self.fields["name"].max_length = 100
        self.fields["credential"].error_messages["required"] = (
            "Use your security key when your browser asks for it"
        )

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            # The key answered the browser's challenge: this session has used it.
            mark_session_verified(context.request)
        return cleaned


class EditWebAuthnForm(ErrorsOnFields, webauthn_forms.EditWebAuthnForm):
    errors_field = "name"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].label = "Name of this security key"
        self.fields["name"].help_text = KEY_NAME_HELP
        self.fields["name"].max_length = 100
        self.fields["name"].error_messages["required"] = "Enter a name for this security key"
