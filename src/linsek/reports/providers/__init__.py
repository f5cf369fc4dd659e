"""One small provider per domain for the situation report.

A provider returns ``None`` when its domain is not installed (the report says "belum tersedia" — not yet
available), ``{"state": "no_data", ...}`` when the domain is there but holds nothing up to the end of the
period (the report says so, never zeros), or ``{"state": "ok", ...}`` with plain JSON-ready figures. Providers
read other domains only through those domains' selectors or access scopes, and return language-neutral data
(both ``name_id`` and ``name_en`` where a name is shown), so a frozen report renders in either language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from linsek.regions.models import Region

Section = dict[str, Any] | None
CHILD_LEVEL = {"province": "regency", "regency": "district", "district": "village", "village": None}
COLUMN = {"province": "province", "regency": "regency", "district": "district", "village": "village"}


@dataclass(frozen=True)
class Period:
    """What a report covers: a region (any level) and local days ``date_from``..``date_to`` (inclusive), as the
    aware range [start, end); the previous period is the same number of days just before."""

    region: Region
    date_from: date
    date_to: date
    start: datetime
    end: datetime
    prev_start: datetime
    zone: str
    now: datetime

    @property
    def child_level(self) -> str | None:
        return CHILD_LEVEL.get(self.region.level)

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1


def no_data(**extra: Any) -> dict[str, Any]:
    return {"state": "no_data", **extra}
