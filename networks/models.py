import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.text import slugify

from core.actions import OwnedAction, OwnedActionQuerySet
from organisations.choices import OrganisationKind, Region

RESERVED_SLUGS = {
    "buddies",
    "getting-started",
    "workplans",
}  # addresses under /networks/ that are not networks


class Network(models.Model):
    class Kind(models.TextChoices):
        NATIONAL = "national", "National"
        REGIONAL = "regional", "Regional"
        SPECIALISED = "specialised", "Specialised"

    class Community(models.TextChoices):
        MSO = "mso", "Medication Safety Officers"
        SPECIALISTS = "specialists", "Patient Safety Specialists"

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True, help_text="Its address: /networks/<slug>/")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    community = models.CharField(
        max_length=16,
        choices=Community.choices,
        default=Community.MSO,
        help_text="Whom it brings together: its leads look after their register",
    )
    region = models.CharField(
        max_length=32, choices=Region.choices, blank=True, help_text="For regional networks"
    )
    description = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="regional") & ~Q(region=""))
                | (~Q(kind="regional") & Q(region="")),
                name="network_region_only_when_regional",
                violation_error_message="A regional network has a region; other networks do not",
            )
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)[:80]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("networks:detail", kwargs={"slug": self.slug})

    def clean(self):
        if (self.kind == self.Kind.REGIONAL) != bool(self.region):
            raise ValidationError({"region": "A regional network has a region; others do not"})
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": f"“{self.slug}” is kept for the service's own pages"})


class NetworkMembership(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", "Network lead"
        MEMBER = "member", "Member"

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="network_memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    joined_on = models.DateField(auto_now_add=True)

    class Meta:
        ordering = ["network", "user__full_name", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "user"],
                name="network_membership_unique",
                violation_error_message="This person is already in this network",
            )
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()}, {self.network}"


class Event(models.Model):
    """A meeting of a network: the monthly MSO webinar, a regional meeting."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="events")
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField("starts")
    ends_at = models.DateTimeField("ends")
    joining_link = models.URLField("joining link", max_length=500, blank=True)
    agenda = models.TextField(blank=True, max_length=5000)
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # for calendars
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")),
                name="event_ends_after_it_starts",
                violation_error_message="The event must end after it starts",
            )
        ]

    def __str__(self):
        return f"{self.title} ({self.starts_at:%-d %B %Y})"

    def get_absolute_url(self):
        return reverse("networks:event", kwargs={"slug": self.network.slug, "pk": self.pk})


class Tag(models.Model):
    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


def resource_path(instance, filename) -> str:
    """Stored under a random name: nothing of what was uploaded reaches the file system."""
    return f"resources/{uuid.uuid4().hex}"


class Resource(models.Model):
    """A document or a link shared in a network's library: resources for MSOs by MSOs."""

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="resources")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=2000)
    link = models.URLField(max_length=500, blank=True)
    file = models.FileField(upload_to=resource_path, blank=True)
    filename = models.CharField("file name", max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="resources")
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    shared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-shared_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(link="") & ~Q(file="")) | (~Q(link="") & Q(file="")),
                name="resource_is_a_file_or_a_link",
                violation_error_message="Share a file or a link, not both",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("networks:resources", kwargs={"slug": self.network.slug})


class BuddyOffer(models.Model):
    """An experienced MSO offers to be a buddy to new MSOs."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="buddy_offer"
    )
    capacity = models.PositiveSmallIntegerField(
        "how many new MSOs at a time", default=1, help_text="From 1 to 5"
    )
    sectors = models.JSONField(
        default=list, help_text="The kinds of organisation they know (OrganisationKind values)"
    )
    region = models.CharField(max_length=32, choices=Region.choices)
    note = models.TextField(blank=True, max_length=1000)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(capacity__gte=1) & Q(capacity__lte=5),
                name="buddy_capacity_1_to_5",
                violation_error_message="Offer to be a buddy to 1 to 5 new MSOs at a time",
            )
        ]

    def __str__(self):
        return f"Buddy offer: {self.user}"

    def get_sectors_display(self) -> str:
        labels = dict(OrganisationKind.choices)
        return ", ".join(labels.get(sector, sector) for sector in self.sectors)


class BuddyRequest(models.Model):
    """A new MSO asks for a buddy; a network lead pairs them with an offer."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting for a buddy"
        PAIRED = "paired", "Paired"
        WITHDRAWN = "withdrawn", "Withdrawn"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="buddy_requests"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="buddy_requests"
    )
    note = models.TextField(blank=True, max_length=1000)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.WAITING)
    created_at = models.DateTimeField(auto_now_add=True)
    buddy = models.ForeignKey(
        BuddyOffer, on_delete=models.PROTECT, null=True, blank=True, related_name="pairings"
    )
    paired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="waiting"),
                name="buddy_one_request_waiting",
                violation_error_message="You have already asked for a buddy",
            ),
            models.CheckConstraint(
                condition=(Q(status="paired") & Q(buddy__isnull=False))
                | (~Q(status="paired") & Q(buddy__isnull=True)),
                name="buddy_paired_has_a_buddy",
            ),
        ]

    def __str__(self):
        return f"Buddy request: {self.user}"


class GettingStartedTick(models.Model):
    """An item of a new MSO's getting-started checklist that they ticked by hand."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    item = models.CharField(max_length=32)
    ticked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "item"], name="getting_started_tick_once"
            )
        ]

    def __str__(self):
        return f"{self.user}: {self.item}"


def lead_grants(user_id, on):
    """The global grants of a network's leads, for the permission rule set
    (organisations.access.GRANT_SOURCES): a regional network's lead is a regional lead; a
    national or specialised network's lead is a national lead; of the MSOs or of the Patient
    Safety Specialists, as the network's community is (a specialised specialist network's
    leads hold no grant: they lead its members, not the register)."""
    from django.db.models import Case, CharField, Value, When

    from organisations.permissions import GlobalRole

    text = CharField()
    regional = Q(network__kind=Network.Kind.REGIONAL)
    specialists = Q(network__community=Network.Community.SPECIALISTS)
    return (
        NetworkMembership.objects.filter(user_id=user_id, role=NetworkMembership.Role.LEAD)
        # The national patient safety team is the national specialist network's leads alone.
        .exclude(
            network__community=Network.Community.SPECIALISTS,
            network__kind=Network.Kind.SPECIALISED,
        )
        .order_by()
        .values_list(
            Value("global", text),
            Case(
                When(regional & specialists, then=Value(GlobalRole.SPECIALISTS_REGIONAL_LEAD)),
                When(specialists, then=Value(GlobalRole.SPECIALISTS_NATIONAL_LEAD)),
                When(regional, then=Value(GlobalRole.REGIONAL_LEAD)),
                default=Value(GlobalRole.NATIONAL_LEAD),
                output_field=text,
            ),
            Value(None, models.BigIntegerField()),
            Value("", text),
            "network__region",
        )
    )


def lead_holders(grant, region: str):
    """The users who hold a network lead's global grant, ``lead_grants`` the other way round
    (organisations.access.HOLDER_SOURCES): a regional grant for ``region``."""
    from organisations.permissions import GlobalRole

    regional = Q(network__kind=Network.Kind.REGIONAL, network__region=region)
    mso = Q(network__community=Network.Community.MSO)
    specialists = Q(network__community=Network.Community.SPECIALISTS)
    networks = {
        GlobalRole.NATIONAL_LEAD: mso
        & Q(network__kind__in=[Network.Kind.NATIONAL, Network.Kind.SPECIALISED]),
        GlobalRole.REGIONAL_LEAD: mso & regional,
        GlobalRole.SPECIALISTS_NATIONAL_LEAD: specialists & Q(network__kind=Network.Kind.NATIONAL),
        GlobalRole.SPECIALISTS_REGIONAL_LEAD: specialists & regional,
    }
    if grant not in networks:
        return []
    return NetworkMembership.objects.filter(
        networks[grant], role=NetworkMembership.Role.LEAD
    ).values("user_id")


def regional_leads(region: str):
    """The users who lead the regional MSO network of ``region``."""
    return NetworkMembership.objects.filter(
        role=NetworkMembership.Role.LEAD,
        network__kind=Network.Kind.REGIONAL,
        network__community=Network.Community.MSO,
        network__region=region,
    ).values_list("user_id", flat=True)


def national_leads(community=Network.Community.MSO):
    """The users who lead the community's national network."""
    return NetworkMembership.objects.filter(
        role=NetworkMembership.Role.LEAD,
        network__kind=Network.Kind.NATIONAL,
        network__community=community,
    ).values_list("user_id", flat=True)


class WorkplanItem(OwnedAction):
    """An item of a regional or specialised network's workplan: what the network does about one
    of the region's priorities, owned by one of its members, with the organisations involved,
    a due date and a state (core.actions). Its owner is reminded as it falls due."""

    class State(models.TextChoices):
        PLANNED = "planned", "Planned"
        IN_PROGRESS = "in-progress", "In progress"
        DONE = "done", "Done"
        STOPPED = "stopped", "Stopped"

    OPEN_STATES = (State.PLANNED, State.IN_PROGRESS)

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="workplan")
    priority = models.CharField(
        "regional priority", max_length=200, help_text="The priority of the region it answers"
    )
    title = models.CharField("what the network will do", max_length=200)
    description = models.TextField(blank=True, max_length=2000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="workplan_items"
    )
    organisations = models.ManyToManyField(
        "organisations.Organisation", blank=True, related_name="+", verbose_name="organisations"
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.PLANNED)
    evidence = None
    done_on = None
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OwnedActionQuerySet.as_manager()

    class Meta(OwnedAction.Meta):
        indexes = [models.Index(fields=["state", "due_on"], name="workplan_open_by_due")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("networks:workplan_item", kwargs={"slug": self.network.slug, "pk": self.pk})


class WebinarOffer(models.Model):
    """A member's offer to present at a network's monthly webinar: a topic and the month they
    would like. The network's leads accept it for one of its events (whose agenda then shows
    it) or decline it with a reason."""

    class Status(models.TextChoices):
        OFFERED = "offered", "Waiting for a lead"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    network = models.ForeignKey(Network, on_delete=models.CASCADE, related_name="webinar_offers")
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="webinar_offers"
    )
    topic = models.CharField(max_length=200)
    summary = models.TextField(blank=True, max_length=2000)
    preferred_month = models.DateField(help_text="The first day of the month they would like")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OFFERED)
    event = models.ForeignKey(
        Event,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="presentations",
    )
    reason = models.TextField(blank=True, max_length=2000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    offered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["preferred_month", "pk"]

    def __str__(self):
        return self.topic
