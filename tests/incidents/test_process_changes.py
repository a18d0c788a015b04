"""A change of process the safety team records starts the incident chart again from the first
whole month after it (Making Data Count's rebasing; core/spc.py): recorded beside the
dashboard, taken off when recorded in error, each write audited."""

import datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.urls import reverse

from incidents.figures import rebased_at
from incidents.models import ProcessChange
from tests.factories import CONFIRMED, OrganisationFactory
from tests.incidents.conftest import report

pytestmark = pytest.mark.django_db

WHEN = {"changed_on_day": "1", "changed_on_month": "1"}


def url(organisation):
    return reverse("incidents:process_change_create", args=[organisation.ods_code])


def change(organisation, by, on=datetime.date(2026, 4, 15), what="Electronic prescribing"):
    return ProcessChange.objects.create(
        organisation=organisation, changed_on=on, what=what, recorded_by=by
    )


def test_who_records_them(assert_access, mso, director, other_mso, trust):
    response = assert_access(
        url(trust), allowed=mso, wrong_role=director, other_organisation=other_mso
    )
    assert "Record a change of process" in response.text


def test_who_records_them_by_post(assert_access, mso, director, other_mso, trust):
    assert_access(
        url(trust),
        allowed=mso,
        wrong_role=director,
        other_organisation=other_mso,
        method="post",
        data={**WHEN, "changed_on_year": "2026", "what": "A new reporting route"},
        ok=302,
    )
    assert ProcessChange.objects.get().recorded_by == mso


def test_a_change_is_recorded_and_the_dashboard_starts_again_after_it(client_for, mso, trust):
    client = client_for(mso)
    response = client.post(
        url(trust),
        {
            "changed_on_day": "15",
            "changed_on_month": "4",
            "changed_on_year": "2026",
            "what": "Electronic prescribing went live on the medical wards",
        },
    )
    assert response.status_code == 302
    recorded = ProcessChange.objects.get()
    assert (recorded.organisation, recorded.recorded_by) == (trust, mso)
    assert recorded.first_month == datetime.date(2026, 5, 1)
    assert LogEntry.objects.get_for_object(recorded).exists()
    page = client.get(reverse("incidents:dashboard", args=[trust.ods_code])).text
    assert "Electronic prescribing went live on the medical wards (15 April 2026)" in page


def test_sent_twice_it_is_recorded_once(client_for, mso, trust):
    data = {**WHEN, "changed_on_year": "2026", "what": "A new reporting route"}
    client = client_for(mso)
    assert client.post(url(trust), data).status_code == 302
    assert client.post(url(trust), {**data, "what": " A new reporting route "}).status_code == 302
    assert ProcessChange.objects.count() == 1


def test_the_page_reads_the_same_few_queries_however_many_changes(
    client_for, mso, trust, django_assert_max_num_queries
):
    client = client_for(mso)
    change(trust, mso)
    with django_assert_max_num_queries(30) as few:
        assert client.get(url(trust)).status_code == 200
    for month in range(1, 7):
        change(trust, mso, on=datetime.date(2025, month, 1), what=f"Change {month}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url(trust)).status_code == 200


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {
                "changed_on_day": "1",
                "changed_on_month": "1",
                "changed_on_year": "2099",
                "what": "X",
            },
            "changed_on",
            "must be today or in the past",
        ),
        (
            {**WHEN, "changed_on_year": "2026", "what": ""},
            "what",
            "Enter what changed",
        ),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_kept(
    client_for, mso, trust, data, field, message
):
    response = client_for(mso).post(url(trust), data)
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert not ProcessChange.objects.exists()


def test_one_recorded_in_error_is_taken_off(client_for, mso, other_mso, trust, other_trust):
    mine, theirs = change(trust, mso), change(other_trust, other_mso)
    client = client_for(mso)
    remove = reverse("incidents:process_change_remove", args=[trust.ods_code, theirs.pk])
    assert client.post(remove).status_code == 404  # another organisation's change
    remove = reverse("incidents:process_change_remove", args=[trust.ods_code, mine.pk])
    assert client.get(remove).status_code == 405
    assert f"Take “{mine.what}” off the chart?" in client.post(remove).text
    assert ProcessChange.objects.count() == 2  # asked first
    assert client.post(remove, CONFIRMED).status_code == 302
    assert list(ProcessChange.objects.all()) == [theirs]


def test_its_remove_button_is_for_the_safety_team(assert_access, mso, director, other_mso, trust):
    mine = change(trust, mso)
    remove = reverse("incidents:process_change_remove", args=[trust.ods_code, mine.pk])
    assert_access(
        remove,
        allowed=mso,
        wrong_role=director,
        other_organisation=other_mso,
        method="post",
        data=CONFIRMED,
        ok=302,
    )


def test_the_chart_starts_again_from_the_first_whole_month_after_it():
    months = [datetime.date(2026, m, 1) for m in range(1, 13)]
    assert rebased_at(months, [datetime.date(2026, 5, 1)]) == [4]
    assert rebased_at(months, [datetime.date(2025, 5, 1)]) == []  # before the chart
    assert rebased_at(months, [datetime.date(2027, 1, 1)]) == []  # after it
    on_the_first = ProcessChange(changed_on=datetime.date(2026, 4, 1))
    assert on_the_first.first_month == datetime.date(2026, 4, 1)
    late_december = ProcessChange(changed_on=datetime.date(2026, 12, 31))
    assert late_december.first_month == datetime.date(2027, 1, 1)


def test_the_dashboard_draws_each_process_with_its_own_groups(client_for, mso, staff, trust):
    for month in (1, 3, 7, 9):
        report(trust, staff, occurred_on=datetime.date(2026, month, 10))
    OrganisationFactory()
    with time_machine.travel(datetime.datetime(2026, 11, 22, 12, tzinfo=datetime.UTC)):
        change(trust, mso, on=datetime.date(2026, 6, 1))
        response = client_for(mso).get(reverse("incidents:dashboard", args=[trust.ods_code]))
    chart = response.context["figures"].monthly
    assert [point.label for point in chart.points][0] == "Jan 2026"
    assert [(group.first, group.last) for group in chart.groups] == [(0, 4), (5, 9)]
    assert chart.points[5].label == "Jun 2026"
