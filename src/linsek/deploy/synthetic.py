"""Synthetic planning instances (pure, seeded): for property tests, the CP-SAT comparison and benchmarks.

A regency of ``areas`` districts laid out on a grid, TPS scattered around village centres (so that
posts can form as in real villages), an optional island area, one Polsek per district, a Polres
reserve unit, a Koramil per district; a category mix and a share of absent people.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from linsek.deploy.patterns import PatternSet, pattern_set_parse
from linsek.deploy.planner import Absence, PersonIn, PlanInput, TpsIn, UnitIn

CATEGORIES = ("kurang_rawan", "rawan", "sangat_rawan", "khusus")
RANKS = {"kurang_rawan": 0, "rawan": 1, "sangat_rawan": 2, "khusus": 3}
DUTY = (date(2024, 2, 14), date(2024, 2, 15))


def default_patterns(**overrides: float) -> PatternSet:
    """The shipped default pattern set (shared/DOMAIN.md §5), with top-level overrides (e.g. reserve_share)."""
    from linsek.deploy.patterns import default_patterns_raw

    raw = {**default_patterns_raw(), **overrides}
    return pattern_set_parse(raw, ranks=RANKS)


@dataclass(frozen=True, slots=True)
class InstanceSpec:
    seed: int = 0
    tps: int = 400
    areas: int = 4
    villages_per_area: int = 6
    island_tps: int = 0
    police_per_unit: int = 30
    reserve_people: int = 40
    tni_per_unit: int = 0
    absent_share: float = 0.05
    mix: tuple[float, float, float, float] = (0.85, 0.12, 0.02, 0.01)
    village_spread_m: float = 900.0
    missing_coordinates: int = 0
    area_code_prefix: str = "99.01"
    id_offset: int = 0


def instance(spec: InstanceSpec, patterns: PatternSet | None = None) -> PlanInput:
    """A reproducible instance; the same spec gives the same instance."""
    rng = np.random.default_rng(spec.seed)
    pats = patterns or default_patterns()
    base_lat, base_lon = -6.6, 110.7
    tps: list[TpsIn] = []
    units: list[UnitIn] = []
    people: list[PersonIn] = []
    areas = [f"{spec.area_code_prefix}.{i + 1:02d}" for i in range(spec.areas)]
    side = int(np.ceil(np.sqrt(spec.areas)))
    centres = {a: (base_lat + (i // side) * 0.09, base_lon + (i % side) * 0.09) for i, a in enumerate(areas)}
    mainland_tps = spec.tps - spec.island_tps
    per_area = np.full(spec.areas, mainland_tps // spec.areas)
    per_area[: mainland_tps % spec.areas] += 1
    oid = spec.id_offset
    n = 0
    for a, count in zip(areas, per_area, strict=True):
        clat, clon = centres[a]
        vill = rng.normal(0, 0.018, size=(spec.villages_per_area, 2))
        for k in range(int(count)):
            v = k % spec.villages_per_area
            dlat, dlon = rng.normal(0, spec.village_spread_m / 111_000.0, size=2)
            n += 1
            tps.append(
                TpsIn(
                    oid + n,
                    f"{a}.{2001 + v}.{k + 1:03d}",
                    a,
                    "",
                    float(clat + vill[v, 0] + dlat),
                    float(clon + vill[v, 1] + dlon),
                    "kurang_rawan",
                    f"{a}.{2001 + v}",
                )
            )
    island_area = f"{spec.area_code_prefix}.90"
    if spec.island_tps:
        areas.append(island_area)
        for k in range(spec.island_tps):
            isl = "Pulau Besar" if k % 4 else "Pulau Kecil"
            clat, clon = (-5.85, 110.45) if isl == "Pulau Besar" else (-5.74, 110.24)
            dlat, dlon = rng.normal(0, 0.006, size=2)
            n += 1
            tps.append(
                TpsIn(
                    oid + n,
                    f"{island_area}.2001.{k + 1:03d}",
                    island_area,
                    isl,
                    float(clat + dlat),
                    float(clon + dlon),
                    "kurang_rawan",
                    f"{island_area}.2001",
                )
            )
    cats = rng.choice(len(CATEGORIES), size=len(tps), p=np.array(spec.mix) / sum(spec.mix))
    tps = [
        TpsIn(t.id, t.code, t.area, t.island, t.lat, t.lon, CATEGORIES[int(c)], t.village)
        for t, c in zip(tps, cats, strict=True)
    ]
    for k in range(min(spec.missing_coordinates, len(tps))):
        t = tps[k * 7 % len(tps)]
        tps[k * 7 % len(tps)] = TpsIn(t.id, t.code, t.area, t.island, None, None, t.category, t.village)
    uid = spec.id_offset
    pid = spec.id_offset

    def add_people(unit: UnitIn, count: int, sector: str, island: str, lat: float, lon: float) -> None:
        nonlocal pid
        for _ in range(count):
            pid += 1
            absences: tuple[Absence, ...] = ()
            if rng.random() < spec.absent_share:
                kind = ("leave", "sick", "other_duty")[int(rng.integers(0, 3))]
                absences = (Absence(kind, date(2024, 2, 13), date(2024, 2, 16)),)
            elif rng.random() < 0.05:  # absent, but not on the duty days
                absences = (Absence("leave", date(2024, 1, 2), date(2024, 1, 9)),)
            jitter = rng.normal(0, 0.01, size=2)
            people.append(
                PersonIn(
                    pid,
                    f"Personel {pid}",
                    unit.id,
                    sector,
                    island,
                    float(lat + jitter[0]),
                    float(lon + jitter[1]),
                    absences,
                    "Bripka" if sector == "polri" else "Serda",
                )
            )

    for a in areas:
        island = "Pulau Besar" if a == island_area else ""
        clat, clon = centres.get(a, (-5.85, 110.45))
        uid += 1
        polsek = UnitIn(uid, f"polsek-{a}", f"Polsek {a}", "polsek", "polri", frozenset({a}), island, clat, clon)
        units.append(polsek)
        count = spec.police_per_unit if a != island_area else max(4, spec.island_tps // 4)
        add_people(polsek, count, "polri", island, clat, clon)
        if a == island_area:  # a few officers stationed on the small island
            add_people(polsek, 2, "polri", "Pulau Kecil", -5.74, 110.24)
        if spec.tni_per_unit:
            uid += 1
            koramil = UnitIn(uid, f"koramil-{a}", f"Koramil {a}", "koramil", "tni", frozenset({a}), island, clat, clon)
            units.append(koramil)
            add_people(koramil, spec.tni_per_unit, "tni", island, clat, clon)
    uid += 1
    reserve = UnitIn(
        uid, "polres-samapta", "Sat Samapta Polres", "polres", "polri", frozenset(), "", base_lat, base_lon
    )
    units.append(reserve)
    add_people(reserve, spec.reserve_people, "polri", "", base_lat, base_lon)
    return PlanInput(
        tps=tuple(tps),
        units=tuple(units),
        people=tuple(people),
        patterns=pats,
        duty_start=DUTY[0],
        duty_end=DUTY[1],
        offices_ppk=len(areas),
        offices_pps=len(areas) * spec.villages_per_area,
        linmas_available=None,
    )
