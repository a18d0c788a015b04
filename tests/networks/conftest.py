import pytest

from networks.models import Network, NetworkMembership
from organisations.choices import Region
from tests.factories import NetworkFactory


@pytest.fixture
def national(db):
    return NetworkFactory(name="National MSO Network", slug="national")


@pytest.fixture
def london(db):
    return NetworkFactory(
        name="London MSO Network", slug="london", kind=Network.Kind.REGIONAL, region=Region.LONDON
    )


def join(network, user, role=NetworkMembership.Role.MEMBER):
    NetworkMembership.objects.create(network=network, user=user, role=role)
    return user


@pytest.fixture
def member_mso(national, mso):
    """The trust's MSO, a member of the national network."""
    return join(national, mso)


@pytest.fixture
def network_head(national, db):
    """The national network's lead."""
    from tests.factories import UserFactory

    return join(national, UserFactory(full_name="Nadia Osei"), NetworkMembership.Role.LEAD)
