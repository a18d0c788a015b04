"""The register of Patient Safety Specialists: each organisation the person may see with its
specialists today and the syllabus levels they have completed, searched and filtered, a page
at a time or every row for an export. A page reads its organisations, then their specialists
and the specialists' levels, in one query each, however many rows."""

from django.db.models import Exists, OuterRef, Q

from accounts.models import SyllabusTraining

from .choices import Post
from .models import Appointment, Organisation
from .permissions import Perm

COLUMNS = [
    "ODS code",
    "Organisation",
    "Kind",
    "Region",
    "Patient Safety Specialist",
    "Email",
    "From",
    "Syllabus levels completed",
]
CHUNK = 2000


def _specialists():
    return Appointment.objects.filter(post=Post.PATIENT_SAFETY_SPECIALIST).current()


def organisations(user, filters: dict):
    """The open organisations the person sees the specialists of, as ``filters`` narrow them,
    by name."""
    rows = Organisation.objects.visible_to(user, Perm.SPECIALISTS_VIEW).open()
    if region := filters.get("region"):
        rows = rows.filter(region=region)
    if kind := filters.get("kind"):
        rows = rows.filter(kind=kind)
    held = _specialists().filter(organisation=OuterRef("pk"))
    if state := filters.get("state"):
        rows = rows.filter(Exists(held)) if state == "with" else rows.exclude(Exists(held))
    if q := filters.get("q"):
        named = held.filter(Q(name__icontains=q) | Q(user__full_name__icontains=q))
        rows = rows.filter(Q(name__icontains=q) | Q(ods_code__iexact=q) | Exists(named))
    return rows.order_by("name", "pk")


def attach(page) -> list:
    """The page's organisations, each with ``specialists``: its specialists today, each with
    ``levels``, the syllabus levels they completed. Two queries."""
    page = list(page)
    held = list(
        _specialists()
        .filter(organisation__in=[organisation.pk for organisation in page])
        .select_related("user")
        .order_by("start_on", "pk")
    )
    levels: dict[int, list] = {}
    for record in SyllabusTraining.objects.filter(
        user_id__in={appointment.user_id for appointment in held if appointment.user_id}
    ).order_by("level"):
        levels.setdefault(record.user_id, []).append(record)
    by_organisation: dict[int, list] = {}
    for appointment in held:
        appointment.levels = levels.get(appointment.user_id, [])
        by_organisation.setdefault(appointment.organisation_id, []).append(appointment)
    for organisation in page:
        organisation.specialists = by_organisation.get(organisation.pk, [])
    return page


def export_rows(rows):
    """A line for each specialist of each organisation (one for an organisation without),
    read a chunk of organisations at a time."""
    from core.exports import neutralise

    chunk = []
    for organisation in rows.iterator(chunk_size=CHUNK):
        chunk.append(organisation)
        if len(chunk) == CHUNK:
            yield from _lines(attach(chunk), neutralise)
            chunk = []
    yield from _lines(attach(chunk), neutralise)


def _lines(organisations, neutralise):
    for organisation in organisations:
        where = [
            organisation.ods_code,
            neutralise(organisation.name),
            organisation.get_kind_display(),
            organisation.get_region_display(),
        ]
        if not organisation.specialists:
            yield (*where, "", "", "", "")
        for specialist in organisation.specialists:
            yield (
                *where,
                neutralise(specialist.holder_name),
                neutralise(specialist.holder_email),
                specialist.start_on,
                "; ".join(
                    f"{record.get_level_display()} ({record.completed_on:%-d %B %Y})"
                    for record in specialist.levels
                ),
            )
