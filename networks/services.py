"""Writes for MSO networks and their members (a network's lead holds cross-organisation
permissions, so who leads is audited). Atomic and audited."""

from django.db import transaction

from mso_portal.audit import audit_as


def network_save(*, by, network) -> None:
    with transaction.atomic(), audit_as(by):
        network.full_clean()
        network.save()


def network_membership_save(*, by, membership) -> None:
    with transaction.atomic(), audit_as(by):
        membership.full_clean()
        membership.save()


def network_membership_delete(*, by, membership) -> None:
    with transaction.atomic(), audit_as(by):
        membership.delete()
