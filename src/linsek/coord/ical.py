"""iCalendar (RFC 5545) export of calendar entries and meetings, for the agencies' own calendar programs.

All-day stages are written as DATE values (the end exclusive, as the standard wants); timed entries in UTC.
The UID is the entry's stable UUID, so a re-import updates instead of duplicating.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from icalendar import Calendar, Event, vText

PRODID = "-//linsek//koordinasi lintas sektoral//ID"


@dataclass(frozen=True, slots=True)
class IcsEntry:
    uid: str
    title: str
    starts_at: datetime
    ends_at: datetime
    all_day: bool
    first_day: date
    last_day: date
    description: str = ""
    place: str = ""
    url: str = ""
    categories: tuple[str, ...] = ()
    updated_at: datetime | None = None
    cancelled: bool = False


def ics_render(entries: Iterable[IcsEntry], *, name: str, now: datetime) -> bytes:
    """One VCALENDAR with a VEVENT per entry."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    for e in entries:
        ev = Event()
        ev.add("uid", f"{e.uid}@linsek")
        ev.add("dtstamp", now)
        ev.add("summary", e.title)
        if e.all_day:
            from datetime import timedelta

            ev.add("dtstart", e.first_day)
            ev.add("dtend", e.last_day + timedelta(days=1))
        else:
            ev.add("dtstart", e.starts_at)
            ev.add("dtend", e.ends_at)
        if e.description:
            ev.add("description", e.description)
        if e.place:
            ev["location"] = vText(e.place)
        if e.url:
            ev.add("url", e.url)
        if e.categories:
            ev.add("categories", list(e.categories))
        if e.updated_at:
            ev.add("last-modified", e.updated_at)
        ev.add("status", "CANCELLED" if e.cancelled else "CONFIRMED")
        cal.add_component(ev)
    return cal.to_ical()
