import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from .choices import SINGLE_HOLDER_POSTS, OrganisationKind, Post, Region, RelationshipKind, Role
from .validators import (
    ODSCodeField,
    normalise_ods_code,
    validate_ods_code,
    validate_ods_code_for_kind,
)


def _today():
    return timezone.localdate()


class OrganisationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Organisations whose pages the user may open."""
        from .permissions import Perm, organisation_ids_with

        ids = organisation_ids_with(user, Perm.ORGANISATION_VIEW)
        return self if ids is None else self.filter(pk__in=ids)

    def open(self, on=None):
        on = on or _today()
        return self.filter(Q(closed_on__isnull=True) | Q(closed_on__gte=on))


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
    opened_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganisationQuerySet.as_manager()

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
        indexes = [models.Index(fields=["kind", "region"])]

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

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None and self.closed_on < _today()


class RelationshipQuerySet(models.QuerySet):
    def current(self, on=None):
        on = on or _today()
        return self.filter(start_on__lte=on).filter(Q(end_on__isnull=True) | Q(end_on__gte=on))


class OrganisationRelationship(models.Model):
    """A dated link between organisations: part of (practice in PCN) or succeeded by (merger)."""

    parent = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="child_links")
    child = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="parent_links")
    kind = models.CharField(max_length=16, choices=RelationshipKind.choices)
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


class MembershipQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Memberships of organisations whose members the user may see."""
        from .permissions import Perm, organisation_ids_with

        ids = organisation_ids_with(user, Perm.MEMBERS_VIEW)
        return self if ids is None else self.filter(organisation_id__in=ids)


class Membership(models.Model):
    """A role a person holds in an organisation. A person may hold several roles."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

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


class AppointmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .permissions import Perm, organisation_ids_with

        ids = organisation_ids_with(user, Perm.ORGANISATION_VIEW)
        return self if ids is None else self.filter(organisation_id__in=ids)

    def current(self, on=None):
        on = on or _today()
        return self.filter(start_on__lte=on).filter(Q(end_on__isnull=True) | Q(end_on__gte=on))


class Appointment(models.Model):
    """A named post held in an organisation: the register of who is the MSO, and so on."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="appointments"
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
        if self.post in SINGLE_HOLDER_POSTS and self.start_on and self.organisation_id:
            self._check_no_overlap()

    def _check_no_overlap(self):
        """One MSO and one board director at a time: no two appointments to such a post overlap."""
        others = Appointment.objects.filter(
            organisation_id=self.organisation_id, post=self.post
        ).exclude(pk=self.pk)
        if self.end_on is not None:
            others = others.filter(start_on__lte=self.end_on)
        other = (
            others.filter(Q(end_on__isnull=True) | Q(end_on__gte=self.start_on))
            .select_related("user")
            .first()
        )
        if other is None:
            return
        post = self.get_post_display()
        if other.end_on is None:
            message = (
                f"{other.holder_name} is {post} with no end date. "
                "Give their appointment an end date first."
            )
        else:
            message = (
                f"{other.holder_name} is {post} until {other.end_on:%-d %B %Y}. "
                "Choose dates that do not overlap."
            )
        raise ValidationError({"start_on": message}, code="overlapping_appointment")

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


class InvitationQuerySet(models.QuerySet):
    def visible_to(self, user):
        from .permissions import Perm, organisation_ids_with

        ids = organisation_ids_with(user, Perm.MEMBERS_MANAGE)
        return self if ids is None else self.filter(organisation_id__in=ids)

    def pending(self):
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """An emailed, single-use, expiring invitation to take a role in an organisation.

    Only a SHA-256 hash of the token is stored; the token itself is in the emailed link.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REVOKED = "revoked", "Withdrawn"
        EXPIRED = "expired", "Expired"

    email = models.EmailField()
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="invitations"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="invitations_sent"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
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
