"""Grouping TPS into guard posts (pure, NumPy): capacity by the most vulnerable TPS, pairwise radius.

One call groups the TPS of one *area and island* (a district's mainland TPS, or the TPS of one island):
posts never cross either. A post's category is its most vulnerable TPS's; it holds at most that
category's T TPS, all pairwise within that category's radius (great-circle metres); a post whose
pattern allows it (``mix_lower``) fills its spare places with less vulnerable TPS nearby.

Heuristic, deterministic (ties broken by TPS code):
1. categories from the most vulnerable down; within one, the seed is the free TPS farthest from the
   centroid of the remaining ones (outliers first, so that the last posts are not scattered leftovers);
   the seed's post takes the nearest free TPS of its own category, then less vulnerable ones, as long
   as every pair stays within the radius;
2. *merge*: two posts whose union is feasible become one;
3. *dissolve*: a post whose every TPS fits into spare places of other posts disappears;
4. *eject*: the same, where a TPS may take a place in a full post whose displaced TPS moves on to a
   third post with a spare place (one ejection per TPS).
The gap to the lower bound is measured in ``bench/plan_jepara.py`` and against CP-SAT in the tests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from linsek.deploy.patterns import PatternSet

EARTH_RADIUS_M = 6_371_008.8
RADIUS_EPS_M = 0.01  # the planner stays this far inside the radius; the validator allows as much outside

FloatArray = npt.NDArray[np.float64]


def distance_matrix(lat: Sequence[float] | FloatArray, lon: Sequence[float] | FloatArray) -> FloatArray:
    """Pairwise great-circle distances in metres (haversine, as ``core.geo.haversine_m``)."""
    p = np.radians(np.asarray(lat, dtype=np.float64))
    g = np.radians(np.asarray(lon, dtype=np.float64))
    dp = p[:, None] - p[None, :]
    dg = g[:, None] - g[None, :]
    a = np.sin(dp / 2) ** 2 + np.cos(p)[:, None] * np.cos(p)[None, :] * np.sin(dg / 2) ** 2
    out: FloatArray = 2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return out


@dataclass(frozen=True, slots=True)
class GroupInput:
    """The TPS of one area and island, in code order."""

    codes: Sequence[str]
    lat: FloatArray
    lon: FloatArray
    categories: Sequence[str]


def _post_category(members: list[int], rank: npt.NDArray[np.int64], by_rank: dict[int, str]) -> str:
    return by_rank[int(rank[members].max())]


def _feasible(
    members: list[int], rank: npt.NDArray[np.int64], dist: FloatArray, patterns: PatternSet, by_rank: dict[int, str]
) -> bool:
    """Whether a set of TPS may form one post (capacity, mixing, radius of its most vulnerable TPS)."""
    category = _post_category(members, rank, by_rank)
    pattern = patterns.pattern(category)
    if len(members) > pattern.tps:
        return False
    if not pattern.mix_lower and int(rank[members].min()) != patterns.ranks[category]:
        return False
    return not (len(members) > 1 and float(dist[np.ix_(members, members)].max()) > pattern.radius_m - RADIUS_EPS_M)


def group_posts(group: GroupInput, patterns: PatternSet, *, dist: FloatArray | None = None) -> list[list[int]]:
    """Posts of one area/island as lists of indices into ``group`` (each index in exactly one post)."""
    n = len(group.codes)
    if n == 0:
        return []
    d = distance_matrix(group.lat, group.lon) if dist is None else dist
    ranks = patterns.ranks
    by_rank = {r: c for c, r in ranks.items()}
    rank = np.array([ranks[c] for c in group.categories], dtype=np.int64)
    # A planar projection is enough to pick seeds (the radius test uses the exact distances).
    y = np.asarray(group.lat) * 110_574.0
    x = np.asarray(group.lon) * 111_320.0 * np.cos(np.radians(float(np.mean(group.lat))))
    free = np.ones(n, dtype=bool)
    posts: list[list[int]] = []
    for category in patterns.categories_by_rank():
        pattern = patterns.pattern(category)
        r = ranks[category]
        limit = pattern.radius_m - RADIUS_EPS_M
        allowed = rank <= r if pattern.mix_lower else rank == r
        while True:
            own = np.flatnonzero(free & (rank == r))
            if own.size == 0:
                break
            cx, cy = x[own].mean(), y[own].mean()
            seed = int(own[np.argmax((x[own] - cx) ** 2 + (y[own] - cy) ** 2)])
            members = [seed]
            free[seed] = False
            if pattern.tps > 1:
                cand = np.flatnonzero(free & allowed & (d[seed] <= limit))
                if cand.size:
                    cand = cand[np.lexsort((d[seed, cand], rank[cand] != r))]
                    reach = d[seed, cand].copy()
                    for pos in range(cand.size):
                        if len(members) >= pattern.tps:
                            break
                        if reach[pos] <= limit:
                            j = int(cand[pos])
                            members.append(j)
                            free[j] = False
                            np.maximum(reach, d[j, cand], out=reach)
            posts.append(members)
    posts = _merge(posts, rank, d, patterns, by_rank, x, y)
    posts = _dissolve(posts, rank, d, patterns, by_rank)
    posts = _eject(posts, rank, d, patterns, by_rank)
    return [sorted(p, key=lambda i: group.codes[i]) for p in posts]


def _merge(
    posts: list[list[int]],
    rank: npt.NDArray[np.int64],
    d: FloatArray,
    patterns: PatternSet,
    by_rank: dict[int, str],
    x: FloatArray,
    y: FloatArray,
) -> list[list[int]]:
    """Join pairs of posts whose union is a feasible post, nearest centroids first, until none is left."""
    changed = True
    while changed and len(posts) > 1:
        changed = False
        cx = np.array([x[p].mean() for p in posts])
        cy = np.array([y[p].mean() for p in posts])
        order = sorted(range(len(posts)), key=lambda i: (len(posts[i]), min(posts[i])))
        for i in order:
            near = np.argsort((cx - cx[i]) ** 2 + (cy - cy[i]) ** 2, kind="stable")
            for j in near[1:6]:
                union = posts[i] + posts[int(j)]
                if _feasible(union, rank, d, patterns, by_rank):
                    keep, drop = (i, int(j)) if i < j else (int(j), i)
                    posts[keep] = union
                    del posts[drop]
                    changed = True
                    break
            if changed:
                break
    return posts


class _Posts:
    """Posts of one group with their category, capacity and radius cached, for the improvement passes."""

    def __init__(
        self,
        posts: list[list[int]],
        rank: npt.NDArray[np.int64],
        d: FloatArray,
        patterns: PatternSet,
        by_rank: dict[int, str],
    ) -> None:
        self.rank = [int(r) for r in rank]
        self.d = d
        self.patterns = patterns
        self.members = {j: list(p) for j, p in enumerate(posts)}
        self.top = {j: max(self.rank[i] for i in p) for j, p in self.members.items()}
        self.pattern = {j: patterns.pattern(by_rank[r]) for j, r in self.top.items()}

    def can_join(self, t: int, j: int, members: list[int] | None = None) -> bool:
        """Whether TPS ``t`` may join post ``j`` without changing its category, capacity or radius."""
        group = self.members[j] if members is None else members
        pattern = self.pattern[j]
        r = self.rank[t]
        if len(group) >= pattern.tps or r > self.top[j] or (r < self.top[j] and not pattern.mix_lower):
            return False
        return not group or float(self.d[t, group].max()) <= pattern.radius_m - RADIUS_EPS_M


def _dissolve(
    posts: list[list[int]], rank: npt.NDArray[np.int64], d: FloatArray, patterns: PatternSet, by_rank: dict[int, str]
) -> list[list[int]]:
    """Remove posts whose TPS all fit into spare places of other posts (smallest posts first)."""
    state = _Posts(posts, rank, d, patterns, by_rank)
    order = sorted(state.members, key=lambda k: (len(state.members[k]), min(state.members[k])))
    for k in order:
        if len(state.members) < 2:
            break
        top = state.top[k]
        spare = sum(
            state.pattern[j].tps - len(m)
            for j, m in state.members.items()
            if j != k and state.top[j] >= top and (state.pattern[j].mix_lower or state.top[j] == top)
        )
        if spare < len(state.members[k]):
            continue  # not enough spare places anywhere: skip the costly search
        added: dict[int, list[int]] = {}
        ok = True
        for t in state.members[k]:
            spot = next(
                (
                    j
                    for j in sorted(state.members, key=lambda j: (float(d[t, state.members[j]].max()), j))
                    if j != k and state.can_join(t, j, state.members[j] + added.get(j, []))
                ),
                None,
            )
            if spot is None:
                ok = False
                break
            added.setdefault(spot, []).append(t)
        if ok:
            for j, extra in added.items():
                state.members[j].extend(extra)
            del state.members[k]
    return [state.members[j] for j in sorted(state.members)]


def _eject(
    posts: list[list[int]], rank: npt.NDArray[np.int64], d: FloatArray, patterns: PatternSet, by_rank: dict[int, str]
) -> list[list[int]]:
    """Empty small posts through one-step ejection chains (t → F, u ∈ F → G); keeps every category."""
    if len(posts) < 3:
        return posts
    state = _Posts(posts, rank, d, patterns, by_rank)
    order = sorted(state.members, key=lambda k: (len(state.members[k]), min(state.members[k])))
    for k in order:
        if k not in state.members or len(state.members[k]) * 2 > state.pattern[k].tps:
            continue  # only small posts are worth emptying
        saved = {j: list(m) for j, m in state.members.items()}
        leaving = state.members.pop(k)
        if all(_place(t, state) for t in leaving):
            continue
        state.members = saved
    return [state.members[j] for j in sorted(state.members)]


def _place(t: int, state: _Posts) -> bool:
    """Put TPS ``t`` into a post directly, or by moving one TPS of a full post on to a third post."""
    d = state.d
    near = sorted(state.members, key=lambda j: (float(d[t, state.members[j]].max()), j))
    for j in near:
        if state.can_join(t, j):
            state.members[j].append(t)
            return True
    for j in near:
        members = state.members[j]
        if float(d[t, members].max()) > 2 * state.pattern[j].radius_m:
            break
        for u in sorted(members, key=lambda m: -float(d[t, m])):
            rest = [m for m in members if m != u]
            if state.rank[u] == state.top[j] and not any(state.rank[m] == state.top[j] for m in rest):
                continue  # u is the post's only most vulnerable TPS: moving it would change the post
            if not state.can_join(t, j, rest):
                continue
            for g in sorted(state.members, key=lambda x: (float(d[u, state.members[x]].max()), x)):
                if g == j:
                    continue
                if float(d[u, state.members[g]].max()) > state.pattern[g].radius_m:
                    break
                if state.can_join(u, g):
                    state.members[j] = [*rest, t]
                    state.members[g].append(u)
                    return True
    return False
