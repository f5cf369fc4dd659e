"""The common picture's pure parts: the per-district Kamtibmas status and duplicate suggestions.

Both work on plain tuples so that the dashboard computes them for thousands of open reports in one
pass without a query per row.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
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


class DuplicateIndex:
    """Open reports indexed by kind and TPS, and by kind and a grid of cells at least ``radius_m`` wide.

    Each target is then compared only with the reports of its own TPS and of the 3 × 3 cells around it: on
    election day a kind may have tens of thousands of reports in one window, and comparing every pair would not
    keep up with the intake. The worker keeps one index across its passes and adds what is new
    (:meth:`add`); a cell is wide enough up to the latitude ``lat_bound`` (:meth:`fits` tells whether reports
    lie within it).
    """

    def __init__(self, radius_m: float, lat_bound: float) -> None:
        self.radius_m = radius_m
        self.lat_bound = lat_bound
        # One cell spans at least the radius in both directions up to the latitude bound.
        cos_min = max(math.cos(math.radians(min(lat_bound, 89.0))), 0.01)
        self.cell = max(radius_m, 1.0) / (111_000 * cos_min)
        self.by_tps: dict[tuple[str, int], list[DupFacts]] = {}
        self.by_cell: dict[tuple[str, int, int], list[DupFacts]] = {}

    @classmethod
    def of(cls, pool: Iterable[DupFacts], targets: Iterable[DupFacts], radius_m: float) -> DuplicateIndex:
        """The pool indexed, with cells wide enough for the pool and the targets."""
        pool = list(pool)
        index = cls(radius_m, max((abs(r.lat) for r in (*pool, *targets) if r.lat is not None), default=0.0))
        index.add(pool)
        return index

    def fits(self, facts: Iterable[DupFacts]) -> bool:
        return all(abs(r.lat) <= self.lat_bound for r in facts if r.lat is not None)

    def add(self, facts: Iterable[DupFacts]) -> None:
        for r in facts:
            if r.tps_id is not None:
                self.by_tps.setdefault((r.kind, r.tps_id), []).append(r)
            where = self._cell_of(r)
            if where is not None:
                self.by_cell.setdefault((r.kind, *where), []).append(r)

    def _cell_of(self, r: DupFacts) -> tuple[int, int] | None:
        if r.lat is None or r.lon is None:
            return None
        return math.floor(r.lat / self.cell), math.floor(r.lon / self.cell)

    def candidates(self, target: DupFacts) -> list[DupFacts]:
        """Reports of the pool that may pair with the target (same kind, same TPS or a neighbouring cell), by id."""
        found: dict[int, DupFacts] = {}
        if target.tps_id is not None:
            found.update((r.id, r) for r in self.by_tps.get((target.kind, target.tps_id), ()))
        where = self._cell_of(target)
        if where is not None:
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    found.update((r.id, r) for r in self.by_cell.get((target.kind, where[0] + dx, where[1] + dy), ()))
        found.pop(target.id, None)
        return [found[i] for i in sorted(found)]


def _matches(
    target: DupFacts, index: DuplicateIndex, window: timedelta, radius_m: float
) -> Iterator[tuple[DupFacts, DuplicatePair]]:
    """The reports of the pool that the target may duplicate, with their pair, in id order."""
    for other in index.candidates(target):
        if abs(other.observed_at - target.observed_at) <= window:
            pair = _pair(target, other, radius_m)
            if pair is not None:
                yield other, pair


def duplicate_pairs_for(
    targets: Iterable[DupFacts], pool: Iterable[DupFacts], *, radius_m: float, window_minutes: int
) -> list[DuplicatePair]:
    """Pairs (target, other report of the pool) of the same kind, observed within the window of each other, at the
    same TPS or within the radius."""
    targets = list(targets)
    index = DuplicateIndex.of(pool, targets, radius_m)
    window = timedelta(minutes=window_minutes)
    seen: set[tuple[int, int]] = set()
    out: list[DuplicatePair] = []
    for target in targets:
        for other, pair in _matches(target, index, window, radius_m):
            key = (min(target.id, other.id), max(target.id, other.id))
            if key not in seen:
                seen.add(key)
                out.append(pair)
    return out


def duplicate_suggestions(
    targets: Iterable[DupFacts], pool: Iterable[DupFacts], *, radius_m: float, window_minutes: int
) -> dict[int, int]:
    """For each target, the oldest older report of the pool it may duplicate (the suggestion a person confirms).

    The same answer as the smallest ``other_id`` of the target's pairs in :func:`duplicate_pairs_for`: the first
    match in id order, found without listing every pair.
    """
    targets = list(targets)
    return duplicate_suggestions_in(targets, DuplicateIndex.of(pool, targets, radius_m), window_minutes=window_minutes)


def duplicate_suggestions_in(
    targets: Iterable[DupFacts], index: DuplicateIndex, *, window_minutes: int
) -> dict[int, int]:
    """:func:`duplicate_suggestions` against an index already built (the worker keeps one across its passes)."""
    window = timedelta(minutes=window_minutes)
    out: dict[int, int] = {}
    for target in targets:
        first = next(_matches(target, index, window, index.radius_m), None)
        if first is not None and first[0].id < target.id:
            out[target.id] = first[0].id
    return out
