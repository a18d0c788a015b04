"""Calendars (RFC 5545), written with the icalendar library: a network's events and feed
(networks/calendar.py), a committee meeting's invitation (committees/views.py)."""

import datetime
from dataclasses import dataclass

from icalendar import Calendar
from icalendar import Event as CalendarEvent


@dataclass(frozen=True)
class Entry:
    """One event of a calendar, whatever it is (a network's event, a committee meeting)."""

    uid: str  # unique and stable: "event-<uuid>", "committee-meeting-12"
    summary: str
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    stamp: datetime.datetime  # when it last changed
    location: str = ""
    description: str = ""
    url: str = ""


def ical(name: str, entries) -> bytes:
    """A calendar (RFC 5545) of ``entries``, named ``name``."""
    cal = Calendar()
    cal.add("prodid", "-//MSO Portal//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for entry in entries:
        item = CalendarEvent()
        item.add("uid", f"{entry.uid}@mso-portal")
        item.add("summary", entry.summary)
        item.add("dtstart", entry.starts_at)
        item.add("dtend", entry.ends_at)
        item.add("dtstamp", entry.stamp)
        item.add("last-modified", entry.stamp)
        for field in ("location", "url", "description"):
            if getattr(entry, field):
                item.add(field, getattr(entry, field))
        cal.add_component(item)
    return cal.to_ical()
