from django import forms

from .models import Preference


class PreferenceForm(forms.Form):
    delivery = forms.ChoiceField(
        label="How do you want your reminders emailed?",
        choices=Preference.Delivery.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how you want your reminders emailed",
            "invalid_choice": "Select how you want your reminders emailed",
        },
    )


class PageForm(forms.Form):
    page = forms.IntegerField(required=False, min_value=1, max_value=100_000)

    @property
    def number(self) -> int:
        return (self.cleaned_data.get("page") or 1) if self.is_valid() else 1
