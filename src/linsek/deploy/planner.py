"""The deployment planner: TPS → guard posts → named teams, with the shortfall and the BKO request.

Pure and deterministic (no ORM, no clock; the same input gives the same plan). :func:`plan_make` plans
from scratch; :func:`plan_replan` changes only what a change touches. Every output is meant to pass the
independent checks of :mod:`linsek.deploy.validate`.

Rules (issue 5; shared/DOMAIN.md §2, §5):

* posts are formed per *area* (district) and *island* (``posts.group_posts``); a TPS without
  coordinates cannot be placed in a post and is listed as unplannable with the reason;
* a post is guarded by its category's P police (and TNI if the pattern asks), from the unit whose
  jurisdiction covers the post's district; when that unit is short it borrows from the nearest units
  with spare people, then from the Polres reserve (Polres functions, BKO already present), then — for the
  most urgent posts only — from units whose people are still free but needed for less urgent posts;
  what is still missing becomes a BKO request line;
* an island post is guarded only by people stationed on that island, or by reserve people shipped in
  before the crossing (an explicit crossing line); island people never leave their island;
* when people are short, posts are served by priority (sangat rawan and khusus, then rawan, then kurang
  rawan); the Polres first keeps back its reserve share (taken from Polres function units);
* the lower bound per area and island (no plan can need fewer police) and the gap are reported.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date

import numpy as np

from linsek.deploy.bounds import bound_geometric, bound_mixed, bound_separate
from linsek.deploy.patterns import PatternSet
from linsek.deploy.posts import GroupInput, distance_matrix, group_posts

POLICE, TNI, LINMAS = "polri", "tni", "linmas"
# Unit kinds (from organisation types; see services.pool_build): the covering units, and the reserves.
COVERING_KINDS = frozenset({"polsek", "koramil"})
RESERVE_KINDS = {POLICE: ("polres", "bko"), TNI: ("kodim",)}
MAINLAND = ""


# --------------------------------------------------------------------------------------------- input
@dataclass(frozen=True, slots=True)
class TpsIn:
    id: int
    code: str
    area: str  # district code
    island: str  # "" = mainland
    lat: float | None
    lon: float | None
    category: str
    village: str = ""


@dataclass(frozen=True, slots=True)
class Absence:
    kind: str  # leave | sick | other_duty
    start: date
    end: date  # inclusive


def _free(absences: Iterable[Absence], start: date, end: date) -> bool:
    """No absence overlaps the days ``start``–``end`` (both inclusive)."""
    return not any(a.start <= end and a.end >= start for a in absences)


@dataclass(frozen=True, slots=True)
class PersonIn:
    id: int
    name: str
    unit: int
    sector: str  # polri | tni
    island: str  # where the person is stationed ("" = mainland)
    lat: float | None = None
    lon: float | None = None
    absences: tuple[Absence, ...] = ()
    rank: str = ""

    def available(self, start: date, end: date) -> bool:
        return _free(self.absences, start, end)


@dataclass(frozen=True, slots=True)
class LinmasIn:
    """A Linmas member from the registry: guards the TPS of their own village first, else of their district."""

    id: int
    name: str
    unit: int  # their Satlinmas organisation
    village: str  # home village code
    area: str  # district code of the home village
    island: str
    lat: float | None = None
    lon: float | None = None
    absences: tuple[Absence, ...] = ()

    def available(self, start: date, end: date) -> bool:
        return _free(self.absences, start, end)


@dataclass(frozen=True, slots=True)
class UnitIn:
    id: int
    code: str
    name: str
    kind: str  # polsek | koramil | polres | bko | kodim
    sector: str
    areas: frozenset[str]  # districts covered (covering kinds)
    island: str = MAINLAND
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True, slots=True)
class PlanInput:
    tps: tuple[TpsIn, ...]
    units: tuple[UnitIn, ...]
    people: tuple[PersonIn, ...]
    patterns: PatternSet
    duty_start: date
    duty_end: date
    offices_ppk: int = 0
    offices_pps: int = 0
    linmas_available: int | None = None
    linmas_people: tuple[LinmasIn, ...] = ()  # named Linmas (``linmas.linmas_assign`` puts them on posts)


# -------------------------------------------------------------------------------------------- output
@dataclass(frozen=True, slots=True)
class Post:
    key: str  # the smallest TPS code of the post: stable across re-plans while the post keeps its TPS
    area: str
    island: str
    category: str
    tps: tuple[int, ...]
    lat: float
    lon: float
    diameter_m: float
    police_needed: int
    tni_needed: int
    linmas_needed: int
    priority: int
    unit: int | None  # the covering unit (None: no unit covers the district)
    police: tuple[int, ...] = ()
    tni: tuple[int, ...] = ()
    linmas: tuple[int, ...] = ()  # named Linmas (a shortfall of Linmas does not change the post's status)

    @property
    def linmas_short(self) -> int:
        return max(0, self.linmas_needed - len(self.linmas))

    @property
    def police_short(self) -> int:
        return max(0, self.police_needed - len(self.police))

    @property
    def tni_short(self) -> int:
        return max(0, self.tni_needed - len(self.tni))

    @property
    def status(self) -> str:
        if not self.police_short and not self.tni_short:
            return "covered"
        return "partial" if self.police or self.tni else "uncovered"


@dataclass(frozen=True, slots=True)
class Assignment:
    person: int
    post: str
    unit: int  # the person's own unit
    sector: str
    source: str  # own | neighbour | reserve | urgent | preempted-from
    crossing: bool
    distance_m: float


@dataclass(frozen=True, slots=True)
class Crossing:
    """People shipped to an island before the crossing (an explicit line of the duty order)."""

    island: str
    unit: int
    people: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class BkoLine:
    """A request for reinforcement: people missing for the posts of one area/island and sector."""

    area: str
    island: str
    sector: str
    people: int
    posts: int
    reason: str  # posts | reserve | crossing


@dataclass(frozen=True, slots=True)
class UnitTotal:
    unit: int
    people: int
    unavailable: int
    kept_back: int
    on_own_posts: int
    lent: int
    borrowed: int
    free: int


@dataclass(frozen=True, slots=True)
class GroupBound:
    area: str
    island: str
    counts: Mapping[str, int]
    separate: int  # Σ ⌈n/T⌉·P: each category in its own posts (the formula)
    mixed: int  # counts only, spare places of more vulnerable posts used by less vulnerable TPS
    geometric: int  # ``mixed`` plus what the radius proves (far-apart TPS need posts of their own): the bound
    planned: int  # police needed by the plan's posts here


@dataclass(frozen=True, slots=True)
class Unplannable:
    tps: int
    code: str
    reason: str


@dataclass(frozen=True, slots=True)
class PlanChange:
    dissolved: tuple[str, ...]
    created: tuple[str, ...]
    team_changed: tuple[str, ...]
    kept: int

    @property
    def changed(self) -> tuple[str, ...]:
        return tuple(sorted(set(self.dissolved) | set(self.created) | set(self.team_changed)))


@dataclass(frozen=True, slots=True)
class LinmasNeed:
    at_tps: int
    at_offices: int
    available: int | None

    @property
    def total(self) -> int:
        return self.at_tps + self.at_offices

    @property
    def short(self) -> int | None:
        return None if self.available is None else max(0, self.total - self.available)


@dataclass(frozen=True)
class PlanOutput:
    posts: tuple[Post, ...]
    assignments: tuple[Assignment, ...]
    crossings: tuple[Crossing, ...]
    bko: tuple[BkoLine, ...]
    unit_totals: tuple[UnitTotal, ...]
    bounds: tuple[GroupBound, ...]
    unplannable: tuple[Unplannable, ...]
    reserve: tuple[int, ...]  # police kept back by the Polres
    reserve_target: int
    linmas: LinmasNeed
    tps_categories: Mapping[int, str]  # the category each planned TPS had (re-plans compare against it)
    warnings: tuple[str, ...] = ()
    change: PlanChange | None = None
    stats: Mapping[str, float] = field(default_factory=dict)

    @property
    def police_needed(self) -> int:
        return sum(p.police_needed for p in self.posts)

    @property
    def police_assigned(self) -> int:
        return sum(len(p.police) for p in self.posts)

    @property
    def linmas_named(self) -> int:
        """Named Linmas on the posts."""
        return sum(len(p.linmas) for p in self.posts)

    @property
    def linmas_short_at_posts(self) -> int:
        """Linmas places at posts left without a name (reported apart from the police)."""
        return sum(p.linmas_short for p in self.posts)

    @property
    def lower_bound(self) -> int:
        """No plan of these TPS under these patterns can need fewer police (per area and island, summed)."""
        return sum(b.geometric for b in self.bounds)

    @property
    def lower_bound_counts(self) -> int:
        return sum(b.mixed for b in self.bounds)

    @property
    def lower_bound_separate(self) -> int:
        return sum(b.separate for b in self.bounds)

    @property
    def gap(self) -> float:
        """(police needed by the posts − lower bound) / lower bound."""
        bound = self.lower_bound
        return (self.police_needed - bound) / bound if bound else 0.0

    def uncovered_tps(self) -> list[int]:
        return [t for p in self.posts if p.status == "uncovered" for t in p.tps]

    def partial_tps(self) -> list[int]:
        return [t for p in self.posts if p.status == "partial" for t in p.tps]

    def post(self, key: str) -> Post:
        return next(p for p in self.posts if p.key == key)


class PlanningError(ValueError):
    """The input cannot be planned at all (e.g. a TPS category without a pattern)."""


# ------------------------------------------------------------------------------------------- helpers
def _planar_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Equirectangular distance in metres: enough to rank nearness (people, units)."""
    x = (lon2 - lon1) * 111_320.0 * math.cos(math.radians((lat1 + lat2) / 2))
    y = (lat2 - lat1) * 110_574.0
    return math.hypot(x, y)


def _groups(tps: Sequence[TpsIn]) -> dict[tuple[str, str], list[TpsIn]]:
    out: dict[tuple[str, str], list[TpsIn]] = defaultdict(list)
    for t in tps:
        out[(t.area, t.island)].append(t)
    for items in out.values():
        items.sort(key=lambda t: t.code)
    return dict(sorted(out.items()))


def _make_posts(group: list[TpsIn], patterns: PatternSet, units_by_area: Mapping[str, int]) -> list[Post]:
    lat = np.array([t.lat for t in group], dtype=np.float64)
    lon = np.array([t.lon for t in group], dtype=np.float64)
    dist = distance_matrix(lat, lon)
    members_list = group_posts(
        GroupInput([t.code for t in group], lat, lon, [t.category for t in group]), patterns, dist=dist
    )
    posts = []
    for members in members_list:
        category = max((group[i].category for i in members), key=lambda c: patterns.ranks[c])
        pattern = patterns.pattern(category)
        first = group[members[0]]
        posts.append(
            Post(
                key=first.code,
                area=first.area,
                island=first.island,
                category=category,
                tps=tuple(group[i].id for i in members),
                lat=float(lat[members].mean()),
                lon=float(lon[members].mean()),
                diameter_m=round(float(dist[np.ix_(members, members)].max()), 1),
                police_needed=pattern.police,
                tni_needed=pattern.tni,
                linmas_needed=pattern.linmas_for(len(members)),
                priority=pattern.priority,
                unit=units_by_area.get(first.area),
            )
        )
    return posts


def _check_input(inp: PlanInput) -> tuple[list[TpsIn], list[Unplannable]]:
    plannable: list[TpsIn] = []
    unplannable: list[Unplannable] = []
    seen: set[int] = set()
    for t in sorted(inp.tps, key=lambda t: t.code):
        if t.id in seen:
            raise PlanningError(f"TPS {t.code} muncul dua kali dalam masukan")
        seen.add(t.id)
        if t.category not in inp.patterns.patterns:
            raise PlanningError(f"TPS {t.code}: kategori '{t.category}' tidak memiliki pola pengamanan")
        if t.lat is None or t.lon is None:
            unplannable.append(Unplannable(t.id, t.code, "TPS belum memiliki koordinat (lintang/bujur)"))
        elif not (-90 <= t.lat <= 90 and -180 <= t.lon <= 180) or (t.lat == 0 and t.lon == 0):
            unplannable.append(Unplannable(t.id, t.code, f"koordinat tidak sah ({t.lat}, {t.lon})"))
        else:
            plannable.append(t)
    return plannable, unplannable


# ----------------------------------------------------------------------------------- team assignment
class _Teams:
    """Mutable state of one assignment run: who is free, who went where."""

    def __init__(
        self,
        inp: PlanInput,
        posts: list[Post],
        *,
        keep_reserve: Sequence[int] | None = None,
        busy: Mapping[int, Assignment] | None = None,
    ) -> None:
        self.inp = inp
        self.units = {u.id: u for u in inp.units}
        self.people = {p.id: p for p in inp.people}
        self.posts: dict[str, Post] = {p.key: p for p in posts}
        self.assignment: dict[int, Assignment] = {}
        self.unavailable: dict[int, int] = defaultdict(int)
        self.free: dict[int, list[int]] = defaultdict(list)  # unit → free person ids (sorted)
        self.warnings: list[str] = []
        self._covering_cache: dict[tuple[str, str], int | None] = {}
        busy = busy or {}
        self.available_police = 0
        for person in sorted(inp.people, key=lambda p: p.id):
            if person.unit not in self.units:
                raise PlanningError(f"personel {person.name} (#{person.id}) tercatat pada satuan yang tidak dikenal")
            if not person.available(inp.duty_start, inp.duty_end):
                self.unavailable[person.unit] += 1
                continue
            if person.sector == POLICE:
                self.available_police += 1
            if person.id in busy:  # a re-plan: already on a post that keeps its team
                self.assignment[person.id] = busy[person.id]
            else:
                self.free[person.unit].append(person.id)
        self.reserve, self.reserve_target = self._keep_reserve(keep_reserve)

    def _keep_reserve(self, keep: Sequence[int] | None) -> tuple[list[int], int]:
        """Hold back ``reserve_share`` of the available police, from Polres function units (by id)."""
        target = round(self.inp.patterns.reserve_share * self.available_police)
        candidates = [
            pid
            for uid in sorted(self.free)
            if self.units[uid].kind == "polres" and self.units[uid].island == MAINLAND
            for pid in self.free[uid]
        ]
        if keep is not None:  # a re-plan keeps the previous reserve as far as it is still available
            pool = set(candidates)
            kept_before = [pid for pid in keep if pid in pool]
            before = set(kept_before)
            candidates = kept_before + [pid for pid in candidates if pid not in before]
        chosen = candidates[:target]
        for pid in chosen:
            self.free[self.people[pid].unit].remove(pid)
        if len(chosen) < target:
            self.warnings.append(
                f"cadangan Polres kurang {target - len(chosen)} orang dari target {target} "
                f"({self.inp.patterns.reserve_share:.0%}): satuan fungsi Polres tidak cukup"
            )
        return chosen, target

    # -- people of a unit eligible for a post
    def _eligible(self, person: PersonIn, post: Post, unit: UnitIn) -> tuple[bool, bool]:
        """(eligible, needs a crossing): same island, or a mainland reserve person shipped to an island."""
        if person.island == post.island:
            return True, False
        if post.island and person.island == MAINLAND and unit.kind in RESERVE_KINDS[unit.sector]:
            return True, True
        return False, False

    def _person_point(self, person: PersonIn, unit: UnitIn, post: Post) -> float:
        lat = person.lat if person.lat is not None else unit.lat
        lon = person.lon if person.lon is not None else unit.lon
        return 0.0 if lat is None or lon is None else _planar_m(lat, lon, post.lat, post.lon)

    def _take(self, post: Post, unit_id: int, sector: str, count: int, source: str) -> list[int]:
        unit = self.units[unit_id]
        if unit.sector != sector or count <= 0:
            return []
        options = []
        for pid in self.free[unit_id]:
            person = self.people[pid]
            ok, crossing = self._eligible(person, post, unit)
            if ok:
                options.append((round(self._person_point(person, unit, post), 1), pid, crossing))
        options.sort()
        taken = []
        for dist, pid, crossing in options[:count]:
            self.free[unit_id].remove(pid)
            self.assignment[pid] = Assignment(pid, post.key, unit_id, sector, source, crossing, dist)
            taken.append(pid)
        return taken

    def _unit_distance(self, unit: UnitIn, post: Post) -> float:
        if unit.lat is None or unit.lon is None:
            return math.inf
        return _planar_m(unit.lat, unit.lon, post.lat, post.lon)

    def _fill(self, post: Post, sector: str, needed: int, pending_demand: Mapping[int, int]) -> Post:
        have = list(post.police if sector == POLICE else post.tni)
        short = needed - len(have)

        def add(ids: list[int]) -> None:
            nonlocal short
            have.extend(ids)
            short -= len(ids)

        own = post.unit if sector == POLICE else self._covering(post.area, TNI)
        if own is not None and short > 0:
            add(self._take(post, own, sector, short, "own"))
        if short > 0:
            others = sorted(
                (u for u in self.units.values() if u.sector == sector and u.id != own and u.kind in COVERING_KINDS),
                key=lambda u: (self._unit_distance(u, post), u.id),
            )
            for unit in others:  # neighbours with spare people: free beyond their own pending posts
                spare = len(self.free[unit.id]) - pending_demand.get(unit.id, 0)
                if spare > 0 and short > 0:
                    add(self._take(post, unit.id, sector, min(short, spare), "neighbour"))
            for kind in RESERVE_KINDS[sector]:  # the Polres reserve, then BKO already present
                for unit in sorted(
                    (u for u in self.units.values() if u.kind == kind and u.sector == sector),
                    key=lambda u: (self._unit_distance(u, post), u.id),
                ):
                    if short > 0:
                        add(self._take(post, unit.id, sector, short, "reserve"))
            # Priority: people still free, though their unit meant them for its own less urgent posts.
            for unit in others:
                if short > 0:
                    add(self._take(post, unit.id, sector, short, "urgent"))
        return replace(post, police=tuple(have)) if sector == POLICE else replace(post, tni=tuple(have))

    def _covering(self, area: str, sector: str) -> int | None:
        key = (area, sector)
        if key not in self._covering_cache:
            self._covering_cache[key] = next(
                (
                    u.id
                    for u in sorted(self.units.values(), key=lambda u: u.id)
                    if u.sector == sector and u.kind in COVERING_KINDS and area in u.areas
                ),
                None,
            )
        return self._covering_cache[key]

    def run(self, keys: Iterable[str]) -> None:
        """Fill the posts named (by priority, then key); every other post keeps its team."""
        todo = sorted(keys, key=lambda k: (self.posts[k].priority, k))
        levels = sorted({self.posts[k].priority for k in todo})
        for sector in (POLICE, TNI):
            pending: dict[int, int] = defaultdict(int)
            for k in todo:
                post = self.posts[k]
                need = post.police_short if sector == POLICE else post.tni_short
                unit = post.unit if sector == POLICE else self._covering(post.area, TNI)
                if unit is not None:
                    pending[unit] += need
            for level in levels:
                batch = [k for k in todo if self.posts[k].priority == level]
                # First every post of this level from its own unit, so that no unit lends people it needs
                # for its own posts of the same urgency; then borrowing for what is still missing.
                for k in batch:
                    post = self.posts[k]
                    unit = post.unit if sector == POLICE else self._covering(post.area, TNI)
                    needed = post.police_needed if sector == POLICE else post.tni_needed
                    before = post.police_short if sector == POLICE else post.tni_short
                    if unit is not None and before:
                        have = list(post.police if sector == POLICE else post.tni)
                        have.extend(self._take(post, unit, sector, needed - len(have), "own"))
                        post = replace(post, police=tuple(have)) if sector == POLICE else replace(post, tni=tuple(have))
                        self.posts[k] = post
                        after = post.police_short if sector == POLICE else post.tni_short
                        pending[unit] -= before - after
                for k in batch:
                    post = self.posts[k]
                    before = post.police_short if sector == POLICE else post.tni_short
                    if before:
                        unit = post.unit if sector == POLICE else self._covering(post.area, TNI)
                        if unit is not None:
                            pending[unit] -= before  # this post is served now, whatever it finds
                        needed = post.police_needed if sector == POLICE else post.tni_needed
                        self.posts[k] = self._fill(post, sector, needed, pending)
                self._preempt(batch, sector)

    def _preempt(self, batch: list[str], sector: str) -> None:
        """A re-plan's urgent post still short takes people from the least urgent posts (nearest first)."""
        for k in batch:
            post = self.posts[k]
            short = post.police_short if sector == POLICE else post.tni_short
            if not short:
                continue
            donors = sorted(
                (
                    p
                    for p in self.posts.values()
                    if p.priority > post.priority and (p.police if sector == POLICE else p.tni)
                ),
                key=lambda p: (-p.priority, _planar_m(p.lat, p.lon, post.lat, post.lon), p.key),
            )
            for donor in donors:
                if short <= 0:
                    break
                team = list(donor.police if sector == POLICE else donor.tni)
                movable = []
                for pid in team:
                    person = self.people[pid]
                    ok, crossing = self._eligible(person, post, self.units[person.unit])
                    if ok:
                        movable.append((pid, crossing))
                for pid, crossing in movable[:short]:
                    team.remove(pid)
                    person = self.people[pid]
                    dist = round(self._person_point(person, self.units[person.unit], post), 1)
                    self.assignment[pid] = Assignment(pid, post.key, person.unit, sector, "urgent", crossing, dist)
                    short -= 1
                    post = (
                        replace(post, police=(*post.police, pid))
                        if sector == POLICE
                        else replace(post, tni=(*post.tni, pid))
                    )
                self.posts[donor.key] = (
                    replace(donor, police=tuple(team)) if sector == POLICE else replace(donor, tni=tuple(team))
                )
            self.posts[k] = post


# ----------------------------------------------------------------------------------------- assembling
def _finish(
    inp: PlanInput, teams: _Teams, unplannable: list[Unplannable], plannable: list[TpsIn], change: PlanChange | None
) -> PlanOutput:
    posts = sorted(teams.posts.values(), key=lambda p: p.key)
    valid = {p.key for p in posts}
    assignments = sorted((a for a in teams.assignment.values() if a.post in valid), key=lambda a: (a.post, a.person))
    on_post = {pid for p in posts for pid in (*p.police, *p.tni)}
    assignments = [a for a in assignments if a.person in on_post]
    by_post = {p.key: p for p in posts}
    crossings: dict[tuple[str, int], list[int]] = defaultdict(list)
    for a in assignments:
        if a.crossing:
            crossings[(by_post[a.post].island, a.unit)].append(a.person)
    bko_acc: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    for p in posts:
        for sector, short in ((POLICE, p.police_short), (TNI, p.tni_short)):
            if short:
                acc = bko_acc[(p.area, p.island, sector)]
                acc[0] += short
                acc[1] += 1
    bko = [
        BkoLine(area, island, sector, people, count, "crossing" if island else "posts")
        for (area, island, sector), (people, count) in sorted(bko_acc.items())
    ]
    if len(teams.reserve) < teams.reserve_target:
        bko.append(BkoLine("", MAINLAND, POLICE, teams.reserve_target - len(teams.reserve), 0, "reserve"))
    # Per-unit totals.
    own_count: dict[int, int] = defaultdict(int)
    lent: dict[int, int] = defaultdict(int)
    borrowed: dict[int, int] = defaultdict(int)
    for a in assignments:
        post = by_post[a.post]
        covering = post.unit if a.sector == POLICE else teams._covering(post.area, TNI)
        if a.unit == covering:
            own_count[a.unit] += 1
        else:
            lent[a.unit] += 1
            if covering is not None:
                borrowed[covering] += 1
    kept: dict[int, int] = defaultdict(int)
    for pid in teams.reserve:
        kept[teams.people[pid].unit] += 1
    members: dict[int, int] = defaultdict(int)
    for person in inp.people:
        members[person.unit] += 1
    unit_totals = [
        UnitTotal(
            unit=u.id,
            people=members[u.id],
            unavailable=teams.unavailable[u.id],
            kept_back=kept[u.id],
            on_own_posts=own_count[u.id],
            lent=lent[u.id],
            borrowed=borrowed[u.id],
            free=len(teams.free[u.id]),
        )
        for u in sorted(inp.units, key=lambda u: u.code)
    ]
    for u in unit_totals:
        if u.people == 0 and teams.units[u.unit].kind in COVERING_KINDS:
            teams.warnings.append(f"satuan {teams.units[u.unit].name} tidak memiliki personel di registri")
    # Lower bounds per area and island.
    planned: dict[tuple[str, str], int] = defaultdict(int)
    for p in posts:
        planned[(p.area, p.island)] += p.police_needed
    bounds = []
    for (area, island), group in _groups(plannable).items():
        counts: dict[str, int] = defaultdict(int)
        for t in group:
            counts[t.category] += 1
        bounds.append(
            GroupBound(
                area,
                island,
                dict(counts),
                bound_separate(counts, inp.patterns),
                bound_mixed(counts, inp.patterns),
                bound_geometric(
                    [t.category for t in group],
                    [t.lat or 0.0 for t in group],
                    [t.lon or 0.0 for t in group],
                    inp.patterns,
                ),
                planned[(area, island)],
            )
        )
    linmas = LinmasNeed(
        at_tps=sum(p.linmas_needed for p in posts),
        at_offices=inp.patterns.linmas_per_ppk * inp.offices_ppk + inp.patterns.linmas_per_pps * inp.offices_pps,
        available=inp.linmas_available,
    )
    return PlanOutput(
        posts=tuple(posts),
        assignments=tuple(assignments),
        crossings=tuple(
            Crossing(island, unit, tuple(sorted(ids))) for (island, unit), ids in sorted(crossings.items())
        ),
        bko=tuple(bko),
        unit_totals=tuple(unit_totals),
        bounds=tuple(bounds),
        unplannable=tuple(unplannable),
        reserve=tuple(sorted(teams.reserve)),
        reserve_target=teams.reserve_target,
        linmas=linmas,
        tps_categories={t.id: t.category for t in plannable},
        warnings=tuple(dict.fromkeys(teams.warnings)),
        change=change,
    )


def _units_by_area(inp: PlanInput) -> dict[str, int]:
    out: dict[str, int] = {}
    for unit in sorted(inp.units, key=lambda u: u.id):
        if unit.sector == POLICE and unit.kind in COVERING_KINDS:
            for area in sorted(unit.areas):
                out.setdefault(area, unit.id)
    return out


def plan_make(inp: PlanInput) -> PlanOutput:
    """Plan from scratch: posts for every plannable TPS, then teams by priority."""
    plannable, unplannable = _check_input(inp)
    by_area = _units_by_area(inp)
    posts: list[Post] = []
    for group in _groups(plannable).values():
        posts.extend(_make_posts(group, inp.patterns, by_area))
    teams = _Teams(inp, posts)
    for area in sorted({t.area for t in plannable} - set(by_area)):
        teams.warnings.append(
            f"tidak ada Polsek yang wilayahnya mencakup kecamatan {area}: pos dijaga dari satuan lain"
        )
    teams.run([p.key for p in posts])
    from linsek.deploy.linmas import linmas_assign

    return linmas_assign(inp, _finish(inp, teams, unplannable, plannable, None))


def plan_diff(old: PlanOutput, new: PlanOutput) -> PlanChange:
    """Which posts differ between two plans: dissolved, created (by TPS set), or with another team."""
    old_posts = {p.key: p for p in old.posts}
    new_posts = {p.key: p for p in new.posts}
    dissolved = sorted(k for k, p in old_posts.items() if k not in new_posts or new_posts[k].tps != p.tps)
    created = sorted(k for k, p in new_posts.items() if k not in old_posts or old_posts[k].tps != p.tps)
    team = sorted(
        k
        for k, p in new_posts.items()
        if k in old_posts and old_posts[k].tps == p.tps and (old_posts[k].police, old_posts[k].tni) != (p.police, p.tni)
    )
    kept = sum(1 for k, p in new_posts.items() if k in old_posts and old_posts[k] == p)
    return PlanChange(tuple(dissolved), tuple(created), tuple(team), kept)


def plan_replan(previous: PlanOutput, inp: PlanInput) -> PlanOutput:
    """Re-plan after a change (a TPS's category, coordinates, a person's availability) touching only
    the posts it touches: every other post keeps its TPS and its team. Says which posts changed."""
    plannable, unplannable = _check_input(inp)
    by_area = _units_by_area(inp)
    current = {t.id: t for t in plannable}
    people = {p.id: p for p in inp.people}
    usable = {p.id for p in inp.people if p.available(inp.duty_start, inp.duty_end)}
    kept: list[Post] = []
    loose: list[TpsIn] = []
    placed: set[int] = set()
    for post in previous.posts:
        tps_now = [current.get(t) for t in post.tps]
        unchanged = all(
            t is not None
            and previous.tps_categories.get(t.id) == t.category
            and (t.area, t.island) == (post.area, post.island)
            for t in tps_now
        )
        if not unchanged:
            loose.extend(t for t in tps_now if t is not None)
            continue
        team_ok = [pid for pid in post.police if pid in usable and people[pid].sector == POLICE]
        tni_ok = [pid for pid in post.tni if pid in usable and people[pid].sector == TNI]
        kept.append(replace(post, police=tuple(team_ok), tni=tuple(tni_ok), unit=by_area.get(post.area)))
        placed.update(post.tps)
    loose_ids = {t.id for t in loose}
    loose.extend(t for t in plannable if t.id not in placed and t.id not in loose_ids)
    fresh: list[Post] = []
    for group in _groups(list({t.id: t for t in loose}.values())).values():
        fresh.extend(_make_posts(group, inp.patterns, by_area))
    # People already on kept posts stay there; the rest of the pool is free for the new and short posts.
    previous_assignment = {a.person: a for a in previous.assignments}
    busy = {
        pid: previous_assignment.get(pid)
        or Assignment(pid, post.key, people[pid].unit, people[pid].sector, "own", False, 0.0)
        for post in kept
        for pid in (*post.police, *post.tni)
    }
    teams = _Teams(inp, [*kept, *fresh], keep_reserve=previous.reserve, busy=busy)
    todo = [p.key for p in fresh] + [p.key for p in kept if p.police_short or p.tni_short]
    teams.run(todo)
    from linsek.deploy.linmas import linmas_assign

    output = linmas_assign(inp, _finish(inp, teams, unplannable, plannable, None), previous=previous)
    return replace(output, change=plan_diff(previous, output))
