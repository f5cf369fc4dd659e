"""The personnel pool and the planner's input, built from the registries (regions, agencies, risk).

Units are organisations: each Polsek and Koramil covers the districts of its jurisdiction; Polres
functions (and the Polres itself) form the reserve; Polda people stationed in the regency are BKO
already present; Kodim people are the TNI reserve (``rules/pool.json``). People are the active members
of those units, less the commanders (who lead, not guard). Where a person is stationed decides the
island rule: their home village's island (the island most of its TPS stand on), else their unit's.
Islands joined by road are one island for planning (``island_groups``).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

from django.db.models import Q, QuerySet

from linsek.agencies.models import Organisation, Person
from linsek.deploy.models import Availability
from linsek.deploy.patterns import PatternSet
from linsek.deploy.planner import MAINLAND, Absence, LinmasIn, PersonIn, PlanInput, TpsIn, UnitIn
from linsek.regions.models import PollingStation, Region
from linsek.risk.selectors import tps_categories_for_planning

POOL_FILE = Path(__file__).parent / "rules" / "pool.json"
UNIT_KINDS = frozenset({"polsek", "koramil", "polres", "bko", "kodim"})


class PoolRulesError(ValueError):
    """``rules/pool.json`` is inconsistent."""


@dataclass(frozen=True)
class PoolRules:
    unit_kinds: dict[str, str]  # organisation type → unit kind
    exclude_duty_roles: frozenset[str]
    linmas_duty_roles: frozenset[str]
    island_group: dict[str, str]  # island name → the island it is planned with
    source: str

    def island(self, name: str) -> str:
        return self.island_group.get(name, name)


@lru_cache(maxsize=1)
def pool_rules() -> PoolRules:
    raw = json.loads(POOL_FILE.read_text(encoding="utf-8"))
    kinds = dict(raw["unit_kinds"])
    bad = sorted(set(kinds.values()) - UNIT_KINDS)
    if bad:
        raise PoolRulesError(f"unknown unit kinds {bad}; known: {sorted(UNIT_KINDS)}")
    groups: dict[str, str] = {}
    for group in raw.get("island_groups", []):
        for island in group["islands"]:
            if island in groups:
                raise PoolRulesError(f"island '{island}' is in two island groups")
            groups[island] = group["name"]
    return PoolRules(
        unit_kinds=kinds,
        exclude_duty_roles=frozenset(raw.get("exclude_duty_roles", [])),
        linmas_duty_roles=frozenset(raw.get("linmas_duty_roles", [])),
        island_group=groups,
        source=str(raw.get("source", "")),
    )


@dataclass(frozen=True)
class PlanContext:
    """The planner's input and the maps back from its plain ids to registry rows."""

    input: PlanInput
    regency: Region
    tps_codes: dict[int, str]
    district_ids: dict[str, int]  # district code → region id
    unit_codes: dict[int, str]
    warnings: tuple[str, ...]


def plan_input_build(*, regency: Region, patterns: PatternSet, duty_start: date, duty_end: date) -> PlanContext:
    """Everything the planner needs about one regency, in a fixed number of queries."""
    rules = pool_rules()
    warnings: list[str] = []
    categories = tps_categories_for_planning(regency=regency)
    tps_rows = list(
        PollingStation.objects.filter(regency=regency)
        .order_by("code")
        .values_list("id", "code", "district__code", "island", "lat", "lon", "village__code")
    )
    tps = tuple(
        TpsIn(tid, code, district, rules.island(island) if island else MAINLAND, lat, lon, categories[tid], village)
        for tid, code, district, island, lat, lon, village in tps_rows
    )
    regions = {
        r.id: r
        for r in Region.objects.filter(Q(code__startswith=regency.code + ".") | Q(id=regency.id)).only(
            "id", "code", "level", "lat", "lon", "parent_id", "is_island"
        )
    }
    district_ids = {r.code: r.id for r in regions.values() if r.level == "district"}
    village_islands: dict[str, Counter[str]] = defaultdict(Counter)
    district_islands: dict[str, Counter[str]] = defaultdict(Counter)
    for t in tps:
        if t.island:
            village_islands[t.village][t.island] += 1
            district_islands[t.area][t.island] += 1

    def island_of_region(region: Region | None) -> str | None:
        """The island a region's people stand on ("" mainland), or None when the region says nothing."""
        if region is None or region.id == regency.id:
            return None
        if region.level == "village":
            counts = village_islands.get(region.code)
            return counts.most_common(1)[0][0] if counts else MAINLAND
        if region.level == "district":
            counts = district_islands.get(region.code)
            return counts.most_common(1)[0][0] if counts and region.is_island else MAINLAND
        return None

    def district_of(region: Region) -> str | None:
        if region.level == "district":
            return region.code
        if region.level == "village":
            return region.code.rsplit(".", 1)[0]
        return None

    # Only the units of this regency (by jurisdiction, or under a Polres that has it) and the Polda: a national
    # registry holds thousands of units, and reading them all made every regency's job pay for the country.
    kinds = list(rules.unit_kinds)
    local = Organisation.objects.filter(active=True, type_id__in=kinds, jurisdiction__in=list(regions)).values("id")
    bko_types = [t for t, kind in rules.unit_kinds.items() if kind == "bko"]
    orgs = list(
        Organisation.objects.filter(active=True, type_id__in=kinds)
        .filter(Q(id__in=local) | Q(parent_id__in=local) | Q(type_id__in=bko_types))
        .distinct()
        .select_related("type")
        .prefetch_related("jurisdiction")
        .order_by("code")
    )
    in_scope: dict[int, Organisation] = {}
    for org in orgs:
        juris = [r for r in org.jurisdiction.all() if r.id in regions]
        if juris:
            in_scope[org.id] = org
    for org in orgs:  # Polres functions without their own jurisdiction hang under an in-scope Polres
        if org.id not in in_scope and org.parent_id in in_scope and rules.unit_kinds[org.type_id] == "polres":
            in_scope[org.id] = org
    polda_ids = [o.id for o in orgs if rules.unit_kinds[o.type_id] == "bko"]
    units: list[UnitIn] = []
    unit_island: dict[int, str] = {}
    unit_point: dict[int, tuple[float | None, float | None]] = {}
    for org in [*in_scope.values(), *[o for o in orgs if o.id in polda_ids and o.id not in in_scope]]:
        kind = rules.unit_kinds[org.type_id]
        juris = [r for r in org.jurisdiction.all() if r.id in regions]
        areas = frozenset(d for r in juris if (d := district_of(regions[r.id])) is not None)
        islands = {island_of_region(regions[r.id]) for r in juris} - {None}
        island = islands.pop() if len(islands) == 1 else MAINLAND
        lat, lon = org.lat, org.lon
        if lat is None or lon is None:
            points = [(regions[r.id].lat, regions[r.id].lon) for r in juris if regions[r.id].lat is not None]
            lat, lon = (
                (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))  # type: ignore[misc]
                if points
                else (regency.lat, regency.lon)
            )
        unit_island[org.id] = island or MAINLAND
        unit_point[org.id] = (lat, lon)
        units.append(
            UnitIn(
                org.id,
                org.code,
                org.name,
                kind,
                org.type.sector,
                areas if kind in ("polsek", "koramil") else frozenset(),
                island or MAINLAND,
                lat,
                lon,
            )
        )
    unit_ids = {u.id for u in units}
    people_q = Person.objects.filter(organisation_id__in=unit_ids, active=True).exclude(
        duty_role_id__in=list(rules.exclude_duty_roles)
    )
    people_rows = list(
        people_q.order_by("id").values_list("id", "full_name", "rank", "organisation_id", "home_region_id")
    )
    linmas_q = Person.objects.filter(
        active=True, duty_role_id__in=list(rules.linmas_duty_roles), home_region_id__in=list(regions)
    )
    absences = _absences(Q(person__in=people_q) | Q(person__in=linmas_q), start=duty_start, end=duty_end)
    sector = {u.id: u.sector for u in units}
    people: list[PersonIn] = []
    for pid, name, rank, org_id, home_id in people_rows:
        home = regions.get(home_id) if home_id else None
        if org_id in polda_ids and org_id not in in_scope and home is None:
            continue  # Polda people count only when stationed in this regency (BKO present)
        island = island_of_region(home)
        lat, lon = (
            (home.lat, home.lon)
            if home is not None and home.lat is not None and home.id != regency.id
            else unit_point[org_id]
        )
        people.append(
            PersonIn(
                pid,
                name,
                org_id,
                sector[org_id],
                unit_island[org_id] if island is None else island,
                lat,
                lon,
                absences.get(pid, ()),
                rank,
            )
        )
    for u in units:
        if u.kind in ("polsek", "koramil") and not any(p.unit == u.id for p in people):
            warnings.append(f"{u.name}: tidak ada personel yang dapat ditugaskan di registri")
    linmas_people = _linmas_people(linmas_q, regions=regions, island_of=island_of_region, absences=absences)
    villages_with_tps = len({t.village for t in tps})
    districts_with_tps = len({t.area for t in tps})
    inp = PlanInput(
        tps=tps,
        units=tuple(sorted(units, key=lambda u: u.id)),
        people=tuple(people),
        patterns=patterns,
        duty_start=duty_start,
        duty_end=duty_end,
        offices_ppk=districts_with_tps,
        offices_pps=villages_with_tps,
        linmas_available=len(linmas_people),
        linmas_people=linmas_people,
    )
    return PlanContext(
        input=inp,
        regency=regency,
        tps_codes={t.id: t.code for t in tps},
        district_ids=district_ids,
        unit_codes={u.id: u.code for u in units},
        warnings=tuple(warnings),
    )


def _absences(who: Q, *, start: date, end: date) -> dict[int, tuple[Absence, ...]]:
    """The absences of the people ``who`` selects that overlap the duty days, per person (one query)."""
    out: dict[int, list[Absence]] = defaultdict(list)
    for pid, kind, a_start, a_end in (
        Availability.objects.filter(who, end__gte=start, start__lte=end)
        .order_by("start", "id")
        .values_list("person_id", "kind", "start", "end")
    ):
        out[pid].append(Absence(kind, a_start, a_end))
    return {pid: tuple(items) for pid, items in out.items()}


def _linmas_people(
    linmas_q: QuerySet[Person],
    *,
    regions: dict[int, Region],
    island_of: Callable[[Region | None], str | None],
    absences: dict[int, tuple[Absence, ...]],
) -> tuple[LinmasIn, ...]:
    """The regency's Linmas members (duty role ``linmas``) stationed in one of its villages or districts."""
    out: list[LinmasIn] = []
    for pid, name, org_id, home_id in linmas_q.order_by("id").values_list(
        "id", "full_name", "organisation_id", "home_region_id"
    ):
        home = regions.get(home_id)
        if home is None or home.level not in ("village", "district"):
            continue  # a Linmas member known only at regency level cannot be placed near a TPS
        village = home.code if home.level == "village" else ""  # "" = stationed at the district itself
        area = home.code.rsplit(".", 1)[0] if home.level == "village" else home.code
        out.append(
            LinmasIn(
                pid, name, org_id, village, area, island_of(home) or MAINLAND, home.lat, home.lon, absences.get(pid, ())
            )
        )
    return tuple(out)
