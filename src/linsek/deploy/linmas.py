"""Named Linmas on the guard posts: each post's L places (its pattern) filled with people from the registry.

Linmas are villagers: a post takes first the Linmas of the villages its TPS stand in, then — only when
those run out — the nearest other villages of the same district and island (a Linmas member never crosses
to another island or district). Posts are served by priority (sangat rawan and khusus first), each pass in
a fixed order, so the result is deterministic. A re-plan keeps the Linmas of every post that kept its TPS
(when they are still available). What stays empty is the Linmas shortfall, reported apart from the police
(it never turns a post "partial": the police decide that). The PPK/PPS offices' Linmas stay a count.
Pure: no ORM; checked independently by :mod:`linsek.deploy.validate`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from linsek.deploy.planner import LINMAS, Assignment, LinmasIn, PlanInput, PlanOutput, _planar_m

# A pool of Linmas: (district code, village code, island). People stationed at the district itself (no village)
# have village "" and form their district's own pool, so they never serve another district's posts.
PoolKey = tuple[str, str, str]


def _distance_m(a_lat: float | None, a_lon: float | None, b_lat: float, b_lon: float) -> float:
    """The planner's distance; 0 for a Linmas member without a point (then every village is as near)."""
    return 0.0 if a_lat is None or a_lon is None else _planar_m(a_lat, a_lon, b_lat, b_lon)


def linmas_assign(inp: PlanInput, out: PlanOutput, *, previous: PlanOutput | None = None) -> PlanOutput:
    """``out`` with named Linmas on its posts and their assignment lines (the totals follow from the posts)."""
    usable = [p for p in inp.linmas_people if p.available(inp.duty_start, inp.duty_end)]
    by_id = {p.id: p for p in usable}
    tps_village = {t.id: t.village for t in inp.tps}
    taken: set[int] = set()
    chosen: dict[str, list[int]] = {p.key: [] for p in out.posts}
    source: dict[int, str] = {}
    if previous is not None:  # a post that kept its TPS keeps its Linmas
        before = {p.key: p for p in previous.posts}
        for post in out.posts:
            old = before.get(post.key)
            if old is None or old.tps != post.tps:
                continue
            for pid in old.linmas[: post.linmas_needed]:
                if (
                    pid in by_id
                    and pid not in taken
                    and (by_id[pid].area, by_id[pid].island) == (post.area, post.island)
                ):
                    chosen[post.key].append(pid)
                    taken.add(pid)
                    own = by_id[pid].village and by_id[pid].village in {tps_village.get(t) for t in post.tps}
                    source[pid] = "village" if own else "district"
    # Pools: per (district, village, island), and per (district, island) village lists; people in id order
    # within a pool. District-level people (village "") are one more "village" of their own district.
    village_pool: dict[PoolKey, list[LinmasIn]] = defaultdict(list)
    district_villages: dict[tuple[str, str], dict[str, tuple[float | None, float | None]]] = defaultdict(dict)
    for p in sorted(usable, key=lambda p: p.id):
        if p.id in taken:
            continue
        village_pool[(p.area, p.village, p.island)].append(p)
        district_villages[(p.area, p.island)].setdefault(p.village, (p.lat, p.lon))
    cursor: dict[PoolKey, int] = defaultdict(int)

    def take(area: str, village: str, island: str, n: int, into: list[int], how: str) -> int:
        key = (area, village, island)  # a village's Linmas of the post's district, stationed on its island only
        pool = village_pool.get(key, [])
        got = 0
        while got < n and cursor[key] < len(pool):
            person = pool[cursor[key]]
            cursor[key] += 1
            into.append(person.id)
            source[person.id] = how
            got += 1
        return got

    order = sorted(out.posts, key=lambda p: (p.priority, p.key))
    # Pass 1: each post from the villages of its own TPS (the village with most of its TPS first).
    for post in order:
        need = post.linmas_needed - len(chosen[post.key])
        if need <= 0:
            continue
        counts: dict[str, int] = defaultdict(int)
        for t in post.tps:
            counts[tps_village.get(t, "")] += 1
        counts.pop("", None)  # a TPS of unknown village has no own village: served in pass 2
        for village in sorted(counts, key=lambda v: (-counts[v], v)):
            need -= take(post.area, village, post.island, need, chosen[post.key], "village")
            if need <= 0:
                break
    # Pass 2: what is still missing, from the nearest villages of the same district and island.
    for post in order:
        need = post.linmas_needed - len(chosen[post.key])
        if need <= 0:
            continue
        villages = district_villages.get((post.area, post.island), {})
        nearest = sorted(villages, key=lambda v: (_distance_m(*villages[v], post.lat, post.lon), v))
        for village in nearest:
            need -= take(post.area, village, post.island, need, chosen[post.key], "district")
            if need <= 0:
                break
    posts = tuple(replace(p, linmas=tuple(sorted(chosen[p.key]))) for p in out.posts)
    lines = [
        Assignment(
            pid,
            post.key,
            by_id[pid].unit,
            LINMAS,
            source[pid],
            False,
            round(_distance_m(by_id[pid].lat, by_id[pid].lon, post.lat, post.lon), 1),
        )
        for post in posts
        for pid in post.linmas
    ]
    assignments = tuple(sorted([*out.assignments, *lines], key=lambda a: (a.post, a.person)))
    return replace(out, posts=posts, assignments=assignments)
