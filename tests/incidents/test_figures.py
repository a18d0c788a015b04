"""The dashboard's figures against hand counts, who sees the
dashboard, and its cost."""

import datetime
import re

import pytest
from django.test.html import parse_html
from django.urls import reverse

from core import spc
from incidents import charts, services
from incidents.figures import figures
from organisations.choices import Post, Role
from tests.factories import OrganisationFactory, RelationshipFactory, member, post_holder
from tests.incidents.conftest import report

TODAY = datetime.date(2026, 11, 22)


def _months(count):
    month = datetime.date(2024, 1, 1)
    for _ in range(count):
        yield month
        month = (month + datetime.timedelta(days=32)).replace(day=1)


class TestCharts:
    VALUES = [10, 11, 9, 10, 11, 9, 10, 11, 9, 10, 11, 9, 40]

    def test_a_special_cause_point_is_a_square_and_the_others_circles(self):
        chart = spc.xmr([(f"M{i}", v) for i, v in enumerate(self.VALUES)], baseline=12)
        svg = charts.spc_svg(charts.spc_drawing(chart), "Monthly", "One point beyond")
        assert svg.count("<rect") == 1 and svg.count("<circle") == 12
        assert "<title>M12: 40.0 (special cause)</title>" in svg
        drawn = charts.spc_drawing(chart).points[-1]
        assert f'x="{drawn["square_x"]}" y="{drawn["square_y"]}"' in svg
        assert drawn["square_x"] == round(drawn["x"] - 5, 1)  # centred on the point

    def test_each_group_has_its_own_lines_and_a_filling_month_is_hollow(self):
        values = [30, 32, 29, 31, 30, 33, 28, 31, 30, 32, 29, 31, 10, 12, 9, 11]
        chart = spc.xmr([(f"M{i}", v) for i, v in enumerate(values)], rebase=[12], incomplete=1)
        drawing = charts.spc_drawing(chart)
        kinds = [(line["kind"], line["x1"], line["x2"]) for line in drawing.lines]
        xs = [point["x"] for point in drawing.points]
        # The first group's mean and limits, then the second's mean only: 3 complete points.
        assert kinds == [
            ("mean", xs[0], xs[11]),
            ("upper", xs[0], xs[11]),
            ("lower", xs[0], xs[11]),
            ("mean", xs[12], xs[15]),
        ]
        svg = charts.spc_svg(drawing, "Monthly", "Rebased")
        assert "M15: 11.0 (still filling: reports arrive late)" in svg

    @pytest.mark.parametrize(
        ("values", "ticks"),
        [
            ([0, 1, 3, 2], ["0", "1", "2", "3"]),  # never 0, 1, 2, 2, 3
            ([2, 5, 4], ["0", "1", "2", "3", "4", "5"]),  # never steps of 1.25
            ([3, 7, 6], ["0", "2", "4", "6", "8"]),
            ([40, 88, 61], ["0", "20", "40", "60", "80", "100"]),
        ],
    )
    def test_a_count_s_axis_has_whole_nice_ticks_on_its_gridlines(self, values, ticks):
        chart = spc.xmr([(f"M{i}", v) for i, v in enumerate(values)])
        svg = charts.spc_svg(charts.spc_drawing(chart), "Monthly", "Counts")
        found = re.findall(
            r'<line x1="40" x2="628" y1="([\d.]+)" y2="\1"[^>]*/><text x="34" '
            r'y="\1"[^>]*>([^<]+)</text>',
            svg,
        )
        assert [text for _, text in found] == ticks
        # Each point sits at its value on the same scale as the gridlines.
        top, bottom = float(found[-1][0]), float(found[0][0])
        scale = (bottom - top) / int(ticks[-1])
        for point in charts.spc_drawing(chart).points:
            assert point["y"] == pytest.approx(bottom - point["value"] * scale, abs=0.1)

    def test_a_measure_s_axis_may_step_in_fractions(self):
        chart = spc.xmr([(f"M{i}", v) for i, v in enumerate([0.2, 0.5, 0.7])])
        ticks = [t["value"] for t in charts.spc_drawing(chart, whole=False).ticks]
        assert ticks == [0, 0.2, 0.4, 0.6, 0.8]

    @pytest.mark.parametrize("months", [6, 12, 24, 36])
    def test_months_are_labelled_at_a_regular_step_back_from_the_last_and_never_touch(self, months):
        labels = [f"{m:%b %Y}" for m in _months(months)]
        chart = spc.xmr([(label, 5) for label in labels])
        drawing = charts.spc_drawing(chart)
        shown = [i for i, point in enumerate(drawing.points) if point["show_label"]]
        assert shown[-1] == months - 1  # the last month always
        steps = {b - a for a, b in zip(shown, shown[1:], strict=False)}
        assert len(steps) <= 1  # a regular subset: none missing before the last
        assert shown[0] < (steps.pop() if steps else 1)
        xs = [drawing.points[i]["x"] for i in shown]
        width = len("Sep 2026") * charts.CHARACTER_WIDTH
        assert all(b - a >= width for a, b in zip(xs, xs[1:], strict=False))
        svg = charts.spc_svg(drawing, "Incidents each month", "Counts")
        assert f'<figcaption class="nhsuk-body-s">Incidents each month, {labels[0]} to ' in svg
        assert f"{labels[-1]}.</figcaption>" in svg

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
