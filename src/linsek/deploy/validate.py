"""An independent check of a plan against the rules, written apart from the planner.

It re-derives everything from the plan's input with plain Python (scalar haversine from ``core.geo``,
no NumPy, nothing imported from the planner but the data types) so that a planner bug is not repeated
here. :func:`plan_violations` returns every broken rule; an empty list means the plan holds:

1. every TPS with coordinates is in exactly one post; a TPS without them is in none and listed as
   unplannable; nothing else is in a post;
2. a post's category is its most vulnerable TPS's; it holds at most T TPS; a post that may not mix
   holds one category only; every pair of its TPS lies within the category's radius;
3. a post lies in one area (district) and one island;
4. a post needs its category's P police and TNI, and holds no more;
5. every named person exists, serves in the right sector, is used once, is not kept back in the
   reserve, and is available (no leave, sickness or other duty overlapping the duty days);
6. island rule: a person on an island post is stationed on that island or is on a crossing line to it;
   no island person serves elsewhere;
7. priority: a post short of people has no eligible person left free, and no less urgent post holds a
   person eligible for it;
8. the BKO request adds up to the missing people; the planned police never beat the lower bound;
9. named Linmas: each is a Linmas member of the input, used once (and not also as police or TNI), available
   on the duty days, from the post's own district and island; a post holds at most its L; a post short of
   Linmas has no eligible Linmas member left free.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from linsek.core.geo import haversine_m
from linsek.deploy.planner import POLICE, TNI, PersonIn, PlanInput, PlanOutput, Post, UnitIn

RESERVE_UNIT_KINDS = {POLICE: {"polres", "bko"}, TNI: {"kodim"}}
TOLERANCE_M = 0.5


@dataclass(frozen=True, slots=True)
class Violation:
    rule: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.detail}"


def _may_serve(person: PersonIn, unit: UnitIn, post: Post, crossing_people: set[int]) -> bool:
    if person.island == post.island:
        return True
    return (
        bool(post.island)
        and person.island == ""
        and (person.id in crossing_people or unit.kind in RESERVE_UNIT_KINDS.get(unit.sector, set()))
    )


def plan_violations(inp: PlanInput, out: PlanOutput) -> list[Violation]:
    v: list[Violation] = []
    tps = {t.id: t for t in inp.tps}
    people = {p.id: p for p in inp.people}
    units = {u.id: u for u in inp.units}
    patterns = inp.patterns
    rank = patterns.ranks

    # 1. coverage
    seen: Counter[int] = Counter(t for post in out.posts for t in post.tps)
    unplannable = {u.tps for u in out.unplannable}
    for tid, t in tps.items():
        has_point = t.lat is not None and t.lon is not None
        if has_point and tid not in unplannable and seen[tid] != 1:
            v.append(Violation("coverage", f"TPS {t.code} is in {seen[tid]} posts (expected exactly 1)"))
        if not has_point and tid not in unplannable:
            v.append(Violation("coverage", f"TPS {t.code} has no coordinates but is not listed as unplannable"))
        if tid in unplannable and seen[tid]:
            v.append(Violation("coverage", f"TPS {t.code} is listed as unplannable yet placed in a post"))
    for tid in seen:
        if tid not in tps:
            v.append(Violation("coverage", f"a post holds TPS #{tid}, which is not in the input"))
    keys = Counter(p.key for p in out.posts)
    for key, n in keys.items():
        if n > 1:
            v.append(Violation("coverage", f"post key {key} is used {n} times"))

    # 2–4. each post
    for post in out.posts:
        members = [tps[t] for t in post.tps if t in tps]
        if not members:
            v.append(Violation("post", f"post {post.key} holds no TPS"))
            continue
        top = max(members, key=lambda t: rank[t.category]).category
        if post.category != top:
            v.append(
                Violation("category", f"post {post.key} is '{post.category}' but its most vulnerable TPS is '{top}'")
            )
        pattern = patterns.pattern(top)
        if len(members) > pattern.tps:
            v.append(Violation("capacity", f"post {post.key} holds {len(members)} TPS; '{top}' allows {pattern.tps}"))
        if not pattern.mix_lower and {t.category for t in members} != {top}:
            v.append(Violation("capacity", f"post {post.key} mixes categories but '{top}' posts may not"))
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                d = haversine_m(a.lat or 0.0, a.lon or 0.0, b.lat or 0.0, b.lon or 0.0)
                if d > pattern.radius_m + TOLERANCE_M:
                    v.append(
                        Violation(
                            "radius",
                            f"post {post.key}: {a.code}–{b.code} are {d:.0f} m apart (> {pattern.radius_m:g} m)",
                        )
                    )
        if {(t.area, t.island) for t in members} != {(post.area, post.island)}:
            v.append(
                Violation(
                    "area", f"post {post.key} spans areas/islands {sorted({(t.area, t.island) for t in members})}"
                )
            )
        if post.police_needed != pattern.police or post.tni_needed != pattern.tni:
            v.append(
                Violation(
                    "pattern",
                    f"post {post.key} needs {post.police_needed}/{post.tni_needed}, "
                    f"pattern says {pattern.police}/{pattern.tni}",
                )
            )
        if len(post.police) > post.police_needed or len(post.tni) > post.tni_needed:
            v.append(Violation("pattern", f"post {post.key} holds more people than it needs"))

    # 5–6. people
    crossing_people = {pid for c in out.crossings for pid in c.people}
    crossing_island = {pid: c.island for c in out.crossings for pid in c.people}
    used: Counter[int] = Counter()
    reserve = set(out.reserve)
    for post in out.posts:
        for sector, team in ((POLICE, post.police), (TNI, post.tni)):
            for pid in team:
                used[pid] += 1
                person = people.get(pid)
                if person is None:
                    v.append(Violation("people", f"post {post.key} names person #{pid}, who is not in the pool"))
                    continue
                if person.sector != sector:
                    v.append(
                        Violation("people", f"{person.name} ({person.sector}) fills a {sector} place at {post.key}")
                    )
                if pid in reserve:
                    v.append(Violation("people", f"{person.name} is kept in the reserve and on post {post.key}"))
                if not person.available(inp.duty_start, inp.duty_end):
                    v.append(
                        Violation("availability", f"{person.name} is absent on the duty days but on post {post.key}")
                    )
                unit = units.get(person.unit)
                if unit is None:
                    v.append(Violation("people", f"{person.name} belongs to an unknown unit"))
                    continue
                if person.island != post.island:
                    ok = bool(post.island) and person.island == "" and crossing_island.get(pid) == post.island
                    if not ok:
                        v.append(
                            Violation(
                                "island",
                                f"{person.name} (stationed on '{person.island or 'daratan'}') guards post {post.key} "
                                f"on '{post.island or 'daratan'}' without a crossing line",
                            )
                        )
    for pid, n in used.items():
        if n > 1:
            v.append(Violation("people", f"person #{pid} is used {n} times"))
    for pid in reserve:
        if pid not in people or people[pid].sector != POLICE:
            v.append(Violation("people", f"reserve holds #{pid}, who is not a police officer of the pool"))

    # 7. priority when short
    free = [
        p for p in inp.people if p.id not in used and p.id not in reserve and p.available(inp.duty_start, inp.duty_end)
    ]
    for post in out.posts:
        for sector, short, _team in ((POLICE, post.police_short, post.police), (TNI, post.tni_short, post.tni)):
            if not short:
                continue
            idle = [
                p
                for p in free
                if p.sector == sector and p.unit in units and _may_serve(p, units[p.unit], post, crossing_people)
            ]
            if idle:
                v.append(
                    Violation(
                        "priority",
                        f"post {post.key} is short of {short} {sector} while {len(idle)} eligible people are free",
                    )
                )
            for other in out.posts:
                if other.priority <= post.priority:
                    continue
                team = other.police if sector == POLICE else other.tni
                movable = [
                    pid
                    for pid in team
                    if pid in people
                    and people[pid].unit in units
                    and _may_serve(people[pid], units[people[pid].unit], post, crossing_people)
                ]
                if movable:
                    v.append(
                        Violation(
                            "priority",
                            f"post {post.key} ({post.category}) is short while the less urgent post {other.key} "
                            f"({other.category}) holds {len(movable)} people who could serve it",
                        )
                    )
                    break

    # 8. totals
    short_total: dict[str, int] = defaultdict(int)
    for post in out.posts:
        short_total[POLICE] += post.police_short
        short_total[TNI] += post.tni_short
    bko_total: dict[str, int] = defaultdict(int)
    for line in out.bko:
        if line.reason != "reserve":
            bko_total[line.sector] += line.people
    for sector in (POLICE, TNI):
        if bko_total[sector] != short_total[sector]:
            v.append(
                Violation("bko", f"BKO request for {sector} is {bko_total[sector]}, posts miss {short_total[sector]}")
            )
    v.extend(_linmas_violations(inp, out, used))
    if out.police_needed < out.lower_bound:
        v.append(
            Violation("bound", f"the plan needs {out.police_needed} police, below the lower bound {out.lower_bound}")
        )
    return v


def _linmas_violations(inp: PlanInput, out: PlanOutput, police_used: Counter[int]) -> list[Violation]:
    v: list[Violation] = []
    linmas = {p.id: p for p in inp.linmas_people}
    used: Counter[int] = Counter()
    for post in out.posts:
        if len(post.linmas) > post.linmas_needed:
            v.append(
                Violation("linmas", f"post {post.key} names {len(post.linmas)} Linmas; it needs {post.linmas_needed}")
            )
        for pid in post.linmas:
            used[pid] += 1
            person = linmas.get(pid)
            if person is None:
                v.append(Violation("linmas", f"post {post.key} names Linmas #{pid}, who is not a Linmas member"))
                continue
            if pid in police_used:
                v.append(Violation("linmas", f"{person.name} is on a post both as Linmas and as police/TNI"))
            if not person.available(inp.duty_start, inp.duty_end):
                v.append(
                    Violation("availability", f"Linmas {person.name} is absent on the duty days but on post {post.key}")
                )
            if (person.area, person.island) != (post.area, post.island):
                v.append(
                    Violation(
                        "linmas",
                        f"Linmas {person.name} of {person.area}/{person.island or 'daratan'} guards post {post.key} "
                        f"in {post.area}/{post.island or 'daratan'}",
                    )
                )
    for pid, n in used.items():
        if n > 1:
            v.append(Violation("linmas", f"Linmas #{pid} is used {n} times"))
    free: Counter[tuple[str, str]] = Counter(
        (p.area, p.island) for p in inp.linmas_people if p.id not in used and p.available(inp.duty_start, inp.duty_end)
    )
    for post in out.posts:
        short = post.linmas_short
        if short and free[(post.area, post.island)]:
            v.append(
                Violation(
                    "linmas",
                    f"post {post.key} is short of {short} Linmas while {free[(post.area, post.island)]} "
                    "of its district and island are free",
                )
            )
    return v
