"""Re-plan locality: a category change re-plans only the posts it touches and says which changed."""

from __future__ import annotations

from dataclasses import replace

from linsek.deploy.planner import Absence, plan_diff, plan_make, plan_replan
from linsek.deploy.synthetic import DUTY, InstanceSpec, instance
from linsek.deploy.validate import plan_violations


def test_one_category_change_touches_only_its_post() -> None:
    inp = instance(InstanceSpec(seed=21, tps=400, areas=4, police_per_unit=60, reserve_people=60))
    before = plan_make(inp)
    target = next(t for t in inp.tps if t.category == "kurang_rawan")
    post = next(p for p in before.posts if target.id in p.tps)
    changed = replace(inp, tps=tuple(replace(t, category="sangat_rawan") if t.id == target.id else t for t in inp.tps))
    after = plan_replan(before, changed)
    assert not plan_violations(changed, after)
    assert after.change is not None
    assert post.key in after.change.dissolved
    same_area = {p.key for p in before.posts if p.area == post.area and p.island == post.island}
    # Posts elsewhere keep their TPS; only teams may move, and then they are reported.
    assert set(after.change.dissolved) <= same_area
    assert after.change.kept >= len(before.posts) - 5
    untouched = [p for p in before.posts if p.key not in after.change.changed]
    after_posts = {p.key: p for p in after.posts}
    assert all(after_posts[p.key] == p for p in untouched)
    sangat = next(p for p in after.posts if target.id in p.tps)
    assert sangat.category == "sangat_rawan" and sangat.tps == (target.id,) and sangat.status == "covered"


def test_replan_with_no_change_changes_nothing() -> None:
    inp = instance(InstanceSpec(seed=22, tps=200, island_tps=20, police_per_unit=40))
    before = plan_make(inp)
    again = plan_replan(before, inp)
    assert again.change is not None and again.change.changed == ()
    assert again.posts == before.posts


def test_person_falling_sick_changes_only_that_team() -> None:
    inp = instance(InstanceSpec(seed=23, tps=200, police_per_unit=50, reserve_people=50))
    before = plan_make(inp)
    post = before.posts[3]
    sick_id = post.police[0]
    sick = replace(
        inp, people=tuple(replace(p, absences=(Absence("sick", *DUTY),)) if p.id == sick_id else p for p in inp.people)
    )
    after = plan_replan(before, sick)
    assert not plan_violations(sick, after)
    assert after.change is not None
    assert after.change.team_changed == (post.key,)
    assert after.change.dissolved == after.change.created == ()
    assert sick_id not in after.post(post.key).police and after.post(post.key).status == "covered"


def test_escalation_under_shortage_takes_people_from_the_least_urgent_post() -> None:
    inp = instance(InstanceSpec(seed=24, tps=300, areas=3, police_per_unit=12, reserve_people=0))
    before = plan_make(inp)
    assert any(p.police_short for p in before.posts)
    target = next(t for t in inp.tps if t.category == "kurang_rawan")
    changed = replace(inp, tps=tuple(replace(t, category="khusus") if t.id == target.id else t for t in inp.tps))
    after = plan_replan(before, changed)
    assert not plan_violations(changed, after)
    khusus = next(p for p in after.posts if target.id in p.tps)
    assert khusus.status == "covered"
    diff = plan_diff(before, after)
    assert diff.team_changed, "the people came from another post, which is reported"
