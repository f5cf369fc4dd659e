"""The cases section: open election-crime cases per deadline state, anonymous (no case detail), so the
report can go to every agency on the distribution list (``cases.selectors.case_counts_anonymous``)."""

from __future__ import annotations

from django.apps import apps

from linsek.reports.providers import Period, Section, no_data

STATES = ("overdue", "at_risk_80", "at_risk_50", "on_time")


def provide_cases(period: Period) -> Section:
    if not apps.is_installed("linsek.cases"):
        return None
    from linsek.cases.selectors import case_counts_anonymous

    now = min(period.end, period.now)
    counts = case_counts_anonymous(region_ids=[period.region.pk], now=now)
    before = case_counts_anonymous(region_ids=[period.region.pk], now=period.start)
    if sum(counts.values()) == 0:
        return no_data()
    return {
        "state": "ok",
        "as_of": now.isoformat(),
        "counts": {k: int(counts.get(k, 0)) for k in (*STATES, "closed")},
        "previous": {k: int(before.get(k, 0)) for k in (*STATES, "closed")},
        "open": sum(int(counts.get(k, 0)) for k in STATES),
    }
