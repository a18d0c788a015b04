from django import forms

from core.nhsuk_forms.fields import radios

from .models import Preference


class PreferenceForm(forms.Form):
    delivery = radios(
        "How do you want your reminders emailed?",
        Preference.Delivery.choices,
        message="Select how you want your reminders emailed",
    )


class PageForm(forms.Form):
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)

    @property
    def number(self) -> int:
        return (self.cleaned_data.get("page") or 1) if self.is_valid() else 1
