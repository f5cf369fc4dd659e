"""The action-items section: unresolved and overdue items of the region's meetings as they stood at the end of
the period (``coord.selectors.action_summary_for_region``)."""

from __future__ import annotations

from django.apps import apps

from linsek.reports.providers import Period, Section, no_data


def provide_actions(period: Period) -> Section:
    if not apps.is_installed("linsek.coord"):
        return None
    from linsek.coord.selectors import action_summary_for_region

    now_end = min(period.end, period.now)
    summary = action_summary_for_region(region=period.region, start=period.start, end=now_end)
    if summary is None:
        return no_data()
    before = action_summary_for_region(region=period.region, start=period.prev_start, end=period.start)
    return {
        "state": "ok",
        "unresolved": summary.unresolved,
        "overdue_total": len(summary.overdue),
        "previous_overdue_total": len(before.overdue) if before else 0,
        "done_in_period": summary.done_in_period,
        "created_in_period": summary.created_in_period,
        "overdue": [
            {
                "ref": r.reference,
                "title": r.title,
                "owner": r.owner,
                "person": r.person,
                "due": r.due_date.isoformat(),
                "days_overdue": r.days_overdue,
                "meeting": r.meeting,
                "meeting_date": r.meeting_date.isoformat(),
            }
            for r in summary.overdue[:50]
        ],
    }
