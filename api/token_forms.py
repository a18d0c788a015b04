"""The form that makes an API token, on the person's account pages."""

import datetime

from django import forms
from django.utils import timezone

from core.nhsuk_forms.fields import NHSDateField, checkboxes, text_field

from .scopes import SCOPES, offered
from .services import LONGEST

SUGGESTED_DAYS = 30


class TokenForm(forms.Form):
    name = text_field(
        "Name",
        max_length=100,
        message="Enter a name for the token",
        help_text="What it is for, so you know it later: for example, Datix nightly import",
    )
    scopes = checkboxes("What may it do?", (), message="Select what the token may do")
    expires_on = NHSDateField(
        label="When does it stop working?",
        subject="The expiry date",
        help_text=f"At most {LONGEST.days} days from today",
    )

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault(
            "initial",
            {"expires_on": timezone.localdate() + datetime.timedelta(days=SUGGESTED_DAYS)},
        )
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = [(scope.value, SCOPES[scope][0]) for scope in offered(user)]
