"""Pure calendar arithmetic: local days to UTC ranges, and the month and week grids of the calendar pages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Generic, Protocol, TypeVar
from zoneinfo import ZoneInfo


def day_bounds(day: date, zone: str) -> tuple[datetime, datetime]:
    """The start of ``day`` and of the next day in ``zone`` (aware datetimes; DST-safe)."""
    tz = ZoneInfo(zone)
    return datetime.combine(day, time.min, tzinfo=tz), datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)


def range_bounds(first: date, last: date, zone: str) -> tuple[datetime, datetime]:
    """From the start of ``first`` to the end of ``last`` (both local days, inclusive)."""
    return day_bounds(first, zone)[0], day_bounds(last, zone)[1]


def local_date(moment: datetime, zone: str) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()


def month_first_weekday(day: date) -> date:
    """The Monday on or before the first of ``day``'s month (the month grid starts on Monday)."""
    first = day.replace(day=1)
    return first - timedelta(days=first.weekday())


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


class Spanning(Protocol):
    @property
    def starts_at(self) -> datetime: ...

    @property
    def ends_at(self) -> datetime: ...


T = TypeVar("T", bound=Spanning)


@dataclass
class GridDay(Generic[T]):
    day: date
    in_month: bool
    items: list[T] = field(default_factory=list)


def grid_days(first: date, days: int, items: Iterable[T], zone: str, *, month: int | None = None) -> list[GridDay[T]]:
    """``days`` consecutive days from ``first``, each with the items that overlap it (local time).

    An item overlaps a day when it starts before the day ends and ends after the day starts; a zero-length
    item counts on the day it happens.
    """
    cells = [
        GridDay[T](first + timedelta(days=i), month is None or (first + timedelta(days=i)).month == month)
        for i in range(days)
    ]
    bounds = [day_bounds(c.day, zone) for c in cells]
    for item in items:
        for cell, (start, end) in zip(cells, bounds, strict=True):
            if item.starts_at < end and (item.ends_at > start or (item.ends_at == item.starts_at >= start)):
                cell.items.append(item)
    return cells


def month_grid(day: date, items: Iterable[T], zone: str) -> list[list[GridDay[T]]]:
    """Weeks (Monday first) covering ``day``'s month, 5 or 6 rows of 7 days."""
    first = month_first_weekday(day)
    next_month = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    total = ((next_month - first).days + 6) // 7 * 7
    cells = grid_days(first, total, items, zone, month=day.month)
    return [cells[i : i + 7] for i in range(0, total, 7)]
