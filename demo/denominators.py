"""The demo organisations' monthly denominators (docs/adr/0027-funnel-plots-and-denominators.md),
for the two years to the last whole month, so that the funnel plots of reporting rates have
something to show: each recorded by the MSO who looks after the organisation. Made up, of the
sizes the national sources give for such organisations."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from incidents.figures import month_starts
from organisations.models import Denominator

MONTHS = 24
# ODS code: a month's value (occupied bed days, list size, items dispensed), and who records it.
SIZES = {
    "RZA": (18_600, "mso@trust-a.example"),  # about 620 beds, most of them occupied
    "RZB": (7_200, "mso@trust-b.example"),  # a community trust's 240 beds
    "Z99901": (11_400, "mso@pcn.example"),
    "Z99902": (5_300, "mso@pcn.example"),
    "FZZ01": (8_900, "mso@pharmacies.example"),
}


def seed_denominators(organisations, people) -> int:
    """Record the demo organisations' months (once: a month recorded is left as it is)."""
    last_whole = month_starts(timezone.localdate(), 2)[0]
    rows = []
    for code, (size, email) in SIZES.items():
        for index, month in enumerate(month_starts(last_whole, MONTHS)):
            # A little seasonal: more in winter, less in summer.
            winter = month.month in (12, 1, 2)
            summer = month.month in (7, 8)
            value = round(size * (1.04 if winter else 0.97 if summer else 1) + index % 3 * 7)
            rows.append(
                Denominator(
                    organisation=organisations[code],
                    month=month,
                    value=value,
                    recorded_by=people[email],
                    recorded_at=timezone.make_aware(datetime.combine(_after(month), time(9))),
                )
            )
    return len(Denominator.objects.bulk_create(rows, ignore_conflicts=True))


def _after(month: date) -> date:
    """The 10th of the next month: when the month's figures are in."""
    return (month.replace(day=28) + timedelta(days=4)).replace(day=10)
