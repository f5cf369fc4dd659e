"""The logistics section: shown when a logistics app is installed and offers a progress selector.

No logistics app exists yet, so this returns None ("belum tersedia"). The calendar section already shows the
logistics stages (KPU → PPK → PPS → TPS) and their dates.
"""

from __future__ import annotations

from django.apps import apps

from linsek.reports.providers import Period, Section


def provide_logistics(period: Period) -> Section:
    if not apps.is_installed("linsek.logistics"):
        return None
    try:
        from linsek.logistics.selectors import logistics_progress
    except ImportError:
        return None
    result: Section = logistics_progress(region=period.region, start=period.start, end=period.end)
    return result
