"""The demo's concerns about individuals and controlled drugs: two kept by Trust A's CDAO (one
shared with the Local Intelligence Network and closed), none elsewhere. Seeded once."""

from datetime import timedelta

from django.utils import timezone

from controlled_drugs.models import Concern

CONCERNS = [
    # days ago, raised by, about, where, the concern, medicines, done, shared, closed
    (
        40,
        Concern.Source.AUDIT,
        "A staff nurse (name kept by the CDAO)",
        "Ward 7",
        "The weekly stock check found three doses of oral morphine solution signed as given "
        "on night shifts with no matching entry on the patients' charts, each witnessed by the "
        "same second signatory.",
        "Morphine sulfate 10mg/5ml oral solution",
        "Met the ward manager and the nurse; occupational health referral; the ward moved to "
        "witnessed destruction of part-used bottles. Shared with the Local Intelligence "
        "Network.",
        True,
        True,
    ),
    (
        6,
        Concern.Source.STAFF,
        "An agency operating department practitioner",
        "Theatres 3",
        "A colleague saw fentanyl ampoules taken from the theatre controlled drug cupboard "
        "and not returned at the end of the list.",
        "Fentanyl 100micrograms/2ml solution for injection ampoules",
        "",
        False,
        False,
    ),
]


def seed_controlled_drugs(organisations, people):
    trust = organisations["RZA"]
    if Concern.objects.filter(organisation=trust).exists():
        return
    today = timezone.localdate()
    cdao = people["cdao@trust-a.example"]
    for days_ago, source, about, where, concern, medicines, done, shared, closed in CONCERNS:
        received = today - timedelta(days=days_ago)
        Concern.objects.create(
            organisation=trust,
            received_on=received,
            source=source,
            about=about,
            works_at=where,
            concern=concern,
            medicines=medicines,
            action_taken=done,
            shared_with_lin_on=received + timedelta(days=10) if shared else None,
            state=Concern.State.CLOSED if closed else Concern.State.OPEN,
            closed_on=received + timedelta(days=21) if closed else None,
            recorded_by=cdao,
        )
