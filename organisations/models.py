import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import ProtectedError, Q
from django.urls import reverse
from django.utils import timezone

from core.actions import OwnedAction, OwnedActionQuerySet

from .choices import (
    LEAVES,
    MSO_COVERED_BY,
    MSO_REQUIRED,
    NEW_HOLDER,
    PATIENT_SAFETY_TEAM_CHANGES,
    POST_KINDS,
    ROLE_KINDS,
    SINGLE_HOLDER_POSTS,
    ChangeKind,
    OrganisationKind,
    Post,
    Region,
    RelationshipKind,
    Role,
    denominator_problem,
)
from .permissions import Perm
from .scoping import ScopedQuerySet, access_for
from .validators import (
    ODSCodeField,
    normalise_ods_code,
    validate_ods_code,
    validate_ods_code_for_kind,
)


def _today():
    return timezone.localdate()


def _end_after_start(instance) -> None:
    """An end date before the start date is an error on the end date."""
    if instance.start_on and instance.end_on and instance.end_on < instance.start_on:
        raise ValidationError(
            {"end_on": "The end date must be the same as or after the start date"},
            code="ends_before_start",
        )


class OrganisationQuerySet(ScopedQuerySet):
    def looked_up(self, q: str = "", kind: str = "", region: str = ""):
        """The directory's search: part of the name or the whole ODS code (stored in upper
        case, so an exact match uses the unique index), a kind, a region; each left out when
        empty."""
        found = self
        if q:
            found = found.filter(Q(name__icontains=q) | Q(ods_code=q.upper()))
        if kind:
            found = found.filter(kind=kind)
        if region:
            found = found.filter(region=region)
        return found

    def open(self, on=None):
        on = on or _today()
        return self.filter(Q(closed_on__isnull=True) | Q(closed_on__gte=on))

    def worked_in_by(self, user):
        """The open organisations a person works in: where they hold a role or a named post,
        and those these reach (a PCN's practices). The organisation switcher offers these."""
        return self.filter(
            access_for(user).filter(Perm.ORGANISATION_VIEW, self.model, global_reach=False)
        ).open()


class Organisation(models.Model):
    ods_code = ODSCodeField(
        "ODS code",
        unique=True,
        validators=[validate_ods_code],
        help_text="The Organisation Data Service code, like RX1 or A81001",
        error_messages={"unique": "An organisation with this ODS code already exists."},
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=OrganisationKind.choices)
    region = models.CharField("NHS England region", max_length=32, choices=Region.choices)
    mso_mailbox = models.EmailField(
        "generic MSO mailbox",
        blank=True,
        help_text="A shared mailbox that stays with the organisation when its MSO changes",
    )
    # Where ODS places it (organisations/ods/importing.py); empty for one typed in without it.
    postcode = models.CharField(max_length=10, blank=True)
    opened_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()
    scope_path = ""
    view_permission = Perm.ORGANISATION_VIEW

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ods_code__regex=r"^[A-Z0-9]{3,6}$"),
                name="organisation_ods_code_format",
                violation_error_message="Enter an ODS code of 3 to 6 letters and numbers",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True)
                | Q(opened_on__isnull=True)
                | Q(closed_on__gte=models.F("opened_on")),
                name="organisation_closed_after_opened",
                violation_error_message="The closing date must be on or after the opening date",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "region"]),
            # Lists in name order (the register, the directory) read a page, not every row.
            models.Index(fields=["name", "id"], name="organisation_by_name"),
        ]

    def __str__(self):
        return f"{self.name} ({self.ods_code})"

    def get_absolute_url(self):
        return reverse("organisations:detail", kwargs={"ods_code": self.ods_code})

    def clean(self):
        self.ods_code = normalise_ods_code(self.ods_code)
        if self.ods_code and self.kind:
            try:
                validate_ods_code(self.ods_code)
                validate_ods_code_for_kind(self.ods_code, self.kind)
            except ValidationError as error:
                raise ValidationError({"ods_code": error}) from error

    def delete(self, *args, **kwargs):
        raise ProtectedError(
            "An organisation is never deleted: give it a closing date instead.", {self}
        )

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None and self.closed_on < _today()


class RelationshipQuerySet(models.QuerySet):
    def current(self, on=None):
        on = on or _today()
        return self.filter(start_on__lte=on).filter(Q(end_on__isnull=True) | Q(end_on__gte=on))


class OrganisationRelationship(models.Model):
    """A dated link between organisations: part of (practice in PCN) or succeeded by (merger)."""

    parent = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="child_links")
    child = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="parent_links")
    kind = models.CharField(
        max_length=16, choices=RelationshipKind.choices, default=RelationshipKind.PART_OF
    )
    start_on = models.DateField(default=_today)
    end_on = models.DateField(null=True, blank=True)

    objects = RelationshipQuerySet.as_manager()

    class Meta:
        ordering = ["parent__name", "child__name", "-start_on"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("child")),
                name="relationship_not_to_itself",
                violation_error_message="An organisation cannot be related to itself",
            ),
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F("start_on")),
                name="relationship_ends_after_start",
                violation_error_message="The end date must be on or after the start date",
            ),
            models.UniqueConstraint(
                fields=["parent", "child", "kind"],
                condition=Q(end_on__isnull=True),
                name="relationship_one_open_link",
                violation_error_message="These organisations are already linked in this way",
            ),
        ]

    def __str__(self):
        return f"{self.child} {self.get_kind_display().lower()} {self.parent}"

    def clean(self):
        super().clean()
        _end_after_start(self)
        if self.parent_id and self.parent_id == self.child_id:
            raise ValidationError({"parent": "An organisation cannot be linked to itself"})


class ClosureQuerySet(models.QuerySet):
    def valid_on(self, on):
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=on)
        )


class OrganisationClosure(models.Model):
    """Who reaches whom through the links, at any depth, and on which dates: derived from
    OrganisationRelationship by closure.py, never edited."""

    ancestor = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    descendant = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # Reached through at least one part-of link (the area), not through successor links alone.
    area = models.BooleanField()
    depth = models.PositiveSmallIntegerField()
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    objects = ClosureQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["ancestor", "descendant"]),
            models.Index(fields=["descendant", "ancestor"]),
        ]

    def __str__(self):
        return f"{self.ancestor_id} reaches {self.descendant_id}"


class Membership(models.Model):
    """A role a person holds in an organisation. A person may hold several roles."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_path = "organisation"
    view_permission = Perm.MEMBERS_VIEW

    class Meta:
        ordering = ["organisation__name", "user__full_name", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                name="membership_unique_role",
                violation_error_message="This person already has this role in this organisation",
            )
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()}, {self.organisation.name}"

    def clean(self):
        super().clean()
        check_held_in(self.organisation, role=self.role)


def check_held_in(organisation, *, role=None, post=None) -> None:
    """A role or a named post exists only in some kinds of organisation (choices.py)."""
    if role and organisation.kind not in ROLE_KINDS.get(role, ()):
        raise ValidationError(
            {"role": f"{Role(role).label} is not a role in {_a(organisation)}"},
            code="role_not_held_here",
        )
    if post and organisation.kind not in POST_KINDS.get(post, ()):
        raise ValidationError(
            {"post": f"A{_a(organisation)[1:]} has no {Post(post).label}"},
            code="post_not_held_here",
        )


def _a(organisation) -> str:
    label = organisation.get_kind_display()
    return f"{'an' if label[0].lower() in 'aeiou' else 'a'} {label}"


class AppointmentQuerySet(ScopedQuerySet):
    def current(self, on=None):
        on = on or _today()
        return self.filter(start_on__lte=on).filter(Q(end_on__isnull=True) | Q(end_on__gte=on))

    def vacated(self, on, within_days=7):
        """MSO appointments that ended in the last ``within_days`` days before ``on``, in
        organisations that must name their own MSO (choices.MSO_REQUIRED) with none in post on
        ``on`` (a successor who starts later leaves a gap): the post has fallen vacant. An
        organisation another's MSO may cover (a practice) is never vacant."""
        in_post = Appointment.objects.filter(
            organisation=models.OuterRef("organisation"), post=Post.MSO
        ).current(on)
        return self.filter(
            post=Post.MSO,
            organisation__kind__in=MSO_REQUIRED,
            end_on__lt=on,
            end_on__gte=on - timedelta(days=within_days),
        ).exclude(models.Exists(in_post))


def covering_links(kinds: dict[int, str], on=None) -> list[tuple[int, int]]:
    """For organisations another's MSO may cover (``kinds``: id -> kind), each (organisation,
    organisation above it whose MSO may cover it) on a day, the nearest first: in the order
    choices.MSO_COVERED_BY gives the kinds (a practice's PCN before its ICB), then by depth.
    Whether there is an MSO in post above is the caller's to read. One query."""
    kinds = {pk: kind for pk, kind in kinds.items() if kind in MSO_COVERED_BY}
    if not kinds:
        return []
    above = sorted({kind for covering in MSO_COVERED_BY.values() for kind in covering})
    rows = (
        OrganisationClosure.objects.valid_on(on or _today())
        .filter(descendant_id__in=list(kinds), area=True, ancestor__kind__in=above)
        .values_list("descendant_id", "ancestor_id", "depth", "ancestor__kind")
    )
    ranked = sorted(
        (MSO_COVERED_BY[kinds[descendant]].index(kind), depth, descendant, ancestor)
        for descendant, ancestor, depth, kind in rows
        if kind in MSO_COVERED_BY[kinds[descendant]]
    )
    return [(descendant, ancestor) for _, _, descendant, ancestor in ranked]


def covering_msos(kinds: dict[int, str], on=None) -> dict[int, "Appointment"]:
    """organisation id -> the appointment of the MSO who covers it, for organisations another's
    MSO may cover (``kinds``: id -> kind): the MSO of the nearest organisation above it with
    one in post (``covering_links``). Whether it has its own MSO is the caller's to know. Two
    queries, none where none may be covered."""
    on = on or _today()
    links = covering_links(kinds, on)
    if not links:
        return {}
    msos = {
        appointment.organisation_id: appointment
        for appointment in Appointment.objects.current(on)
        .filter(post=Post.MSO, organisation_id__in={ancestor for _, ancestor in links})
        .select_related("user", "organisation")
        .order_by("start_on", "pk")
    }
    found: dict[int, Appointment] = {}
    for descendant, ancestor in links:
        if descendant not in found and ancestor in msos:
            found[descendant] = msos[ancestor]
    return found


class Appointment(models.Model):
    """A named post held in an organisation: the register of who is the MSO, and so on."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="appointments"
    )
    post = models.CharField(max_length=32, choices=Post.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appointments",
        help_text="Leave empty for someone without an account, and give their name and email",
    )
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    start_on = models.DateField("start date")
    end_on = models.DateField("end date", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AppointmentQuerySet.as_manager()
    scope_path = "organisation"
    view_permission = Perm.ORGANISATION_VIEW

    class Meta:
        ordering = ["organisation__name", "post", "-start_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False) | ~Q(name=""),
                name="appointment_holder_named",
                violation_error_message="Choose a person with an account, or give a name",
            ),
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F("start_on")),
                name="appointment_ends_after_start",
                violation_error_message="The end date must be on or after the start date",
            ),
            models.UniqueConstraint(
                fields=["organisation", "post"],
                condition=Q(end_on__isnull=True, post__in=SINGLE_HOLDER_POSTS),
                name="appointment_one_current_single_holder",
                violation_error_message=(
                    "This organisation already has someone in this post with no end date"
                ),
            ),
        ]
        indexes = [models.Index(fields=["post", "end_on"])]

    def __str__(self):
        return f"{self.get_post_display()}, {self.organisation.name}: {self.holder_name}"

    def clean(self):
        super().clean()
        if self.user_id:
            self.name = ""
            self.email = ""
        _end_after_start(self)
        if self.organisation_id and self.post:
            check_held_in(self.organisation, post=self.post)

    @property
    def holder_name(self) -> str:
        return self.user.full_name if self.user_id else self.name

    @property
    def holder_email(self) -> str:
        return self.user.email if self.user_id else self.email

    def is_current(self, on=None) -> bool:
        on = on or _today()
        return self.start_on <= on and (self.end_on is None or self.end_on >= on)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(ScopedQuerySet):
    def pending(self):
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """An emailed, single-use, expiring invitation to join an organisation with some roles.

    Only a SHA-256 hash of the token is stored; the token itself is only in the emailed link.
    A new token is made each time the email is sent, after the invitation is saved, and
    ``sent_at`` is set only once the email has gone.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Withdrawn"
        EXPIRED = "expired", "Expired"

    email = models.EmailField()
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="invitations"
    )
    roles = models.JSONField(default=list)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invitations_sent"
    )
    # Null until the email is first sent: unsent invitations share no value under the index.
    token_hash = models.CharField(  # noqa: DJ001
        max_length=64, unique=True, null=True, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_accepted",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()
    scope_path = "organisation"
    view_permission = Perm.MEMBERS_MANAGE

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation for {self.email} to {self.organisation.name}"

    @classmethod
    def new_token(cls) -> tuple[str, str]:
        token = secrets.token_urlsafe(32)
        return token, hash_token(token)

    @staticmethod
    def default_expiry():
        return timezone.now() + timedelta(days=settings.INVITATION_VALID_DAYS)

    @property
    def status(self) -> str:
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    def get_status_display(self) -> str:
        return self.Status(self.status).label

    def get_roles_display(self) -> str:
        return ", ".join(Role(role).label for role in self.roles if role in Role.values)


class HandoverQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(completed_at__isnull=True, cancelled_at__isnull=True)


class Handover(models.Model):
    """What an MSO passes on before they leave: opened when their end date is set, with a
    checklist of items, each with an owner and a due date. Visible to the outgoing MSO, their
    successor and the board director (organisations/permissions.py)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="handovers"
    )
    appointment = models.OneToOneField(
        Appointment, on_delete=models.PROTECT, related_name="handover"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = HandoverQuerySet.as_manager()
    scope_path = "organisation"
    view_permission = Perm.HANDOVER_VIEW

    class Meta:
        ordering = ["-opened_at"]

    def __str__(self):
        return f"Handover of {self.appointment.holder_name}, {self.organisation.name}"

    def get_absolute_url(self):
        return reverse(
            "organisations:handover", kwargs={"ods_code": self.organisation.ods_code, "pk": self.pk}
        )

    @property
    def leaves_on(self):
        return self.appointment.end_on

    @property
    def is_open(self) -> bool:
        return self.completed_at is None and self.cancelled_at is None

    def successor(self):
        """The MSO appointment that follows the outgoing one, if one is recorded."""
        return (
            Appointment.objects.filter(
                organisation_id=self.organisation_id,
                post=self.appointment.post,
                start_on__gt=self.appointment.end_on,
            )
            .select_related("user")
            .order_by("start_on")
            .first()
        )


class HandoverItemQuerySet(OwnedActionQuerySet, ScopedQuerySet):
    pass


class HandoverItem(OwnedAction):
    """An item of a handover's checklist (core.actions): it is done, or not yet; nothing else
    is recorded of how far it has got. Whom each kind is meant for, when it falls due and
    where it is done follow from its kind (organisations/handovers.py)."""

    class Task(models.TextChoices):
        REGISTER = "register", "Ask for the successor to be named on the national MSO register"
        INCIDENTS = "incidents", "Reassign open incidents and their actions"
        ALERTS = "alerts", "Reassign open alert responses and their actions"
        COMMITTEE = (
            "committee",
            "Introduce the successor to the medication safety committee and pass on the MSO's seat",
        )
        ALERT_ACCESS = (
            "alert-access",
            "Ask for access to CAS, the Central Alerting System, and to the organisation's "
            "alerts here",
        )
        MAILBOX = "mailbox", "Pass on access to the generic MSO mailbox"
        CONFIRM = "confirm", "Confirm the new MSO on the national MSO register"
        BUDDY = "buddy", "Ask for a buddy: an experienced MSO to talk to"

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="items")
    task = models.CharField(max_length=16, choices=Task.choices)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handover_items",
    )
    state = None
    evidence = None
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = HandoverItemQuerySet.as_manager()
    scope_path = "handover__organisation"
    view_permission = Perm.HANDOVER_VIEW

    class Meta(OwnedAction.Meta):
        constraints = [
            models.UniqueConstraint(fields=["handover", "task"], name="handover_item_once")
        ]

    def __str__(self):
        return self.get_task_display()

    @classmethod
    def open_q(cls) -> Q:
        return Q(done_on__isnull=True)

    @property
    def is_open(self) -> bool:
        return self.done_on is None


def decided_with(kind: str) -> str:
    """The permission that decides a change of this kind (see ChangeRequest.decided_with)."""
    return Perm.SPECIALISTS_DECIDE if kind in PATIENT_SAFETY_TEAM_CHANGES else Perm.CHANGES_DECIDE


def decider(kind: str) -> str:
    """Who decides a change of this kind, in words: whoever ``decided_with`` gives it to."""
    if decided_with(kind) == Perm.SPECIALISTS_DECIDE:
        return "the national patient safety team"
    return "a network lead"


class ChangeRequestQuerySet(ScopedQuerySet):
    def pending(self):
        return self.filter(status=ChangeRequest.Status.PENDING)


class ChangeRequest(models.Model):
    """A change to an organisation's entry on the national MSO register, asked for by its MSO
    or board director and approved (then applied) or rejected by a network lead (the national
    patient safety team for its programme's posts: ``decided_with``). It replaces the emailed
    change-of-details form."""

    Kind = ChangeKind

    class Basis(models.TextChoices):
        """How a Patient Safety Specialist stands to those the organisation has already."""

        FIRST = "first", "The organisation's first Patient Safety Specialist"
        REPLACEMENT = "replacement", "A replacement for a Patient Safety Specialist who leaves"
        ADDITION = "addition", "An addition to the Patient Safety Specialists it has"

    class PayBand(models.TextChoices):
        BAND_6 = "6", "Agenda for Change band 6"
        BAND_7 = "7", "Agenda for Change band 7"
        BAND_8A = "8a", "Agenda for Change band 8a"
        BAND_8B = "8b", "Agenda for Change band 8b"
        BAND_8C = "8c", "Agenda for Change band 8c"
        BAND_8D = "8d", "Agenda for Change band 8d"
        BAND_9 = "9", "Agenda for Change band 9"
        MEDICAL = "medical", "Medical and dental pay scales"
        OTHER = "other", "Another pay scale"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a network lead"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        WITHDRAWN = "withdrawn", "Withdrawn"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="change_requests"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # A new holder: who, and their first day. A holder leaving: their last day.
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    mso_mailbox = models.EmailField("generic MSO mailbox", blank=True)
    # A Patient Safety Specialist identified: first, a replacement (of whom) or an addition;
    # a contact number; the national guidance considered. The job title and pay band are
    # for the national team only (Perm.SPECIALISTS_CONFIDENTIAL).
    basis = models.CharField(max_length=16, choices=Basis.choices, blank=True)
    # Also whom a new holder of another post replaces, when asked for from the organisation's
    # page (views.posts.appointment_replace): that holder's last day is the day before.
    replaces = models.ForeignKey(
        "Appointment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="the specialist replaced",
    )
    phone = models.CharField("contact number", max_length=30, blank=True)
    guidance_considered = models.BooleanField(
        "the national guidance on identifying Patient Safety Specialists was considered",
        default=False,
    )
    job_title = models.CharField(max_length=200, blank=True)
    pay_band = models.CharField(max_length=16, choices=PayBand.choices, blank=True)
    note = models.TextField("note for the network lead", blank=True, max_length=2000)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, max_length=2000)

    objects = ChangeRequestQuerySet.as_manager()
    scope_path = "organisation"
    view_permission = Perm.CHANGES_VIEW

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind"],
                condition=Q(status="pending"),
                name="change_request_one_pending_of_a_kind",
                violation_error_message=(
                    "A change of this kind is already waiting for a network lead"
                ),
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self):
        return f"{self.get_kind_display()}, {self.organisation.name}"

    def get_absolute_url(self):
        return reverse("register:change", kwargs={"pk": self.pk})

    @property
    def post(self) -> str | None:
        """The named post the change is about (None for contact details)."""
        return NEW_HOLDER.get(self.kind) or LEAVES.get(self.kind)

    @property
    def names_a_specialist(self) -> bool:
        return self.kind == self.Kind.NEW_SPECIALIST

    @property
    def decided_with(self) -> str:
        """The permission that decides it: the national patient safety team decides its
        programme's posts (the specialists, the executive director), the MSO networks' leads
        the rest of the register."""
        return decided_with(self.kind)

    @property
    def decider(self) -> str:
        """Who decides it, in words."""
        return decider(self.kind)

    def get_status_display(self) -> str:
        if self.is_pending:
            return f"Waiting for {self.decider}"
        return self.Status(self.status).label

    @property
    def post_label(self) -> str:
        return Post(self.post).label if self.post else ""

    @property
    def names_a_holder(self) -> bool:
        return self.kind in NEW_HOLDER

    @property
    def ends_a_post(self) -> bool:
        return self.kind in LEAVES

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class Denominator(models.Model):
    """What an organisation's incidents of one month are counted against: its occupied bed
    days, registered patients or items dispensed, by its kind (choices.DENOMINATOR_FOR_KIND).
    Recorded by its safety team or imported by a network lead (organisations/denominators.py),
    one a month; read by the funnel plots of reporting rates (docs/adr/0027)."""

    class Source(models.TextChoices):
        ENTERED = "entered", "Entered by the organisation"
        IMPORTED = "imported", "Imported from a file"

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    month = models.DateField()  # its first day
    value = models.PositiveIntegerField()
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.ENTERED)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    objects = ScopedQuerySet.as_manager()
    scope_path = "organisation"
    view_permission = Perm.DENOMINATORS_MANAGE

    class Meta:
        ordering = ["organisation", "-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "month"],
                name="one_denominator_a_month",
                violation_error_message="This organisation's month is already recorded",
            ),
            models.CheckConstraint(
                condition=Q(value__gte=1),
                name="denominator_positive",
                violation_error_message="A denominator is a whole number more than 0",
            ),
        ]

    def __str__(self):
        return f"{self.organisation_id} {self.month:%Y-%m}: {self.value}"

    def clean(self):
        super().clean()
        if self.month:
            self.month = self.month.replace(day=1)
        known = self.organisation_id and self.value is not None
        if known and (problem := denominator_problem(self.organisation.kind, self.value)):
            raise ValidationError({"value": f"The value {problem}"}, code="not_a_denominator")
