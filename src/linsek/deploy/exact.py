"""The exact optimum of post forming on small instances, with OR-Tools CP-SAT, to measure the planner.

Same rules as :mod:`linsek.deploy.posts` (per area and island; a post's category is its most vulnerable
TPS's; capacity T; pairwise radius; mixing only where the pattern allows), minimising the police the
posts need (Σ P). Variables: x[i, h] — TPS i sits in the post *headed* by TPS h (the head is one of the
post's most vulnerable TPS, the one with the smallest index among them, which removes symmetric copies).
Meant for ~40 TPS per call (tests, ``bench/plan_small.py``); OR-Tools is imported only here.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from linsek.deploy.planner import PlanInput, TpsIn
from linsek.deploy.posts import RADIUS_EPS_M, distance_matrix


@dataclass(frozen=True, slots=True)
class ExactResult:
    police: int  # Σ P of the optimal posts
    posts: tuple[tuple[int, ...], ...]  # TPS ids per post
    optimal: bool  # proven optimal (else the best found within the time limit)
    bound: float  # CP-SAT's best lower bound
    seconds: float


def posts_exact(inp: PlanInput, *, time_limit_s: float = 30.0, workers: int = 2) -> ExactResult:
    """Optimal posts for the plannable TPS of ``inp`` (TPS without coordinates are left out)."""
    from ortools.sat.python import cp_model

    started = time.perf_counter()
    patterns = inp.patterns
    ranks = patterns.ranks
    groups: dict[tuple[str, str], list[TpsIn]] = defaultdict(list)
    for t in sorted(inp.tps, key=lambda t: t.code):
        if t.lat is not None and t.lon is not None:
            groups[(t.area, t.island)].append(t)
    model = cp_model.CpModel()
    heads: list[tuple[list[TpsIn], int, Any, dict[int, Any]]] = []
    objective: list[Any] = []
    for members in groups.values():
        n = len(members)
        dist = distance_matrix([t.lat or 0.0 for t in members], [t.lon or 0.0 for t in members])
        x: dict[tuple[int, int], Any] = {}
        for h, head in enumerate(members):
            pattern = patterns.pattern(head.category)
            limit = pattern.radius_m - RADIUS_EPS_M
            r_head = ranks[head.category]
            column: dict[int, Any] = {}
            for i, t in enumerate(members):
                r = ranks[t.category]
                if i == h:
                    column[i] = model.new_bool_var(f"y_{head.id}")
                    continue
                if r > r_head or (r == r_head and i < h):  # the head is the first most vulnerable TPS
                    continue
                if r < r_head and not pattern.mix_lower:
                    continue
                if pattern.tps < 2 or dist[i, h] > limit:
                    continue
                column[i] = model.new_bool_var(f"x_{t.id}_{head.id}")
            y = column[h]
            others = [i for i in column if i != h]
            for i in others:
                model.add_implication(column[i], y)
            model.add(sum(column.values()) <= pattern.tps * y)
            for a_pos, a in enumerate(others):
                for b in others[a_pos + 1 :]:
                    if dist[a, b] > limit:
                        model.add_bool_or([column[a].Not(), column[b].Not()])
            objective.append(pattern.police * y)
            heads.append((members, h, y, column))
            for i, var in column.items():
                x[(i, h)] = var
        for i in range(n):
            model.add_exactly_one([var for (ii, _h), var in x.items() if ii == i])
    model.minimize(sum(objective))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = workers
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise RuntimeError(f"CP-SAT found no solution ({solver.status_name(status)})")
    posts = []
    for members, _h, y, column in heads:
        if solver.value(y):
            posts.append(tuple(members[i].id for i, var in column.items() if solver.value(var)))
    return ExactResult(
        police=round(solver.objective_value),
        posts=tuple(sorted(posts)),
        optimal=status == cp_model.OPTIMAL,
        bound=float(solver.best_objective_bound),
        seconds=time.perf_counter() - started,
    )
