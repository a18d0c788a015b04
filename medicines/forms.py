from django import forms

from core.nhsuk_forms.fields import text_field

from .search import MAX_LENGTH, MIN_LENGTH


class FindForm(forms.Form):
    """The find page's search, from its address."""

    q = text_field(
        "Name of the medicine",
        max_length=MAX_LENGTH,
        required=False,
        help_text="Any words of its name, for example morphine oral solution, or a brand such "
        "as Oramorph",
    )

    def clean_q(self):
        q = " ".join(self.cleaned_data["q"].split())
        if q and len(q) < MIN_LENGTH:
            raise forms.ValidationError(
                f"Enter {MIN_LENGTH} or more characters of the medicine's name", code="short"
            )
        return q

    @property
    def query(self) -> str:
        return (self.cleaned_data.get("q") or "").strip() if self.is_valid() else ""
