from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from organisations.choices import Region


class Network(models.Model):
    class Kind(models.TextChoices):
        NATIONAL = "national", "National"
        REGIONAL = "regional", "Regional"
        SPECIALISED = "specialised", "Specialised"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    region = models.CharField(
        max_length=32, choices=Region.choices, blank=True, help_text="For regional networks"
    )

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

    def clean(self):
        if (self.kind == self.Kind.REGIONAL) != bool(self.region):
            raise ValidationError({"region": "A regional network has a region; others do not"})


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
        ordering = ["network", "user"]
        constraints = [
            models.UniqueConstraint(
                fields=["network", "user"],
                name="network_membership_unique",
                violation_error_message="This person is already in this network",
            )
        ]

    def __str__(self):
        return f"{self.user} – {self.get_role_display()}, {self.network}"


def lead_grants(user_id, on):
    """The global grants of a network's leads, for the permission rule set
    (organisations.access.GRANT_SOURCES): a regional network's lead is a regional lead; a
    national or specialised network's lead is a national lead."""
    from django.db.models import Case, CharField, Value, When

    from organisations.permissions import GlobalRole

    text = CharField()
    return (
        NetworkMembership.objects.filter(user_id=user_id, role=NetworkMembership.Role.LEAD)
        .order_by()
        .values_list(
            Value("global", text),
            Case(
                When(network__kind=Network.Kind.REGIONAL, then=Value(GlobalRole.REGIONAL_LEAD)),
                default=Value(GlobalRole.NATIONAL_LEAD),
                output_field=text,
            ),
            Value(None, models.BigIntegerField()),
            Value("", text),
            "network__region",
        )
    )


def regional_leads(region: str):
    """The users who lead the regional network of ``region``."""
    return NetworkMembership.objects.filter(
        role=NetworkMembership.Role.LEAD,
        network__kind=Network.Kind.REGIONAL,
        network__region=region,
    ).values_list("user_id", flat=True)


def leads_for(regions) -> dict[str, list[int]]:
    """region -> the users who look after its organisations' register entries: the leads of
    its regional network or, where it has none, those of the national network."""
    leads: dict[str, list[int]] = {}
    for region, user_id in NetworkMembership.objects.filter(
        role=NetworkMembership.Role.LEAD,
        network__kind=Network.Kind.REGIONAL,
        network__region__in=set(regions),
    ).values_list("network__region", "user_id"):
        leads.setdefault(region, []).append(user_id)
    if set(regions) - set(leads):
        national = list(
            NetworkMembership.objects.filter(
                role=NetworkMembership.Role.LEAD, network__kind=Network.Kind.NATIONAL
            ).values_list("user_id", flat=True)
        )
        for region in set(regions) - set(leads):
            leads[region] = national
    return leads
