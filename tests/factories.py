import factory
from django.utils import timezone

from accounts.models import User
from networks.models import Network, NetworkMembership
from organisations.choices import OrganisationKind, Post, Region, RelationshipKind, Role
from organisations.models import Appointment, Membership, Organisation, OrganisationRelationship

PASSWORD = "correct-horse-battery-staple"
_ALPHANUMERIC = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _trust_code(n: int) -> str:
    return "R" + _ALPHANUMERIC[(n // 36) % 36] + _ALPHANUMERIC[n % 36]


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@nhs.example")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    ods_code = factory.Sequence(_trust_code)
    name = factory.Sequence(lambda n: f"Demo Hospitals {n} NHS Trust")
    kind = OrganisationKind.NHS_TRUST
    region = Region.LONDON

    class Params:
        pcn = factory.Trait(
            kind=OrganisationKind.PCN, ods_code=factory.Sequence(lambda n: f"U{n:05d}")
        )
        practice = factory.Trait(
            kind=OrganisationKind.GP_PRACTICE, ods_code=factory.Sequence(lambda n: f"Y{n:05d}")
        )
        pharmacy = factory.Trait(
            kind=OrganisationKind.COMMUNITY_PHARMACY,
            ods_code=factory.Sequence(lambda n: f"F{n % 10000:04d}"),
        )
        icb = factory.Trait(
            kind=OrganisationKind.ICB,
            ods_code=factory.Sequence(lambda n: "Q" + _trust_code(n)[1:]),
        )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.STAFF


class RelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationRelationship

    parent = factory.SubFactory(OrganisationFactory)
    child = factory.SubFactory(OrganisationFactory)
    kind = RelationshipKind.PART_OF
    start_on = factory.LazyFunction(lambda: timezone.localdate().replace(year=2024))


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appointment

    organisation = factory.SubFactory(OrganisationFactory)
    post = Post.DEPUTY_MSO
    user = factory.SubFactory(UserFactory)
    start_on = factory.LazyFunction(lambda: timezone.localdate().replace(year=2024))


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network

    name = factory.Sequence(lambda n: f"MSO network {n}")
    slug = factory.Sequence(lambda n: f"mso-network-{n}")
    kind = Network.Kind.NATIONAL


def member(organisation, *roles, **user_fields):
    """A new user holding these roles (default: staff) in the organisation."""
    user = UserFactory(**user_fields)
    for role in roles or (Role.STAFF,):
        MembershipFactory(user=user, organisation=organisation, role=role)
    return user


def post_holder(organisation, post, *, start_on=None, end_on=None, user=None, **user_fields):
    """A member of the organisation (a staff reporter) who holds a named post in it, by default
    since 2024 with no end date."""
    if user is None:
        user = member(organisation, Role.STAFF, **user_fields)
    elif not user.memberships.filter(organisation=organisation).exists():
        MembershipFactory(user=user, organisation=organisation, role=Role.STAFF)
    AppointmentFactory(
        organisation=organisation,
        post=post,
        user=user,
        end_on=end_on,
        **({"start_on": start_on} if start_on else {}),
    )
    return user


def network_lead(region: str = "", *, community=Network.Community.MSO, **user_fields):
    """A lead of a new network: regional when ``region`` is given, else national; of the MSOs
    unless ``community`` says otherwise."""
    network = NetworkFactory(
        kind=Network.Kind.REGIONAL if region else Network.Kind.NATIONAL,
        region=region,
        community=community,
    )
    user = UserFactory(**user_fields)
    NetworkMembership.objects.create(network=network, user=user, role=NetworkMembership.Role.LEAD)
    return user


# The answer "yes" to the question a destructive step asks first (core/confirm.py).
CONFIRMED = {"confirmed": "yes"}
