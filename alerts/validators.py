"""Alert references: a National Patient Safety Alert's is ``NatPSA/YYYY/NNN/ISSUER``, its year
the year it was issued (choices.py); a Class 1 medicines recall's a NatPSA's or, as the MHRA
gave them before it issued them as NatPSAs (and in older records), an ``EL (26)A/05``; any
other alert's is as CAS shows it."""

from django.core.exceptions import ValidationError

from . import choices


def normalise_reference(reference: str) -> str:
    return " ".join((reference or "").split())


def check_reference(reference: str, alert_type: str, issued_on) -> None:
    if alert_type == choices.AlertType.RECALL_1 and choices.EL_REFERENCE.fullmatch(reference):
        return
    if alert_type in choices.NATPSA_TYPES:
        match = choices.NATPSA_REFERENCE.fullmatch(reference)
        if match is None:
            raise ValidationError(
                "Enter a National Patient Safety Alert reference like NatPSA/2026/004/NHSPS",
                code="natpsa_format",
            )
        if match["issuer"] not in choices.NATPSA_ISSUERS:
            known = ", ".join(choices.NATPSA_ISSUERS)
            raise ValidationError(
                f"The reference must end with who issued it: {known}", code="natpsa_issuer"
            )
        if issued_on is not None and int(match["year"]) != issued_on.year:
            raise ValidationError(
                f"The reference's year ({match['year']}) must be the year the alert was issued "
                f"({issued_on.year})",
                code="natpsa_year",
            )
    elif not choices.OTHER_REFERENCE.fullmatch(reference):
        raise ValidationError(
            "Enter the alert's reference as it was issued, for example MDA/2026/012: 3 to 60 "
            "letters, numbers, spaces, brackets, full stops, hyphens or slashes",
            code="format",
        )
