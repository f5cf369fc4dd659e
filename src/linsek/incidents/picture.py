"""The common picture's pure parts: the per-district Kamtibmas status and duplicate suggestions.

Both work on plain tuples so that the dashboard computes them for thousands of open reports in one
pass without a query per row.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from linsek.core.geo import haversine_m
from linsek.incidents.rules import StatusLevel, StatusRules


@dataclass(frozen=True, slots=True)
class OpenReportFacts:
    severity: int
    crowd_level: str
    count: int = 1


def district_status(reports: Iterable[OpenReportFacts], rules: StatusRules) -> tuple[StatusLevel, int]:
    """The level (highest first) whose score or severity/crowd trigger the district's open reports reach."""
    score, top_severity, crowd = 0, 0, set()
    for r in reports:
        score += rules.weights.get(r.severity, 0) * r.count
        top_severity = max(top_severity, r.severity)
        if r.crowd_level:
            crowd.add(r.crowd_level)
    for level in rules.levels:
        if score >= level.min_score and level.min_score > 0:
            return level, score
        if level.min_severity is not None and top_severity >= level.min_severity:
            return level, score
        if level.crowd_levels & crowd:
            return level, score
    return rules.levels[-1], score


@dataclass(frozen=True, slots=True)
class DupFacts:
    id: int
    kind: str
    observed_at: datetime
    tps_id: int | None
    lat: float | None
    lon: float | None


@dataclass(frozen=True, slots=True)
class DuplicatePair:
    report_id: int
    other_id: int
    minutes: float
    distance_m: float | None
    same_tps: bool


def _pair(a: DupFacts, b: DupFacts, radius_m: float) -> DuplicatePair | None:
    same_tps = a.tps_id is not None and a.tps_id == b.tps_id
    distance = None
    if a.lat is not None and a.lon is not None and b.lat is not None and b.lon is not None:
        # A cheap box test first: a degree of latitude is ~111 km everywhere, of longitude less.
        near = abs(a.lat - b.lat) * 111_000 <= radius_m and abs(a.lon - b.lon) * 111_000 * 0.9 <= radius_m * 1.2
        distance = haversine_m(a.lat, a.lon, b.lat, b.lon) if near or same_tps else None
    if not (same_tps or (distance is not None and distance <= radius_m)):
        return None
    minutes = abs((b.observed_at - a.observed_at).total_seconds()) / 60
    older, newer = (a, b) if a.id < b.id else (b, a)
    return DuplicatePair(newer.id, older.id, round(minutes, 1), distance, same_tps)


def duplicate_pairs_for(
    targets: Iterable[DupFacts], pool: Iterable[DupFacts], *, radius_m: float, window_minutes: int
) -> list[DuplicatePair]:
    """Pairs (target, other report of the pool) of the same kind, observed within the window of each other, at the
    same TPS or within the radius. The pool is sorted by time per kind and searched by bisection, so a list of
    100 targets against 5,000 open reports costs ~100 × (reports in one window), not 5,000².
    """
    window = timedelta(minutes=window_minutes)
    by_kind: dict[str, list[DupFacts]] = {}
    for r in pool:
        by_kind.setdefault(r.kind, []).append(r)
    times: dict[str, list[datetime]] = {}
    for kind, group in by_kind.items():
        group.sort(key=lambda r: r.observed_at)
        times[kind] = [r.observed_at for r in group]
    seen: set[tuple[int, int]] = set()
    out: list[DuplicatePair] = []
    for target in targets:
        group = by_kind.get(target.kind, [])
        lo = bisect_left(times.get(target.kind, []), target.observed_at - window)
        hi = bisect_right(times.get(target.kind, []), target.observed_at + window)
        for other in group[lo:hi]:
            key = (min(target.id, other.id), max(target.id, other.id))
            if other.id == target.id or key in seen:
                continue
            pair = _pair(target, other, radius_m)
            if pair is not None:
                seen.add(key)
                out.append(pair)
    return out
