"""The forms of reporting rates against peers: an organisation's monthly denominator, a file of
them to import, and the funnel plot's choices (docs/adr/0027-funnel-plots-and-denominators.md)."""

import datetime

from django import forms

from core import uploads
from core.forms import ErrorsOnFields, FromAddress
from core.funnel import THIRDS
from core.nhsuk_forms.fields import file_field, select
from organisations.choices import MEASURES, PeerGroup, region_choices

from .figures import month_starts

MONTHS_OFFERED = 36  # an organisation's denominators: the months it may record or correct
PERIODS_OFFERED = 24  # a funnel plot's 12 months may end in any of the last 24 whole months
EVERY_BAND = "all"
ENGLAND = ""


def month_label(month: datetime.date) -> str:
    return f"{month:%B %Y}"


class DenominatorForm(ErrorsOnFields, forms.Form):
    """One month's denominator of an organisation, in its kind's measure."""

    errors_field = "value"

    def __init__(self, *args, measure: str, today: datetime.date, **kwargs):
        super().__init__(*args, **kwargs)
        rule = MEASURES[measure]
        months = month_starts(today, MONTHS_OFFERED)[::-1]  # this month first
        self.fields["month"] = select(
            "Month",
            [(f"{month:%Y-%m}", month_label(month)) for month in months],
            message="Choose the month",
        )
        self.fields["value"] = forms.CharField(
            label=rule.unit[0].upper() + rule.unit[1:],
            max_length=14,
            help_text="A whole number, for example 12,500",
            error_messages={"required": f"Enter the {rule.unit}"},
            widget=forms.TextInput(
                attrs={"class": "nhsuk-input--width-10", "inputmode": "numeric"}
            ),
        )
        self.rule = rule

    def clean_month(self) -> datetime.date:
        year, month = self.cleaned_data["month"].split("-")
        return datetime.date(int(year), int(month), 1)

    def clean_value(self) -> int:
        text = self.cleaned_data["value"].strip().replace(",", "").replace(" ", "")
        if not text.isdigit() or int(text) < 1:
            raise forms.ValidationError(
                f"Enter the {self.rule.unit} as a whole number more than 0, like 12,500"
            )
        return int(text)


class DenominatorImportForm(forms.Form):
    file = file_field(
        "Denominators file",
        message="Select a CSV file of denominators",
        help_text="A CSV file with the columns ods_code, month and value, smaller than 8 MB",
    )

    def __init__(self, *args, too_big=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_big = too_big

    def clean(self):
        cleaned = super().clean()
        upload = cleaned.get("file")
        identified = uploads.check(self, upload, over_limit=self.too_big)
        if identified and identified[0] != uploads.ACCEPTED["csv"][1]:
            self.add_error("file", "The file must be a CSV file: save the spreadsheet as CSV")
        return cleaned


class FunnelForm(FromAddress):
    """What the funnel plot shows, from its address: anything it does not offer is read as the
    first of what it does, never an error page."""

    peers = forms.ChoiceField(label="Organisations", choices=PeerGroup.choices, required=False)
    band = forms.ChoiceField(
        label="Size",
        choices=[(EVERY_BAND, "Every size"), *((str(i), t) for i, t in enumerate(THIRDS))],
        required=False,
    )
    ending = forms.ChoiceField(label="12 months to", required=False)
    region = forms.ChoiceField(label="Where", required=False)

    def __init__(self, data, *, regions: set[str] | None, today: datetime.date):
        super().__init__(data)
        last_whole = month_starts(today, 2)[0]
        endings = month_starts(last_whole, PERIODS_OFFERED)[::-1]
        self.fields["ending"].choices = [(f"{m:%Y-%m}", month_label(m)) for m in endings]
        self.fields["region"].choices = region_choices(regions, everywhere="All of England")

    def choice(self) -> dict:
        """The peers, band (None: every size), the period's first month and the month after
        it, and the region (ENGLAND: all) to show."""
        band = self.offered("band")
        last = datetime.date.fromisoformat(self.offered("ending") + "-01")
        since = month_starts(last, 12)[0]
        until = (last + datetime.timedelta(days=32)).replace(day=1)
        return {
            "peers": self.offered("peers"),
            "band": None if band == EVERY_BAND else int(band),
            "ending": f"{last:%Y-%m}",
            "since": since,
            "last": last,
            "until": until,
            "region": self.offered("region"),
        }

    @staticmethod
    def data_for(choice: dict) -> dict:
        """The data a form showing ``choice`` is bound to."""
        return {
            "peers": choice["peers"],
            "band": EVERY_BAND if choice["band"] is None else str(choice["band"]),
            "ending": choice["ending"],
            "region": choice["region"],
        }
