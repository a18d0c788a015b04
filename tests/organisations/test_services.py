import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from organisations import services
from organisations.choices import Post, Role
from organisations.models import Appointment, Membership

pytestmark = pytest.mark.django_db


def test_changes_to_named_posts_are_audited_with_who_made_them(trust, mso):
    appointment = services.appointment_save(
        by=mso,
        appointment=Appointment(
            organisation=trust, post=Post.CHIEF_PHARMACIST, name="Jo Price", start_on="2025-01-01"
        ),
    )
    appointment.end_on = "2026-01-31"
    services.appointment_save(by=mso, appointment=appointment)
    entries = LogEntry.objects.get_for_object(appointment).order_by("timestamp")
    assert [entry.action for entry in entries] == [LogEntry.Action.CREATE, LogEntry.Action.UPDATE]
    assert all(entry.actor == mso for entry in entries)
    assert entries.last().changes_dict["end_on"] == ["None", "2026-01-31"]


def test_changes_to_roles_are_audited(trust, mso, staff):
    services.membership_roles_set(
        by=mso, organisation=trust, user=staff, roles=[Role.STAFF, Role.SAFETY_TEAM]
    )
    membership = Membership.objects.get(user=staff, role=Role.SAFETY_TEAM)
    assert LogEntry.objects.get_for_object(membership).get().actor == mso


def test_a_failed_save_leaves_nothing_behind(trust, mso):
    services.appointment_save(
        by=mso,
        appointment=Appointment(organisation=trust, post=Post.MSO, user=mso, start_on="2025-01-01"),
    )
    with pytest.raises(ValidationError):
        services.appointment_save(
            by=mso,
            appointment=Appointment(
                organisation=trust, post=Post.MSO, name="Second MSO", start_on="2025-06-01"
            ),
        )
    assert Appointment.objects.count() == 1
    assert LogEntry.objects.filter(object_repr__contains="Second MSO").count() == 0


def test_an_appointed_user_gets_the_posts_role(trust, staff, mso):
    services.appointment_save(
        by=mso,
        appointment=Appointment(
            organisation=trust, post=Post.DEPUTY_MSO, user=staff, start_on="2025-01-01"
        ),
    )
    assert staff.memberships.filter(role=Role.SAFETY_TEAM).exists()
