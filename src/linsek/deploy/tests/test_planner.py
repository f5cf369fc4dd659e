"""The planner's outputs, every one checked by the independent validator; bad inputs; patterns."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linsek.deploy.bounds import bound_mixed, bound_separate
from linsek.deploy.patterns import PatternError, default_patterns_raw, pattern_set_parse
from linsek.deploy.planner import (
    POLICE,
    Absence,
    PersonIn,
    PlanInput,
    PlanningError,
    TpsIn,
    UnitIn,
    plan_make,
)
from linsek.deploy.synthetic import RANKS, InstanceSpec, default_patterns, instance
from linsek.deploy.validate import plan_violations

DUTY = (date(2024, 2, 14), date(2024, 2, 15))


def checked(inp: PlanInput):  # type: ignore[no-untyped-def]
    out = plan_make(inp)
    violations = plan_violations(inp, out)
    assert not violations, "\n".join(map(str, violations[:20]))
    return out


def test_a_regency_with_enough_people_is_fully_covered_and_holds_every_rule() -> None:
    inp = instance(InstanceSpec(seed=1, tps=300, areas=3, police_per_unit=80, reserve_people=90))
    out = checked(inp)
    assert sum(len(p.tps) for p in out.posts) == 300
    assert all(p.status == "covered" for p in out.posts)
    assert out.bko == ()
    assert out.police_needed >= out.lower_bound >= out.lower_bound_counts
    assert out.gap < 0.15
    assert len(out.reserve) == out.reserve_target > 0  # the Polres keeps its share back


def test_same_input_gives_the_same_plan() -> None:
    inp = instance(InstanceSpec(seed=4, tps=250, island_tps=20, tni_per_unit=6))
    assert plan_make(inp) == plan_make(inp)


def test_shortage_serves_sangat_rawan_and_khusus_first_then_rawan_and_requests_bko() -> None:
    inp = instance(
        InstanceSpec(seed=2, tps=400, areas=4, police_per_unit=30, reserve_people=10, mix=(0.7, 0.2, 0.07, 0.03))
    )
    out = checked(inp)
    short = [p for p in out.posts if p.police_short]
    assert short, "this instance is meant to be short of people"
    worst_short = min(p.priority for p in short)
    covered_levels = {p.priority for p in out.posts if p.status == "covered"}
    assert all(level <= worst_short for level in covered_levels)
    assert all(p.status == "covered" for p in out.posts if p.category in ("sangat_rawan", "khusus"))
    bko = sum(b.people for b in out.bko if b.sector == POLICE and b.reason != "reserve")
    assert bko == sum(p.police_short for p in out.posts) > 0
    assert out.uncovered_tps() or out.partial_tps()


def test_island_posts_use_island_people_or_an_explicit_crossing_line() -> None:
    inp = instance(
        InstanceSpec(
            seed=3, tps=200, areas=2, island_tps=40, police_per_unit=40, reserve_people=60, mix=(0.5, 0.3, 0.2, 0)
        )
    )
    out = checked(inp)
    island_posts = [p for p in out.posts if p.island]
    assert island_posts and {p.island for p in island_posts} == {"Pulau Besar", "Pulau Kecil"}
    people = {p.id: p for p in inp.people}
    small = [p for p in island_posts if p.island == "Pulau Kecil"]
    shipped = {pid for c in out.crossings if c.island == "Pulau Kecil" for pid in c.people}
    for post in small:
        for pid in post.police:
            assert people[pid].island == "Pulau Kecil" or pid in shipped
    if sum(p.police_needed for p in small) > 2:  # two officers live on the small island
        assert shipped, "reserve people are shipped in before the crossing"
    assert any(pid in shipped for p in small for pid in p.police) or not shipped


def test_island_without_reserve_becomes_a_crossing_bko_request() -> None:
    inp = instance(InstanceSpec(seed=3, tps=120, areas=2, island_tps=24, police_per_unit=40, reserve_people=0))
    out = checked(inp)
    assert any(b.island and b.reason == "crossing" for b in out.bko)
    assert not out.crossings


def test_absent_people_are_never_deployed() -> None:
    inp = instance(InstanceSpec(seed=5, tps=200, absent_share=0.3))
    out = checked(inp)
    absent = {p.id for p in inp.people if not p.available(*DUTY)}
    assert absent
    assert not absent & {a.person for a in out.assignments}


def test_tps_without_coordinates_are_listed_as_unplannable_and_the_rest_is_planned() -> None:
    inp = instance(InstanceSpec(seed=6, tps=120, missing_coordinates=3))
    out = checked(inp)
    assert len(out.unplannable) == 3
    assert all("koordinat" in u.reason for u in out.unplannable)
    assert sum(len(p.tps) for p in out.posts) == 117


def test_a_unit_with_no_people_is_named_and_its_posts_borrow() -> None:
    inp = instance(InstanceSpec(seed=7, tps=160, areas=2, police_per_unit=40))
    empty = inp.units[0]
    inp = replace(inp, people=tuple(p for p in inp.people if p.unit != empty.id))
    out = checked(inp)
    assert any(empty.name in w and "tidak memiliki personel" in w for w in out.warnings)
    own_area = [p for p in out.posts if p.unit == empty.id]
    assert own_area and all(p.police for p in own_area)  # neighbours and the reserve step in


def test_unknown_category_is_a_clear_planning_error() -> None:
    inp = instance(InstanceSpec(seed=8, tps=20, areas=1))
    bad = replace(inp, tps=(replace(inp.tps[0], category="merah"), *inp.tps[1:]))
    with pytest.raises(PlanningError, match="merah"):
        plan_make(bad)


@pytest.mark.parametrize(
    ("field", "value", "needle"),
    [
        ("police", 0, "P harus ≥ 1"),
        ("tps", 0, "T harus ≥ 1"),
        ("tps", -2, "T harus ≥ 1"),
        ("police", -1, "P harus ≥ 1"),
        ("radius_m", 0, "radius harus > 0"),
    ],
)
def test_pattern_with_t_or_p_not_positive_is_refused_with_a_clear_message(field: str, value: int, needle: str) -> None:
    raw = default_patterns_raw()
    raw = {**raw, "patterns": [dict(p) for p in raw["patterns"]]}
    raw["patterns"][1][field] = value
    with pytest.raises(PatternError) as info:
        pattern_set_parse(raw, ranks=RANKS)
    fields = [f for f, _ in info.value.problems]
    assert f"patterns.rawan.{field}" in fields
    assert any((needle in m and "rawan" in m) or needle in m for _, m in info.value.problems)


def test_pattern_set_needs_every_category_and_a_sane_reserve() -> None:
    raw = default_patterns_raw()
    raw = {**raw, "patterns": [p for p in raw["patterns"] if p["category"] != "khusus"], "reserve_share": 1.5}
    with pytest.raises(PatternError) as info:
        pattern_set_parse(raw, ranks=RANKS)
    text = str(info.value)
    assert "khusus" in text and "cadangan" in text


def test_lower_bounds() -> None:
    pats = default_patterns()
    counts = {"kurang_rawan": 5, "rawan": 1}
    assert bound_separate(counts, pats) == 4  # ⌈5/16⌉·2 + ⌈1/6⌉·2
    assert bound_mixed(counts, pats) == 2  # one rawan post holds the rawan TPS and the 5 others
    assert bound_mixed({"kurang_rawan": 40, "rawan": 13, "sangat_rawan": 2}, pats) == 2 * 2 + 3 * 2 + 3 * 2


def _tiny(points: list[tuple[float, float, str]], people: int) -> PlanInput:
    tps = tuple(
        TpsIn(i + 1, f"99.01.01.2001.{i + 1:03d}", "99.01.01", "", lat, lon, c)
        for i, (lat, lon, c) in enumerate(points)
    )
    unit = UnitIn(1, "polsek-a", "Polsek A", "polsek", "polri", frozenset({"99.01.01"}), "", -6.6, 110.7)
    crew = tuple(PersonIn(100 + k, f"P{k}", 1, "polri", "", -6.6, 110.7) for k in range(people))
    return PlanInput(tps, (unit,), crew, default_patterns(reserve_share=0.0), *DUTY)


def test_post_capacity_follows_its_most_vulnerable_tps() -> None:
    # seven TPS within 300 m: one rawan caps its post at 6, so two posts are needed
    pts = [(-6.6 + k * 0.0003, 110.7, "rawan" if k == 0 else "kurang_rawan") for k in range(7)]
    out = checked(_tiny(pts, 10))
    assert len(out.posts) == 2
    rawan_post = next(p for p in out.posts if p.category == "rawan")
    assert len(rawan_post.tps) <= 6


def test_radius_splits_far_tps() -> None:
    pts = [(-6.6, 110.7, "kurang_rawan"), (-6.6, 110.75, "kurang_rawan")]  # ~5.5 km apart, radius 4 km
    out = checked(_tiny(pts, 10))
    assert len(out.posts) == 2


@st.composite
def instances(draw):  # type: ignore[no-untyped-def]
    spec = InstanceSpec(
        seed=draw(st.integers(0, 10_000)),
        tps=draw(st.integers(1, 160)),
        areas=draw(st.integers(1, 4)),
        villages_per_area=draw(st.integers(1, 5)),
        island_tps=draw(st.sampled_from([0, 0, 5, 13])),
        police_per_unit=draw(st.integers(0, 30)),
        reserve_people=draw(st.integers(0, 30)),
        tni_per_unit=draw(st.sampled_from([0, 0, 3])),
        absent_share=draw(st.floats(0, 0.5)),
        mix=draw(st.sampled_from([(0.85, 0.12, 0.02, 0.01), (0.3, 0.3, 0.3, 0.1), (1, 0, 0, 0), (0, 0, 1, 0)])),
        village_spread_m=draw(st.sampled_from([200.0, 900.0, 3000.0])),
        missing_coordinates=draw(st.integers(0, 3)),
    )
    raw = default_patterns_raw()
    patterns = [dict(p) for p in raw["patterns"]]
    if draw(st.booleans()):
        for p in patterns:
            p["tni"] = draw(st.integers(0, 2))
            p["tps"] = draw(st.integers(1, 20))
            p["police"] = draw(st.integers(1, 4))
            p["mix_lower"] = draw(st.booleans())
    pats = pattern_set_parse(
        {**raw, "patterns": patterns, "reserve_share": draw(st.sampled_from([0.0, 0.2, 0.5]))}, ranks=RANKS
    )
    return instance(spec, pats)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_every_generated_plan_passes_the_validator(inp: PlanInput) -> None:
    out = checked(inp)
    assert out.police_needed >= out.lower_bound
    assert {t for p in out.posts for t in p.tps} | {u.tps for u in out.unplannable} == {t.id for t in inp.tps}


def test_validator_catches_a_broken_plan() -> None:
    inp = instance(InstanceSpec(seed=9, tps=80, areas=1, police_per_unit=60))
    out = plan_make(inp)
    a, b = out.posts[0], out.posts[1]
    moved = replace(a, tps=a.tps + b.tps)
    dup = replace(b, police=a.police)
    broken = replace(out, posts=(moved, dup, *out.posts[2:]))
    rules = {v.rule for v in plan_violations(inp, broken)}
    assert {"coverage", "people"} <= rules
    assert rules & {"capacity", "radius"}
    sick = replace(
        inp,
        people=tuple(
            replace(p, absences=(Absence("sick", *DUTY),)) if p.id == out.posts[0].police[0] else p for p in inp.people
        ),
    )
    assert any(v.rule == "availability" for v in plan_violations(sick, out))
