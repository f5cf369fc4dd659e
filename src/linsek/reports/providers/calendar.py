"""The calendar section: the stages running in the period, what comes next, and the agency events of the
next seven days (coord selectors)."""

from __future__ import annotations

from datetime import timedelta

from django.apps import apps

from linsek.reports.providers import Period, Section


def _stage(s: object, period: Period) -> dict[str, object]:
    from linsek.coord.calendar_grid import local_date
    from linsek.coord.models import CalendarEvent

    assert isinstance(s, CalendarEvent)
    first = local_date(s.starts_at, period.zone)
    last = (
        local_date(s.ends_at - timedelta(microseconds=1), period.zone)
        if s.all_day
        else local_date(s.ends_at, period.zone)
    )
    return {
        "code": s.code,
        "kind": s.kind,
        "name_id": s.title,
        "name_en": s.description or s.title,
        "first": first.isoformat(),
        "last": last.isoformat(),
        "day_n": (period.date_to - first).days + 1,
        "days": (last - first).days + 1,
        "days_until": (first - period.date_to).days,
        "tasks": list(s.security_tasks),
        "derived": s.derived,
    }


def provide_calendar(period: Period) -> Section:
    if not apps.is_installed("linsek.coord"):
        return None
    from linsek.coord.calendar_grid import day_bounds, local_date
    from linsek.coord.models import CalendarEvent
    from linsek.coord.rules import task_catalogue
    from linsek.coord.selectors import agency_events_between, stages_next, stages_on

    if not CalendarEvent.objects.exists():
        return {"state": "no_data"}
    current = [_stage(s, period) for s in stages_on(period.date_to, region=period.region)]
    upcoming = [_stage(s, period) for s in stages_next(period.date_to, region=period.region, limit=4)]
    start, _ = day_bounds(period.date_to + timedelta(days=1), period.zone)
    _, end = day_bounds(period.date_to + timedelta(days=7), period.zone)
    events = [
        {
            "title": e.title,
            "type": e.event_type,
            "first": local_date(e.starts_at, period.zone).isoformat(),
            "time": e.starts_at.astimezone(start.tzinfo).strftime("%H:%M") if not e.all_day else "",
            "place": e.place,
            "region": e.region.name if e.region else "",
            "crowd": e.expected_crowd,
            "permit": e.permit_number,
        }
        for e in agency_events_between(start, end, region=period.region)
    ]
    catalogue = task_catalogue()
    task_codes = list(dict.fromkeys(t for s in current for t in s["tasks"]))  # type: ignore[attr-defined]
    tasks = [
        {
            "code": t,
            "name_id": catalogue.tasks[t].name_id,
            "name_en": catalogue.tasks[t].name_en,
            "satgas": catalogue.tasks[t].satgas,
        }
        for t in task_codes
        if t in catalogue.tasks
    ]
    return {"state": "ok", "current": current, "next": upcoming, "events_next_7_days": events, "tasks": tasks}
