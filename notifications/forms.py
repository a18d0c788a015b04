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


class GroupForm(forms.Form):
    """One line of the notifications list: its topic, kind and day (hidden fields)."""

    topic = forms.CharField(max_length=60, required=False)
    kind = forms.CharField(max_length=60)
    day = forms.DateField()
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)
