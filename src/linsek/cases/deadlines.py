"""Statutory deadline arithmetic: pure functions, no ORM, no clock (pass ``now``).

Counting convention (the rule set's ``counting`` block makes it data; these are the defaults):

* **Day limits** ("paling lama N hari"): the day of the event is not counted — counting starts on the
  next day — and the limit ends at 23:59:59 local time on the last day. This is the ordinary legal
  reading of a period of days (*dies a quo non computatur*, the last day counts in full); it never
  gives an office less than N full days, and it is the reading that cannot cut off a document
  delivered late on the last day. Calendar days run through weekends and holidays; the law says
  "hari kerja" where it means working days (UU 7/2017 Pasal 454(6), (8)).
* **Working days** are Monday–Friday minus national holidays, collective leave (cuti bersama) and
  election days declared holidays, from the holiday data (SKB 3 Menteri per year, Keppres 10/2024).
  A year without holiday data only skips weekends and says so in ``warnings``.
* **Hour limits** ("1 × 24 jam", Pasal 476) are exact: start + N hours, to the second.
* Everything is computed in the region's time zone (Jepara: Asia/Jakarta, WIB); the due moment is an
  aware datetime in that zone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

WEEKDAY_NAMES = ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]
MONTH_NAMES = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
KIND_LABELS = {"holiday": "libur nasional", "cuti_bersama": "cuti bersama", "election_day": "libur pemungutan suara"}


class LimitKind(StrEnum):
    CALENDAR_DAYS = "calendar_days"
    WORKING_DAYS = "working_days"
    HOURS = "hours"


LIMIT_UNITS = {LimitKind.CALENDAR_DAYS: "hari", LimitKind.WORKING_DAYS: "hari kerja", LimitKind.HOURS: "jam"}


class WatchState(StrEnum):
    ON_TIME = "on_time"
    AT_RISK_50 = "at_risk_50"
    AT_RISK_80 = "at_risk_80"
    OVERDUE = "overdue"


@dataclass(frozen=True, slots=True)
class Limit:
    """One statutory limit: kind, value (> 0) and the article that sets it."""

    kind: LimitKind
    value: int
    article: str = ""
    about: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.value, int) or isinstance(self.value, bool) or self.value <= 0:
            raise ValueError(f"a limit must be a positive whole number, not {self.value!r}")

    def label(self) -> str:
        return f"{self.value} {LIMIT_UNITS[self.kind]}"


@dataclass(frozen=True, slots=True)
class NonWorkingDay:
    day: date
    kind: str
    name: str


@dataclass(frozen=True, slots=True)
class HolidayCalendar:
    """National holidays, cuti bersama and election-day holidays, with the years the data covers."""

    days: Mapping[date, NonWorkingDay] = field(default_factory=dict)
    years: frozenset[int] = frozenset()

    def reason_off(self, day: date) -> str | None:
        """Why ``day`` is not a working day, or None when it is one."""
        holiday = self.days.get(day)
        if holiday is not None:
            return f"{KIND_LABELS.get(holiday.kind, holiday.kind)}: {holiday.name}"
        if day.weekday() >= 5:
            return WEEKDAY_NAMES[day.weekday()]
        return None

    def is_working_day(self, day: date) -> bool:
        return self.reason_off(day) is None


@dataclass(frozen=True, slots=True)
class Counting:
    start_day_counts: bool = False
    day_ends_at: time = time(23, 59, 59)


@dataclass(frozen=True, slots=True)
class SkippedDay:
    day: date
    reason: str


@dataclass(frozen=True, slots=True)
class Deadline:
    """A computed due moment and how it was counted."""

    start: datetime
    due: datetime
    limit: Limit
    zone: str
    counted_days: tuple[date, ...]
    skipped: tuple[SkippedDay, ...]
    steps: tuple[str, ...]
    warnings: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready explanation (API answers, stored with the stage)."""
        return {
            "start": self.start.isoformat(),
            "due": self.due.isoformat(),
            "zone": self.zone,
            "limit": {"kind": self.limit.kind.value, "value": self.limit.value, "article": self.limit.article},
            "counted_days": [d.isoformat() for d in self.counted_days],
            "skipped": [{"date": s.day.isoformat(), "reason": s.reason} for s in self.skipped],
            "steps": list(self.steps),
            "warnings": list(self.warnings),
        }


def date_label(day: date) -> str:
    """``Rabu, 14 Februari 2024``."""
    return f"{WEEKDAY_NAMES[day.weekday()]}, {day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def moment_label(moment: datetime) -> str:
    return f"{date_label(moment.date())} pukul {moment:%H.%M.%S} {moment.tzname() or ''}".strip()


def _local(moment: datetime, zone: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("the start moment must carry a time zone (store UTC, compute in the region's zone)")
    return moment.astimezone(ZoneInfo(zone))


def _end_of_day(day: date, counting: Counting, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, counting.day_ends_at, tzinfo=tz)


def deadline_compute(
    *, start: datetime, limit: Limit, calendar: HolidayCalendar, zone: str, counting: Counting | None = None
) -> Deadline:
    """The due moment of ``limit`` counted from ``start`` in ``zone``, with the steps that led to it."""
    counting = counting or Counting()
    tz = ZoneInfo(zone)
    local_start = _local(start, zone)
    steps: list[str] = [f"Mulai: {moment_label(local_start)} ({zone})."]
    warnings: list[str] = []
    if limit.kind is LimitKind.HOURS:
        due = (local_start.astimezone(ZoneInfo("UTC")) + timedelta(hours=limit.value)).astimezone(tz)
        steps.append(f"Batas {limit.label()} dihitung tepat jam demi jam, tanpa melewati hari libur.")
        steps.append(f"Jatuh tempo: {moment_label(due)}.")
        return Deadline(local_start, due, limit, zone, (), (), tuple(steps), ())

    first = local_start.date() if counting.start_day_counts else local_start.date() + timedelta(days=1)
    if not counting.start_day_counts:
        steps.append(
            f"Hari peristiwa ({date_label(local_start.date())}) tidak dihitung; hitungan mulai hari berikutnya."
        )
    counted: list[date] = []
    skipped: list[SkippedDay] = []
    if limit.kind is LimitKind.CALENDAR_DAYS:
        counted = [first + timedelta(days=i) for i in range(limit.value)]
        holidays_inside = [d for d in counted if calendar.days.get(d) is not None]
        steps.append(f"Dihitung {limit.label()} kalender: {date_label(counted[0])} s.d. {date_label(counted[-1])}.")
        if holidays_inside:
            names = "; ".join(f"{date_label(d)} ({calendar.reason_off(d)})" for d in holidays_inside)
            steps.append(f"Hari libur tetap dihitung karena batasnya hari kalender: {names}.")
    elif limit.kind is LimitKind.WORKING_DAYS:
        day = first
        warned: set[int] = set()
        while len(counted) < limit.value:
            if day.year not in calendar.years and day.year not in warned:
                warned.add(day.year)
                warnings.append(
                    f"Tidak ada data hari libur untuk tahun {day.year}: hanya Sabtu dan Minggu yang dilewati."
                )
            reason = calendar.reason_off(day)
            if reason is None:
                counted.append(day)
            else:
                skipped.append(SkippedDay(day, reason))
            day += timedelta(days=1)
        steps.append(f"Dihitung {limit.label()}: {'; '.join(date_label(d) for d in counted)}.")
        if skipped:
            steps.append("Dilewati: " + "; ".join(f"{date_label(s.day)} ({s.reason})" for s in skipped) + ".")
    else:  # pragma: no cover - the enum is closed
        raise ValueError(f"unknown limit kind {limit.kind}")
    due = _end_of_day(counted[-1], counting, tz)
    steps.append(f"Jatuh tempo: {moment_label(due)}.")
    return Deadline(local_start, due, limit, zone, tuple(counted), tuple(skipped), tuple(steps), tuple(warnings))


def working_days_between(*, first: date, last: date, calendar: HolidayCalendar) -> list[date]:
    """The working days in ``first``…``last`` inclusive (used by tests and the calculator page)."""
    out: list[date] = []
    day = first
    while day <= last:
        if calendar.is_working_day(day):
            out.append(day)
        day += timedelta(days=1)
    return out


def threshold_moments(
    *, start: datetime, due: datetime, percents: Iterable[int] = (50, 80, 100)
) -> dict[int, datetime]:
    """When each share of the time between ``start`` and ``due`` has passed."""
    span = due - start
    return {p: start + span * (p / 100) for p in percents}


def watch_state(
    *, start: datetime, due: datetime, now: datetime, at_risk: tuple[int, int] = (50, 80)
) -> tuple[WatchState, float]:
    """The state of an open stage and the share of its time already used (1.0 = due)."""
    span = (due - start).total_seconds()
    used = 1.0 if span <= 0 else (now - start).total_seconds() / span
    if now >= due:
        return WatchState.OVERDUE, max(used, 1.0)
    if used >= at_risk[1] / 100:
        return WatchState.AT_RISK_80, used
    if used >= at_risk[0] / 100:
        return WatchState.AT_RISK_50, used
    return WatchState.ON_TIME, max(used, 0.0)


def result_cutoff(*, national_result: date, margin_days: int, zone: str, counting: Counting | None = None) -> datetime:
    """UU 7/2017 Pasal 484: cases that can change results must finish ≥ ``margin_days`` before the result date.

    "Paling lama 5 hari sebelum" 20 March 2024 is read as: the last day allowed is 15 March, to its end.
    """
    counting = counting or Counting()
    return _end_of_day(national_result - timedelta(days=margin_days), counting, ZoneInfo(zone))


def remaining_label(*, due: datetime, now: datetime) -> str:
    """``2 hari 4 jam`` left, or ``lewat 5 jam`` when past due (Bahasa Indonesia, the source language)."""
    delta = due - now
    past = delta.total_seconds() < 0
    seconds = int(abs(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = []
    if days:
        parts.append(f"{days} hari")
    if hours or days:
        parts.append(f"{hours} jam")
    if not days:
        parts.append(f"{minutes} menit")
    text = " ".join(parts)
    return f"lewat {text}" if past else text
