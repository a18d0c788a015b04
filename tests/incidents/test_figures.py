"""The SPC rules on known series, the dashboard's figures against hand counts, who sees the
dashboard, and its cost."""

import datetime
import re

import pytest
from django.test.html import parse_html
from django.urls import reverse

from incidents import charts, services, spc
from incidents.figures import figures
from organisations.choices import Post, Role
from tests.factories import OrganisationFactory, RelationshipFactory, member, post_holder
from tests.incidents.conftest import report

TODAY = datetime.date(2026, 11, 22)


def signals(series):
    chart = spc.xmr([(str(i), v) for i, v in enumerate(series)])
    return chart, [point.signals for point in chart.points]


class TestSpc:
    def test_steady_counts_are_common_cause(self):
        chart, found = signals([10, 12, 9, 11, 10, 12, 9, 11, 10, 12])
        assert not any(found)
        assert chart.interpretation().startswith("Common cause variation only")
        assert chart.mean == 10.6

    def test_a_point_beyond_the_limits(self):
        chart, found = signals([10, 11, 10, 11, 10, 30, 10, 11, 10, 11])
        assert found[5] == ["A point above the upper limit"]
        assert not any(found[:5] + found[6:])
        assert "point above the upper limit" in chart.interpretation()

    def test_the_limits_are_the_mean_and_2_66_moving_ranges(self):
        chart = spc.xmr([("a", 10), ("b", 14), ("c", 10), ("d", 14)])
        assert chart.mean == 12 and chart.upper == 22.6 and chart.lower == 1.4

    def test_a_run_of_7_on_one_side_of_the_mean(self):
        _, found = signals([5, 5, 5, 5, 5, 5, 5, 9, 9, 9, 9, 9, 9, 9])
        assert all("A run of 7 months below the mean" in f for f in found[:7])
        assert all("A run of 7 months above the mean" in f for f in found[7:])

    def test_a_run_of_6_is_not_a_signal(self):
        _, found = signals([5, 5, 5, 5, 5, 5, 9, 9, 9, 9, 9, 9])
        assert not any("run" in s for f in found for s in f)

    def test_a_trend_of_6(self):
        _, found = signals([10, 12, 11, 12, 13, 14, 15, 16, 10, 10])
        trend = [i for i, f in enumerate(found) if any("trend of 6 months rising" in s for s in f)]
        assert trend == [2, 3, 4, 5, 6, 7]

    def test_equal_neighbours_break_a_trend(self):
        _, found = signals([10, 11, 12, 12, 13, 14, 15, 9, 10, 10])
        assert not any("trend" in s for f in found for s in f)


class TestCharts:
    def test_a_special_cause_point_is_a_square_and_the_others_circles(self):
        chart = spc.xmr([(f"M{i}", v) for i, v in enumerate([10, 11, 9, 10, 11, 9, 40])])
        svg = charts.spc_svg(charts.spc_drawing(chart), "Monthly", "One point beyond")
        assert svg.count("<rect") == 1 and svg.count("<circle") == 6
        assert "<title>M6: 40 (special cause)</title>" in svg
        drawn = charts.spc_drawing(chart).points[-1]
        assert f'x="{drawn["square_x"]}" y="{drawn["square_y"]}"' in svg
        assert drawn["square_x"] == round(drawn["x"] - 5, 1)  # centred on the point

    def test_bars_are_as_long_as_their_counts_and_labels_are_escaped(self):
        svg = charts.bars_svg(charts.bars([("<b>Warfarin</b>", 10), ("Insulin", 5)]), "Top")
        assert "&lt;b&gt;Warfarin&lt;/b&gt;" in svg and "<b>" not in svg
        widths = [float(w) for w in re.findall(r'<rect x="0" y="\d+" width="([\d.]+)"', svg)]
        assert widths == [500.0, 250.0]
        assert parse_html(svg).name == "svg"


@pytest.mark.django_db
class TestFigures:
    def test_the_figures_against_hand_counts(self, dmd, trust, staff, mso):
        day = datetime.date(2026, 10, 5)
        a = report(trust, staff, occurred_on=day, physical_harm="3", processes=["1", "3"])
        report(
            trust, staff, occurred_on=day, medicines=("Oxycodone 5mg capsules",), processes=["3"]
        )
        report(trust, staff, occurred_on=datetime.date(2026, 11, 1), medicines=("Paracetamol",))
        duplicate = report(trust, staff, occurred_on=day)
        services.incident_mark_duplicate(by=mso, incident=duplicate, original=a)
        found = figures([trust], on=TODAY)
        assert found.total == 3
        assert found.moderate_or_worse == 1
        assert found.controlled_drug == 1
        assert dict(found.stages)["Administering"] == 2
        assert dict(found.stages)["Prescription"] == 1
        assert dict(found.harm)["Moderate physical harm"] == 1
        # From the first month with a report, complete months only: November is under way.
        assert [p.value for p in found.monthly.points] == [2]
        assert found.month_so_far == ("November 2026", 1)
        at_month_end = figures([trust], on=datetime.date(2026, 11, 30))
        assert [p.value for p in at_month_end.monthly.points] == [2, 1]
        assert at_month_end.month_so_far is None
        assert dict(found.high_risk_groups) == {"Insulin": 1, "Opioid": 1}

    def test_a_pcn_rolls_up_its_practices(self, client_for):
        pcn = OrganisationFactory(pcn=True)
        practices = [OrganisationFactory(practice=True) for _ in range(2)]
        for practice in practices:
            RelationshipFactory(parent=pcn, child=practice, start_on=datetime.date(2020, 1, 1))
            report(practice, member(practice, Role.STAFF), occurred_on=TODAY)
        response = client_for(post_holder(pcn, Post.MSO)).get(
            reverse("incidents:dashboard", args=[pcn.ods_code])
        )
        assert response.context["figures"].total == 2
        assert len(response.context["figures"].by_organisation) == 2
        page = response.content.decode()
        assert "and of 2 more organisations: those it took over by merger" in page
        assert all(f"{p.name} ({p.ods_code})" in page for p in practices)

    def test_an_icb_s_mso_rolls_up_its_primary_care_never_its_trusts(self, client_for):
        icb, trust, practice = (
            OrganisationFactory(icb=True),
            OrganisationFactory(),
            OrganisationFactory(practice=True),
        )
        for child in (trust, practice):
            RelationshipFactory(parent=icb, child=child, start_on=datetime.date(2020, 1, 1))
            report(child, member(child, Role.STAFF), occurred_on=TODAY)
        response = client_for(post_holder(icb, Post.MSO)).get(
            reverse("incidents:dashboard", args=[icb.ods_code])
        )
        assert response.context["figures"].total == 1
        assert [o.pk for o in response.context["reached"]] == sorted([icb.pk, practice.pk])


@pytest.mark.django_db
class TestDashboard:
    def test_who_sees_it(self, assert_access, director, staff, other_mso, trust):
        url = reverse("incidents:dashboard", args=[trust.ods_code])
        response = assert_access(
            url, allowed=director, wrong_role=staff, other_organisation=other_mso
        )
        assert "Reports each month" in response.content.decode()

    def test_it_shows_no_incident_text(self, client_for, director, incident, trust):
        html = (
            client_for(director)
            .get(reverse("incidents:dashboard", args=[trust.ods_code]))
            .content.decode()
        )
        assert incident.what_happened not in html and incident.reference not in html
        assert "<svg" in html and "<table" in html

    def test_its_queries_do_not_grow_with_the_incidents(
        self, client_for, mso, trust, staff, django_assert_max_num_queries
    ):
        client = client_for(mso)
        url = reverse("incidents:dashboard", args=[trust.ods_code])
        report(trust, staff)
        with django_assert_max_num_queries(25) as few:
            client.get(url)
        for n in range(15):
            report(trust, staff, occurred_on=TODAY - datetime.timedelta(days=20 * n))
        with django_assert_max_num_queries(len(few.captured_queries)):
            client.get(url)
