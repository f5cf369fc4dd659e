"""The Jepara demo as plain data: regions and TPS (this module); organisations (``staffing``), people (``personnel``).

Pure and deterministic: every random draw comes from a ``random.Random`` seeded with the scenario
seed and a stable key (a village code, a person key), so the same data files always give the same
rows, and adding one row does not shift the others. The plan is always built for the whole regency
and then cut down to the requested districts, so a partial load writes exactly the values a full
load would.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from linsek.core.codes import tps_code
from linsek.core.geo import haversine_m
from linsek.demo.facts import JeparaFacts, Village

_M_PER_DEG_LAT = 111_320.0


@dataclass(frozen=True, slots=True)
class RegionPlan:
    code: str
    name: str
    level: str
    kind: str
    parent_code: str | None
    lat: float
    lon: float
    is_island: bool
    time_zone: str
    source: str


@dataclass(frozen=True, slots=True)
class TpsPlan:
    code: str
    number: int
    village_code: str
    district_code: str
    address: str
    lat: float
    lon: float
    voters_male: int
    voters_female: int
    island: str
    boat_only: bool
    remote: bool
    special: str
    access_notes: str

    @property
    def voters_total(self) -> int:
        return self.voters_male + self.voters_female


def rng_for(seed: int, *parts: object) -> random.Random:
    """A generator seeded by a stable string (str seeds are hashed with SHA-512: same on every run)."""
    return random.Random(":".join(["linsek-demo", str(seed), *map(str, parts)]))


def apportion(total: int, weights: Sequence[float], *, minimum: int = 0) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder), each at least ``minimum``."""
    n = len(weights)
    if total < minimum * n:
        raise ValueError(f"cannot give {n} parts at least {minimum} each out of {total}")
    rest = total - minimum * n
    if float(sum(weights)) <= 0.0:  # no weight anywhere: split evenly rather than lose the remainder
        weights = [1.0] * n
    wsum = float(sum(weights))
    exact = [rest * w / wsum for w in weights]
    parts = [math.floor(x) for x in exact]
    order = sorted(range(n), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[: rest - sum(parts)]:
        parts[i] += 1
    return [p + minimum for p in parts]


def apportion_capped(total: int, weights: Sequence[float], *, cap: int) -> list[int]:
    """Integers proportional to ``weights``, none above ``cap``, summing exactly to ``total``.

    Finds the scale at which ``sum(min(cap, w * scale))`` reaches the total (bisection; the sum
    grows with the scale), floors, then hands the remainder to the largest fractional parts that
    still have room.
    """
    if total > cap * len(weights):
        raise ValueError(f"{total} voters do not fit in {len(weights)} TPS of at most {cap}")
    lo, hi = 0.0, cap / min(weights) + 1.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if sum(min(cap, w * mid) for w in weights) < total:
            lo = mid
        else:
            hi = mid
    exact = [min(float(cap), w * hi) for w in weights]
    parts = [min(cap, math.floor(x)) for x in exact]
    short = total - sum(parts)
    order = sorted(range(len(parts)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order:
        if short <= 0:
            break
        if parts[i] < cap:
            parts[i] += 1
            short -= 1
    assert short == 0 and sum(parts) == total
    return parts


def regions_plan(facts: JeparaFacts) -> list[RegionPlan]:
    """Province, regency, the 16 districts and the 195 villages, parents before children."""
    prov, reg = facts.scenario["province"], facts.scenario["regency"]
    base = "Kemendagri (Kepmendagri 300.2.2-2138/2025) via cahyadsn/wilayah@b7ad440"
    point = f"{base}; titik perkiraan: cahyadsn/wilayah_boundaries@3c5a796"
    island = {d.code: d.is_island for d in facts.districts}
    rows = [
        RegionPlan(
            prov["code"], prov["name"], "province", "provinsi", None, prov["lat"], prov["lon"], False,
            prov["time_zone"], base,
        ),
        RegionPlan(
            reg["code"], reg["name"], "regency", reg["kind"], prov["code"], reg["lat"], reg["lon"], False, "",
            f"{base}; titik: rerata titik kecamatan daratan",
        ),
    ]  # fmt: skip
    rows += [
        RegionPlan(d.code, d.name, "district", "kecamatan", reg["code"], d.lat, d.lon, d.is_island, "", point)
        for d in facts.districts
    ]
    rows += [
        RegionPlan(v.code, v.name, "village", v.kind, v.district_code, v.lat, v.lon, island[v.district_code], "", point)
        for v in facts.villages
    ]
    return rows


def _offset(lat: float, lon: float, rng: random.Random, radius_m: float) -> tuple[float, float]:
    """A point uniformly distributed in a disc of ``radius_m`` around (lat, lon), rounded to ~0.1 m."""
    d = radius_m * math.sqrt(rng.random())
    a = rng.random() * 2 * math.pi
    dlat = d * math.cos(a) / _M_PER_DEG_LAT
    dlon = d * math.sin(a) / (_M_PER_DEG_LAT * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lon + dlon, 6)


def _nearest_neighbour_m(villages: Sequence[Village]) -> dict[str, float]:
    out: dict[str, float] = {}
    for v in villages:
        out[v.code] = min(haversine_m(v.lat, v.lon, o.lat, o.lon) for o in villages if o.code != v.code)
    return out


def _address(rng: random.Random, village: Village) -> str:
    place = f"{'Kel.' if village.kind == 'kelurahan' else 'Desa'} {village.name}"
    rt, rw = rng.randint(1, 12), rng.randint(1, 8)
    pattern = rng.randrange(6)
    if pattern == 0:
        return f"{'Kantor Kelurahan' if village.kind == 'kelurahan' else 'Balai Desa'} {village.name}"
    if pattern == 1:
        return f"SD Negeri {rng.randint(1, 4)} {village.name}, RT {rt:02d}/RW {rw:02d}"
    if pattern == 2:
        return f"Halaman masjid, RT {rt:02d}/RW {rw:02d}, {place}"
    if pattern == 3:
        return f"Gedung serbaguna RW {rw:02d}, {place}"
    return f"Rumah warga, RT {rt:02d}/RW {rw:02d}, {place}"


@dataclass(slots=True)
class _Draft:
    number: int
    village: Village
    address: str
    lat: float
    lon: float
    island: str = ""
    remote: bool = False
    special: str = ""
    notes: str = ""
    fixed_voters: int | None = None
    male_share: float | None = None

    @property
    def code(self) -> str:
        return tps_code(self.village.code, self.number)


def _tps_places(facts: JeparaFacts) -> list[_Draft]:
    """Numbers, places, addresses and access notes; extra TPS numbered 9xx (KPU's TPS lokasi khusus) follow 1..n."""
    sc = facts.scenario
    seed = int(sc["seed"])
    specials: dict[tuple[str, int], tuple[dict[str, Any], int]] = {}
    for s in sc["special_tps"]:
        for i, number in enumerate(s["numbers"]):
            specials[(s["village"], int(number))] = (s, int(s["voters"][i]))
    risk = {r["village"]: r for r in sc["risk_villages"]}
    islands_cfg = sc["islands"]
    on_islands = {p["village"] for p in islands_cfg["placement"]}
    main = sc["mainland_placement"]
    nearest = _nearest_neighbour_m([v for v in facts.villages if v.code not in on_islands])

    drafts: list[_Draft] = []
    for v in facts.villages:
        extra = sorted(n for (vc, n) in specials if vc == v.code and n >= 900)
        numbers = list(range(1, v.tps - len(extra) + 1)) + extra
        rng = rng_for(seed, "place", v.code)
        slots = [
            (p["island"], bool(p.get("outer")))
            for p in islands_cfg["placement"]
            if p["village"] == v.code
            for _ in range(int(p["tps"]))
        ]
        for i, number in enumerate(numbers):
            if slots:
                island_name, outer = slots[i]
                isl = facts.islands[island_name]
                radius = float(islands_cfg["radius_factor"]) * math.sqrt((isl.area_km2 or 0.0) / math.pi) * 1000
                lat, lon = _offset(isl.lat, isl.lon, rng, radius)
                d = _Draft(number, v, _address(rng, v), lat, lon, island=island_name.removeprefix("Pulau "))
                d.notes = islands_cfg["access_note"] + (f"; {islands_cfg['outer_note']}" if outer else "")
            else:
                radius = float(main["radius_factor"]) * nearest[v.code]
                radius = min(float(main["max_radius_m"]), max(float(main["min_radius_m"]), radius))
                lat, lon = _offset(v.lat, v.lon, rng, radius)
                d = _Draft(number, v, _address(rng, v), lat, lon)
            if v.code in risk:
                d.remote, d.notes = True, risk[v.code]["note"]
            if (v.code, number) in specials:
                s, voters = specials[(v.code, number)]
                d.special, d.address, d.notes = s["special"], s["address"], s["note"]
                d.fixed_voters, d.male_share = voters, float(s["male_share"])
            drafts.append(d)
    drafts.sort(key=lambda d: d.code)
    return drafts


def tps_plan(facts: JeparaFacts) -> list[TpsPlan]:
    """Every TPS of the regency with its number, place, voters and access notes, in code order."""
    sc = facts.scenario
    voters = sc["voters"]
    kj = voters["karimunjawa"]
    cap = int(voters["tps_cap"])
    draw = voters["tps_draw"]
    drafts = _tps_places(facts)

    # Voters: fixed for the special TPS; the others drawn, then scaled to the published totals
    # (regency 914,996; Karimunjawa 7,517) without passing KPU's cap.
    rng = rng_for(int(sc["seed"]), "voters")
    totals = [d.fixed_voters or 0 for d in drafts]
    groups: dict[bool, list[int]] = {True: [], False: []}
    weights: dict[int, float] = {}
    for i, d in enumerate(drafts):
        if d.fixed_voters is None:
            groups[d.village.district_code == kj["district"]].append(i)
            weights[i] = rng.triangular(float(draw["low"]), float(draw["high"]), float(draw["mode"]))
    fixed_kj = sum(t for t, d in zip(totals, drafts, strict=True) if d.village.district_code == kj["district"])
    targets = {
        True: int(kj["total"]) - fixed_kj,
        False: int(voters["total"]) - int(kj["total"]) - (sum(totals) - fixed_kj),
    }
    for in_kj, idx in groups.items():
        for i, n in zip(idx, apportion_capped(targets[in_kj], [weights[i] for i in idx], cap=cap), strict=True):
            totals[i] = n

    # Male/female around the regency's share, then nudged by one voter until the totals match.
    # The per-kecamatan split is not public: each kecamatan's share simply follows its TPS count.
    share = int(voters["male"]) / int(voters["total"])
    sd = float(voters["male_share_sd"])
    male = [
        round(t * (d.male_share if d.male_share is not None else min(0.6, max(0.4, rng.gauss(share, sd)))))
        for t, d in zip(totals, drafts, strict=True)
    ]
    regular = [i for i, d in enumerate(drafts) if d.fixed_voters is None]
    rng.shuffle(regular)
    gap = int(voters["male"]) - sum(male)
    step = 1 if gap > 0 else -1
    while gap:
        for i in regular:
            if gap and 0 <= male[i] + step <= totals[i]:
                male[i] += step
                gap -= step

    return [
        TpsPlan(
            code=d.code,
            number=d.number,
            village_code=d.village.code,
            district_code=d.village.district_code,
            address=d.address[:255],
            lat=d.lat,
            lon=d.lon,
            voters_male=male[i],
            voters_female=totals[i] - male[i],
            island=d.island,
            boat_only=bool(d.island),
            remote=d.remote,
            special=d.special,
            access_notes=d.notes[:255],
        )
        for i, d in enumerate(drafts)
    ]
