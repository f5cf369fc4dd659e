"""The deadline engine: table tests over many start moments, and properties (hypothesis)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linsek.cases.deadlines import (
    HolidayCalendar,
    Limit,
    LimitKind,
    WatchState,
    deadline_compute,
    result_cutoff,
    watch_state,
    working_days_between,
)
from linsek.cases.rules import rule_set

WIB = ZoneInfo("Asia/Jakarta")
WITA = ZoneInfo("Asia/Makassar")
WIT = ZoneInfo("Asia/Jayapura")
CAL = rule_set().calendar
D, WD, H = LimitKind.CALENDAR_DAYS, LimitKind.WORKING_DAYS, LimitKind.HOURS


def due(start: datetime, kind: LimitKind, value: int, zone: str = "Asia/Jakarta") -> datetime:
    return deadline_compute(start=start, limit=Limit(kind, value), calendar=CAL, zone=zone).due


# (start, kind, value, expected due in WIB) — each row says why.
TABLE = [
    # calendar days: the start day is not counted; the last day ends at 23:59:59
    (datetime(2024, 2, 9, 10, tzinfo=WIB), D, 7, datetime(2024, 2, 16, 23, 59, 59, tzinfo=WIB)),
    (datetime(2024, 2, 9, 0, 0, tzinfo=WIB), D, 1, datetime(2024, 2, 10, 23, 59, 59, tzinfo=WIB)),
    (datetime(2024, 2, 9, 23, 59, tzinfo=WIB), D, 1, datetime(2024, 2, 10, 23, 59, 59, tzinfo=WIB)),
    # calendar days run through the voting-day holiday and weekends
    (datetime(2024, 2, 12, 9, tzinfo=WIB), D, 3, datetime(2024, 2, 15, 23, 59, 59, tzinfo=WIB)),
    # month ends: February 2024 has 29 days; April has 30
    (datetime(2024, 2, 25, 8, tzinfo=WIB), D, 5, datetime(2024, 3, 1, 23, 59, 59, tzinfo=WIB)),
    (datetime(2024, 4, 28, 8, tzinfo=WIB), D, 3, datetime(2024, 5, 1, 23, 59, 59, tzinfo=WIB)),
    # year end
    (datetime(2023, 12, 28, 14, tzinfo=WIB), D, 14, datetime(2024, 1, 11, 23, 59, 59, tzinfo=WIB)),
    # working days: Fri 9 Feb 2024 (cuti bersama Imlek) → skip Sat 10 (Imlek), Sun 11, Wed 14 (voting day)
    (datetime(2024, 2, 9, 10, tzinfo=WIB), WD, 7, datetime(2024, 2, 21, 23, 59, 59, tzinfo=WIB)),
    # working days across the voting day only
    (datetime(2024, 2, 13, 10, tzinfo=WIB), WD, 1, datetime(2024, 2, 15, 23, 59, 59, tzinfo=WIB)),
    # a start on a Saturday counts from Monday
    (datetime(2024, 2, 17, 10, tzinfo=WIB), WD, 1, datetime(2024, 2, 19, 23, 59, 59, tzinfo=WIB)),
    # Idul Fitri 2024: 8, 9, 12, 15 Apr cuti bersama; 10–11 Apr holiday; 13–14 weekend
    (datetime(2024, 4, 5, 10, tzinfo=WIB), WD, 1, datetime(2024, 4, 16, 23, 59, 59, tzinfo=WIB)),
    (datetime(2024, 4, 3, 10, tzinfo=WIB), WD, 14, datetime(2024, 5, 2, 23, 59, 59, tzinfo=WIB)),
    # Nyepi 11 Mar + cuti bersama 12 Mar 2024
    (datetime(2024, 3, 8, 16, tzinfo=WIB), WD, 1, datetime(2024, 3, 13, 23, 59, 59, tzinfo=WIB)),
    # year end 2023 → 2024: 26 Dec 2023 cuti bersama, 1 Jan 2024 holiday
    (datetime(2023, 12, 22, 10, tzinfo=WIB), WD, 3, datetime(2023, 12, 29, 23, 59, 59, tzinfo=WIB)),
    (datetime(2023, 12, 29, 10, tzinfo=WIB), WD, 1, datetime(2024, 1, 2, 23, 59, 59, tzinfo=WIB)),
    # Idul Adha 2023 (28 Jun cuti, 29 Jun holiday, 30 Jun cuti)
    (datetime(2023, 6, 27, 10, tzinfo=WIB), WD, 1, datetime(2023, 7, 3, 23, 59, 59, tzinfo=WIB)),
    # hour limits are exact, across days and holidays
    (datetime(2024, 2, 13, 15, 30, tzinfo=WIB), H, 24, datetime(2024, 2, 14, 15, 30, tzinfo=WIB)),
    (datetime(2024, 2, 29, 23, 15, 10, tzinfo=WIB), H, 24, datetime(2024, 3, 1, 23, 15, 10, tzinfo=WIB)),
    (datetime(2023, 12, 31, 12, tzinfo=WIB), H, 24, datetime(2024, 1, 1, 12, tzinfo=WIB)),
    # a UTC start is counted in the region's zone: 20:00 UTC on 9 Feb is 03:00 WIB on 10 Feb
    (datetime(2024, 2, 9, 20, tzinfo=UTC), D, 1, datetime(2024, 2, 11, 23, 59, 59, tzinfo=WIB)),
    (datetime(2024, 2, 9, 16, 59, tzinfo=UTC), D, 1, datetime(2024, 2, 10, 23, 59, 59, tzinfo=WIB)),
]


@pytest.mark.parametrize(("start", "kind", "value", "expected"), TABLE)
def test_due_moment_table(start: datetime, kind: LimitKind, value: int, expected: datetime) -> None:
    assert due(start, kind, value) == expected


def test_due_moment_is_in_the_regions_zone() -> None:
    start = datetime(2024, 2, 9, 10, tzinfo=UTC)
    assert due(start, D, 1, "Asia/Makassar") == datetime(2024, 2, 10, 23, 59, 59, tzinfo=WITA)
    assert due(start, D, 1, "Asia/Jayapura") == datetime(2024, 2, 10, 23, 59, 59, tzinfo=WIT)
    # 23:30 UTC on 9 Feb is already 10 Feb in Jayapura (UTC+9) but still 10 Feb 06:30 in Jakarta
    late = datetime(2024, 2, 9, 23, 30, tzinfo=UTC)
    assert due(late, D, 1, "Asia/Jayapura").date() == date(2024, 2, 11)
    assert due(late, D, 1, "Asia/Jakarta").date() == date(2024, 2, 11)
    assert due(datetime(2024, 2, 9, 16, 30, tzinfo=UTC), D, 1, "Asia/Jayapura").date() == date(2024, 2, 11)
    assert due(datetime(2024, 2, 9, 16, 30, tzinfo=UTC), D, 1, "Asia/Jakarta").date() == date(2024, 2, 10)


def test_explanation_names_each_skipped_day_and_why() -> None:
    d = deadline_compute(
        start=datetime(2024, 2, 9, 10, tzinfo=WIB), limit=Limit(WD, 7), calendar=CAL, zone="Asia/Jakarta"
    )
    reasons = {s.day: s.reason for s in d.skipped}
    assert set(reasons) == {
        date(2024, 2, 10),
        date(2024, 2, 11),
        date(2024, 2, 14),
        date(2024, 2, 17),
        date(2024, 2, 18),
    }
    assert "Imlek" in reasons[date(2024, 2, 10)]
    assert "pemungutan suara" in reasons[date(2024, 2, 14)]
    assert reasons[date(2024, 2, 11)] == "Minggu"
    assert d.counted_days[0] == date(2024, 2, 12) and len(d.counted_days) == 7
    assert any("Jatuh tempo" in s for s in d.steps)
    assert d.warnings == ()


def test_calendar_days_say_that_holidays_still_count() -> None:
    d = deadline_compute(
        start=datetime(2024, 2, 12, 9, tzinfo=WIB), limit=Limit(D, 3), calendar=CAL, zone="Asia/Jakarta"
    )
    assert d.skipped == ()
    assert any("tetap dihitung" in s and "14 Februari 2024" in s for s in d.steps)


def test_year_without_holiday_data_warns() -> None:
    d = deadline_compute(
        start=datetime(2025, 3, 28, 9, tzinfo=WIB), limit=Limit(WD, 3), calendar=CAL, zone="Asia/Jakarta"
    )
    assert d.due == datetime(2025, 4, 2, 23, 59, 59, tzinfo=WIB)  # only the weekend skipped
    assert any("2025" in w for w in d.warnings)


def test_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="time zone"):
        deadline_compute(start=datetime(2024, 2, 9, 10), limit=Limit(D, 1), calendar=CAL, zone="Asia/Jakarta")


@pytest.mark.parametrize("value", [0, -1, True, 1.5])
def test_limit_must_be_a_positive_whole_number(value: object) -> None:
    with pytest.raises(ValueError, match="positive"):
        Limit(D, value)  # type: ignore[arg-type]


def test_watch_state_thresholds() -> None:
    start = datetime(2024, 2, 1, 0, tzinfo=WIB)
    end = start + timedelta(hours=100)
    assert watch_state(start=start, due=end, now=start + timedelta(hours=49))[0] is WatchState.ON_TIME
    assert watch_state(start=start, due=end, now=start + timedelta(hours=50))[0] is WatchState.AT_RISK_50
    assert watch_state(start=start, due=end, now=start + timedelta(hours=80))[0] is WatchState.AT_RISK_80
    assert watch_state(start=start, due=end, now=end)[0] is WatchState.OVERDUE


def test_pasal_484_cutoff_is_the_end_of_the_fifth_day_before_the_result() -> None:
    cutoff = result_cutoff(national_result=date(2024, 3, 20), margin_days=5, zone="Asia/Jakarta")
    assert cutoff == datetime(2024, 3, 15, 23, 59, 59, tzinfo=WIB)


# ---- properties ----------------------------------------------------------------------------------------
moments = st.datetimes(min_value=datetime(2022, 6, 1), max_value=datetime(2025, 6, 1), timezones=st.just(UTC))
zones = st.sampled_from(["Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"])


@settings(max_examples=300, deadline=None)
@given(start=moments, kind=st.sampled_from(list(LimitKind)), value=st.integers(1, 40), zone=zones)
def test_a_due_moment_is_never_before_its_start(start: datetime, kind: LimitKind, value: int, zone: str) -> None:
    d = deadline_compute(start=start, limit=Limit(kind, value), calendar=CAL, zone=zone)
    assert d.due > start
    assert d.due.tzinfo is not None and d.due.utcoffset() == d.due.astimezone(ZoneInfo(zone)).utcoffset()


@settings(max_examples=300, deadline=None)
@given(start=moments, value=st.integers(1, 30), zone=zones)
def test_working_day_counting_skips_exactly_the_non_working_days(start: datetime, value: int, zone: str) -> None:
    d = deadline_compute(start=start, limit=Limit(WD, value), calendar=CAL, zone=zone)
    local_start = start.astimezone(ZoneInfo(zone)).date()
    first, last = local_start + timedelta(days=1), d.due.date()
    every_day = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    # counted = the working days of the span, exactly `value` of them, and the last one is the due day
    assert list(d.counted_days) == working_days_between(first=first, last=last, calendar=CAL)
    assert len(d.counted_days) == value
    assert d.counted_days[-1] == last
    # skipped = every other day of the span, each a weekend day or a listed holiday
    assert sorted([*d.counted_days, *(s.day for s in d.skipped)]) == every_day
    for s in d.skipped:
        assert s.day.weekday() >= 5 or s.day in CAL.days


@settings(max_examples=200, deadline=None)
@given(start=moments, value=st.integers(1, 30))
def test_calendar_days_end_on_day_start_plus_value(start: datetime, value: int) -> None:
    d = deadline_compute(start=start, limit=Limit(D, value), calendar=CAL, zone="Asia/Jakarta")
    assert d.due.date() == start.astimezone(WIB).date() + timedelta(days=value)
    assert (d.due.hour, d.due.minute, d.due.second) == (23, 59, 59)


def test_empty_calendar_only_skips_weekends() -> None:
    d = deadline_compute(
        start=datetime(2024, 2, 13, 10, tzinfo=WIB), limit=Limit(WD, 1), calendar=HolidayCalendar(), zone="Asia/Jakarta"
    )
    assert d.due.date() == date(2024, 2, 14)
