"""An approved assurance report is news for the board director, who takes it to the board, and
the committee's secretary, who records it submitted: each is told once, the chair who
approved it is not."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError

from committees import services
from notifications.models import Notification
from tests.committees.conftest import at
from tests.committees.test_report_once import END, START, prepare, written

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 10, 20)


def test_the_director_and_the_secretary_are_told_once(
    committee, chair, secretary, director, mso, django_capture_on_commit_callbacks
):
    with time_machine.travel(at(TODAY, 9), tick=False):
        report = written(prepare(committee, chair), chair)
        with django_capture_on_commit_callbacks(execute=True):
            services.report_approve(by=chair, report=report)
        with pytest.raises(ValidationError):  # a second press finds it approved
            services.report_approve(by=chair, report=report)
    told = Notification.objects.filter(subject=f"assurance-report:{report.pk}")
    assert sorted(told.values_list("recipient__email", "kind")) == sorted(
        [(director.email, "approved"), (secretary.email, "approved")]
    )
    notice = told.get(recipient=director)
    assert notice.url.endswith(f"/reports/{report.pk}/")
    assert f"{START:%-d %B %Y} to {END:%-d %B %Y}" in notice.body
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [director.email, secretary.email]
    )
