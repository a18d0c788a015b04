"""django-allauth's forms, worded and labelled for NHS.UK pages (no placeholders)."""

from allauth.account import forms as allauth_forms


def _plain(form, labels: dict[str, str]) -> None:
    for name, field in form.fields.items():
        field.widget.attrs.pop("placeholder", None)
        if name in labels:
            field.label = labels[name]


class LoginForm(allauth_forms.LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _plain(self, {"login": "Email address", "password": "Password"})
        self.fields["login"].widget.attrs.update({"autocomplete": "email", "spellcheck": "false"})


class ResetPasswordForm(allauth_forms.ResetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _plain(self, {"email": "Email address"})


class ResetPasswordKeyForm(allauth_forms.ResetPasswordKeyForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _plain(self, {"password1": "New password", "password2": "Confirm new password"})


class ChangePasswordForm(allauth_forms.ChangePasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _plain(
            self,
            {
                "oldpassword": "Current password",
                "password1": "New password",
                "password2": "Confirm new password",
            },
        )


class SetPasswordForm(allauth_forms.SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _plain(self, {"password1": "Password", "password2": "Confirm password"})


class ReauthenticateForm(allauth_forms.ReauthenticateForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _plain(self, {"password": "Password"})
