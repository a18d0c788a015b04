"""A project's measure as a run chart: its values over time read with the same SPC rules as
the incident dashboard (incidents/spc.py, "Making Data Count"), each point a week or a month,
and what the latest point says against the direction of improvement.

A value stands for the week (from its Monday) or the month (from its first day) it was taken
in, so a chart has one point a period and the same period cannot be entered twice.
"""

import datetime

from incidents import spc

from .models import Better, Frequency

UNITS = {Frequency.WEEKLY: "weeks", Frequency.MONTHLY: "months"}
PER = {Frequency.WEEKLY: "a week", Frequency.MONTHLY: "a month"}


def period_start(frequency: str, day: datetime.date) -> datetime.date:
    """The first day of the week (Monday) or the month that ``day`` falls in."""
    if frequency == Frequency.WEEKLY:
        return day - datetime.timedelta(days=day.weekday())
    return day.replace(day=1)


def period_name(frequency: str, start: datetime.date) -> str:
    """How a period is written: "November 2026", "week of 2 November 2026"."""
    if frequency == Frequency.WEEKLY:
        return f"week of {start:%-d %B %Y}"
    return f"{start:%B %Y}"


def label(frequency: str, start: datetime.date) -> str:
    """A point's label on the chart, short: "Nov 2026", "2 Nov 26"."""
    return f"{start:%-d %b %y}" if frequency == Frequency.WEEKLY else f"{start:%b %Y}"


def chart(project, points) -> spc.Chart:
    """The XmR chart of a project's measure, from its points in time order."""
    return spc.xmr(
        [(label(project.frequency, p.period_start), float(p.value)) for p in points],
        unit=UNITS[project.frequency],
        what=f"{project.measure[:1].lower()}{project.measure[1:]}",
        per=f"({project.measure_unit}) {PER[project.frequency]}",
    )


def reading(project, drawn: spc.Chart) -> str:
    """What the latest point says in the terms of improvement: special cause on the side of
    the mean that is better (improvement) or worse (concern), or common cause."""
    if len(drawn.points) < 2:
        return ""
    latest = drawn.points[-1]
    if not latest.special:
        return "The latest value shows common cause variation: no sign of change yet."
    higher = latest.value > drawn.mean
    improving = higher == (project.better == Better.HIGHER)
    if improving:
        return "The latest value shows special cause improvement."
    return "The latest value shows special cause concern: look at what changed."


def result(project, points) -> dict:
    """What a project's measure came to, for the committee: its first and latest values and
    the reading of its run chart (plain data, kept in an approved report's snapshot)."""
    if not points:
        return {"first": None, "latest": None, "reading": "No values recorded."}
    drawn = chart(project, points)

    def value(point) -> str:
        return f"{point.value.normalize():f} ({period_name(project.frequency, point.period_start)})"

    return {
        "first": value(points[0]),
        "latest": value(points[-1]),
        "reading": reading(project, drawn) or drawn.interpretation(),
    }
