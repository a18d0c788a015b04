"""Keeping patients' identities out of incident reports.

No form asks for a patient's name or NHS number, every free-text box says not to enter them,
and text that holds what looks like an NHS number or a date of birth (core.identifiers) is
refused before anything of it is saved: in a report and its draft, in the medicines, the
review's comments, learning and actions, the notes shared between organisations, patient
feedback and the names of attached files.
"""

from core.identifiers import shape

WARNING = "Do not enter patient names, NHS numbers or other details that identify a patient."

# Posted fields that hold codes rather than words: never read for identifiers.
CODES = ("dmd_code",)


def shapes_for(*organisations) -> tuple:
    """The patterns of these organisations' hospital numbers (core.identifiers.shape)."""
    from .models import HospitalNumber

    ids = [getattr(o, "pk", o) for o in organisations if o is not None]
    examples = HospitalNumber.objects.filter(organisation_id__in=ids).values_list(
        "example", flat=True
    )
    return tuple(shape(example) for example in sorted(set(examples)))
