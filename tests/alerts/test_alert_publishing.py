"""Writing and publishing national alerts: the reference, the deadlines (a recall's class sets
its own), and publishing to exactly the open organisations of the kinds it applies to, each
MSO told once."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from alerts import services
from alerts.models import NO_DEADLINE, Alert, AlertActionResponse, AlertResponse
from notifications.models import Notification
from organisations.choices import OrganisationKind, Post
from tests.alerts.conftest import ISSUED, assert_deadlines_are_live, assert_tallies_are_live, draft
from tests.factories import OrganisationFactory, post_holder

pytestmark = pytest.mark.django_db


class TestWriting:
    @pytest.mark.parametrize(
        ("reference", "alert_type", "message"),
        [
            ("NatPSA/26/004/NHSPS", "natpsa", "like NatPSA/2026/004/NHSPS"),
            ("NatPSA/2026/004/ACME", "natpsa", "must end with who issued it"),
            ("NatPSA/2025/004/NHSPS", "natpsa", "must be the year the alert was issued"),
            ("<script>", "recall-2", "as it was issued"),
        ],
    )
    def test_a_reference_must_be_one(self, lead, reference, alert_type, message):
        with pytest.raises(ValidationError, match=message):
            draft(lead, reference=reference, alert_type=alert_type)
        assert not Alert.objects.exists()

    def test_a_reference_is_unique(self, lead, natpsa):
        with pytest.raises(ValidationError, match="exists already"):
            draft(lead)
        assert Alert.objects.count() == 1

    def test_a_deadline_before_the_issue_date_is_refused(self, lead):
        with pytest.raises(ValidationError, match="on or after the day the alert was issued"):
            draft(lead, actions=[{"description": "Act", "due_on": ISSUED - datetime.timedelta(1)}])
        assert not Alert.objects.exists()

    @pytest.mark.parametrize(
        ("alert_type", "days"), [("recall-1", 0), ("recall-2", 2), ("recall-3", 5)]
    )
    def test_a_recall_class_sets_the_default_deadline(self, alert_type, days):
        assert services.default_deadline(alert_type, ISSUED) == ISSUED + datetime.timedelta(days)

    def test_other_alerts_set_no_default_deadline(self):
        assert services.default_deadline("natpsa", ISSUED) is None

    def test_a_published_alerts_actions_stay_as_they_are(self, published, lead):
        with pytest.raises(ValidationError, match="cannot change now"):
            services.alert_save(
                by=lead,
                alert=published,
                medicines=[],
                actions=[{"description": "Something else", "due_on": ISSUED}],
            )
        published.title = "Oral methotrexate: once a week"
        services.alert_save(
            by=lead,
            alert=published,
            medicines=[],
            actions=[
                {"description": a.description, "due_on": a.due_on} for a in published.actions.all()
            ],
        )
        assert Alert.objects.get().title == "Oral methotrexate: once a week"


class TestPublishing:
    def test_it_reaches_the_open_organisations_of_its_kinds_only(
        self, lead, natpsa, trust, other_trust, django_capture_on_commit_callbacks
    ):
        foundation = OrganisationFactory(kind=OrganisationKind.FOUNDATION_TRUST)
        OrganisationFactory(closed_on=datetime.date(2025, 1, 1))  # closed
        OrganisationFactory(practice=True)  # a kind it does not apply to
        with django_capture_on_commit_callbacks(execute=True):
            reached = services.alert_publish(by=lead, alert=natpsa)
        assert reached == 3
        assert set(AlertResponse.objects.values_list("organisation", flat=True)) == {
            trust.pk,
            other_trust.pk,
            foundation.pk,
        }
        assert AlertActionResponse.objects.count() == 6
        first_deadline = natpsa.actions.first().due_on
        assert set(AlertResponse.objects.values_list("next_due_on", flat=True)) == {first_deadline}
        assert_tallies_are_live(natpsa)
        assert_deadlines_are_live()

    def test_each_organisations_mso_and_deputy_are_told_once(
        self, lead, natpsa, trust, mso, director, django_capture_on_commit_callbacks
    ):
        deputy = post_holder(trust, Post.DEPUTY_MSO)
        with django_capture_on_commit_callbacks(execute=True):
            services.alert_publish(by=lead, alert=natpsa)
        notices = Notification.objects.filter(kind="published")
        assert sorted(notices.values_list("recipient", flat=True)) == sorted([mso.pk, deputy.pk])
        assert notices.first().url == f"/alerts/{natpsa.pk}/{trust.ods_code}/"
        services.fan_out(natpsa)  # a retried fan-out, or the sweep's
        assert Notification.objects.filter(kind="published").count() == 2
        natpsa.refresh_from_db()
        assert natpsa.notified_at is not None

    def test_it_is_published_once(self, lead, published):
        with pytest.raises(ValidationError, match="published already"):
            services.alert_publish(by=lead, alert=published)
        assert AlertResponse.objects.count() == 2

    def test_a_natpsa_needs_its_actions(self, lead, trust):
        alert = draft(lead, actions=[])
        with pytest.raises(ValidationError, match="needs its required actions"):
            services.alert_publish(by=lead, alert=alert)
        assert not AlertResponse.objects.exists()

    def test_a_notification_with_no_actions_has_no_deadline(self, lead, trust):
        alert = draft(lead, reference="MDR 04-11/26", alert_type="notification-4", actions=[])
        services.alert_publish(by=lead, alert=alert)
        assert AlertResponse.objects.get().next_due_on == NO_DEADLINE
