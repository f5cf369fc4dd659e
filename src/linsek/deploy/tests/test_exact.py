"""The planner against the exact optimum (OR-Tools CP-SAT) on small instances (~40 TPS)."""

from __future__ import annotations

import pytest

from linsek.deploy.exact import posts_exact
from linsek.deploy.planner import plan_make
from linsek.deploy.synthetic import InstanceSpec, instance
from linsek.deploy.validate import plan_violations

pytest.importorskip("ortools")


@pytest.mark.parametrize("seed", range(8))
def test_planner_is_near_the_exact_optimum_on_40_tps(seed: int) -> None:
    inp = instance(InstanceSpec(seed=seed, tps=40, areas=1, villages_per_area=3, police_per_unit=200))
    out = plan_make(inp)
    assert not plan_violations(inp, out)
    exact = posts_exact(inp, time_limit_s=20)
    assert exact.optimal
    # Nobody beats the optimum, the optimum never beats the lower bound, and the planner stays close.
    assert out.lower_bound <= exact.police <= out.police_needed
    assert out.police_needed <= exact.police * 1.2 + 2


def test_exact_solution_obeys_the_same_rules() -> None:
    from dataclasses import replace

    inp = instance(InstanceSpec(seed=11, tps=36, areas=2, villages_per_area=2, police_per_unit=200))
    exact = posts_exact(inp, time_limit_s=20)
    heuristic = plan_make(inp)
    # Swap the exact posts into a plan shell and let the validator judge their geometry.
    by_id = {t.id: t for t in inp.tps}
    ranks = inp.patterns.ranks
    posts = []
    for members in exact.posts:
        top = max((by_id[t].category for t in members), key=lambda c: ranks[c])
        pattern = inp.patterns.pattern(top)
        first = by_id[min(members, key=lambda t: by_id[t].code)]
        posts.append(
            replace(
                heuristic.posts[0],
                key=first.code,
                area=first.area,
                island=first.island,
                category=top,
                tps=tuple(members),
                police_needed=pattern.police,
                tni_needed=pattern.tni,
                police=(),
                tni=(),
                priority=pattern.priority,
            )
        )
    shell = replace(heuristic, posts=tuple(posts), assignments=(), bko=(), crossings=())
    geometry = [
        v for v in plan_violations(inp, shell) if v.rule in ("coverage", "capacity", "radius", "area", "category")
    ]
    assert not geometry, geometry
    assert sum(p.police_needed for p in posts) == exact.police
