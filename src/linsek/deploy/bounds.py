"""Lower bounds on the police a plan needs, per area and island (pure): no plan can need fewer.

``bound_separate`` is the issue's formula Σ⌈n/T⌉·P (every category in posts of its own). Because a post
may fill its spare places with less vulnerable TPS, that formula is not a bound in general (one rawan
and five kurang rawan TPS fit one 2-6-12 post: 2 police, against 4 by the formula); ``bound_mixed`` is
the valid count-only bound, and ``bound_geometric`` adds what the radius proves. The planner reports
``bound_geometric`` as its lower bound, the other two beside it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence

import numpy as np

from linsek.deploy.patterns import PatternSet
from linsek.deploy.posts import distance_matrix


def bound_separate(counts: Mapping[str, int], patterns: PatternSet) -> int:
    """Σ over categories ⌈n/T⌉·P: the bound when categories never share a post."""
    return sum(-(-n // patterns.pattern(c).tps) * patterns.pattern(c).police for c, n in counts.items() if n)


def bound_mixed(counts: Mapping[str, int], patterns: PatternSet, *, min_posts: Mapping[str, int] | None = None) -> int:
    """The fewest police any plan of one area/island can need.

    A post of category c holds at most T_c TPS, all of category c or (if ``mix_lower``) less vulnerable;
    so the TPS of the k most vulnerable categories need enough capacity in posts of those categories.
    Dynamic programme over the categories from the most vulnerable down, the state being the spare
    places carried to less vulnerable TPS. ``min_posts`` adds what geometry proves (see
    :func:`far_apart_count`): at least that many posts of a category. Without it, never above
    :func:`bound_separate`.
    """
    order = patterns.categories_by_rank()
    remaining_after = {c: sum(counts.get(d, 0) for d in order[i + 1 :]) for i, c in enumerate(order)}
    states: dict[int, int] = {0: 0}
    for c in order:
        n = counts.get(c, 0)
        pattern = patterns.pattern(c)
        floor = (min_posts or {}).get(c, 0)
        nxt: dict[int, int] = {}
        for slack, cost in states.items():
            # k posts of category c; for a given k, c's TPS take as few spare places of more vulnerable
            # posts as they can (own places not used are spare only where the pattern mixes).
            k_low = max(-(-max(0, n - slack) // pattern.tps), floor)
            k_high = -(-n // pattern.tps) + (-(-remaining_after[c] // pattern.tps) if pattern.mix_lower else 0)
            for k in range(k_low, max(k_low, k_high) + 1):
                use = max(0, n - k * pattern.tps)
                carried = slack - use + (k * pattern.tps - (n - use) if pattern.mix_lower else 0)
                carried = min(carried, remaining_after[c])
                total = cost + k * pattern.police
                if nxt.get(carried, math.inf) > total:
                    nxt[carried] = total
        states = nxt
    return min(states.values())


def far_apart_count(lat: Sequence[float], lon: Sequence[float], radius_m: float) -> int:
    """Size of a set of points pairwise farther apart than ``radius_m`` (greedy, fewest neighbours first).

    No two of them can share a post, so a category whose TPS only its own posts may hold needs at least
    this many posts: a valid lower bound that sees geography (the count-only bound does not).
    """
    n = len(lat)
    if n < 2:
        return n
    dist = distance_matrix(np.asarray(lat, dtype=np.float64), np.asarray(lon, dtype=np.float64))
    near = dist <= radius_m
    degree = near.sum(axis=1)
    blocked = np.zeros(n, dtype=bool)
    count = 0
    for i in np.argsort(degree, kind="stable"):
        if not blocked[i]:
            count += 1
            blocked |= near[i]
    return count


def hosts(category: str, patterns: PatternSet) -> list[str]:
    """Categories whose posts may hold a TPS of ``category``: itself and more vulnerable ones that mix."""
    rank = patterns.ranks[category]
    return [
        c for c in patterns.patterns if c == category or (patterns.ranks[c] > rank and patterns.pattern(c).mix_lower)
    ]


def bound_geometric(categories: Sequence[str], lat: Sequence[float], lon: Sequence[float], patterns: PatternSet) -> int:
    """:func:`bound_mixed` with, for each category that only its own posts may hold, the far-apart count."""
    counts: dict[str, int] = defaultdict(int)
    for c in categories:
        counts[c] += 1
    floors: dict[str, int] = {}
    for c in counts:
        if hosts(c, patterns) == [c] and patterns.pattern(c).tps > 1:
            idx = [i for i, x in enumerate(categories) if x == c]
            floors[c] = far_apart_count([lat[i] for i in idx], [lon[i] for i in idx], patterns.pattern(c).radius_m)
    plain = bound_mixed(counts, patterns)
    return max(plain, bound_mixed(counts, patterns, min_posts=floors)) if floors else plain
