"""Named Linmas on posts: own village first, then the district; island kept; shortfall apart; rosters; validator."""

from __future__ import annotations

import io
from dataclasses import replace

from django.test import Client
from openpyxl import load_workbook

from linsek.deploy.models import Assignment, Plan
from linsek.deploy.planner import LINMAS, LinmasIn, plan_make
from linsek.deploy.pool import plan_input_build
from linsek.deploy.services import patterns_parse, plan_generate, plan_output_load
from linsek.deploy.synthetic import InstanceSpec, instance
from linsek.deploy.tests.conftest import NOW, LinmasStaff, Staffed
from linsek.deploy.validate import plan_violations


def _linmas_by_post(plan: Plan) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, name in (
        Assignment.objects.filter(plan=plan, sector=LINMAS)
        .order_by("post__key", "person__full_name")
        .values_list("post__key", "person__full_name")
    ):
        out.setdefault(key, []).append(name)
    return out


def test_linmas_are_named_from_their_own_village_then_district(staffed: Staffed, linmas_staff: LinmasStaff) -> None:
    plan = plan_generate(actor=None, regency=staffed.j.regency, now=NOW)
    s = plan.summary["linmas"]
    placed = _linmas_by_post(plan)
    names = [n for team in placed.values() for n in team]
    assert len(names) == len(set(names)) == 6  # 3 + 2 available + 1 island: all named, once each
    assert "Linmas Pule Cuti" not in names  # on leave on the duty days
    assert s["named"] == 6 and s["available"] == 7 and s["short_at_posts"] == s["at_tps"] - 6 > 0
    for key, team in placed.items():  # district and island kept: Mayong Linmas on Mayong posts only
        if key.startswith("33.20.10."):
            assert team == ["Linmas Karimunjawa 0"]
        else:
            assert all(n.startswith(("Linmas Pelemkerep", "Linmas Pule")) for n in team)
    pelemkerep_posts = [k for k, team in placed.items() if any("Pelemkerep" in n for n in team)]
    assert all(k.startswith("33.20.04.2001.") for k in pelemkerep_posts)  # own village first
    assert plan.summary["police_assigned"] > 0  # Linmas do not count as police


def test_validator_catches_linmas_misuse(staffed: Staffed, linmas_staff: LinmasStaff) -> None:
    latest = plan_generate(actor=None, regency=staffed.j.regency, now=NOW)
    ctx = plan_input_build(
        regency=staffed.j.regency,
        patterns=patterns_parse(latest.patterns),
        duty_start=latest.duty_start,
        duty_end=latest.duty_end,
    )
    out = plan_make(ctx.input)
    assert plan_violations(ctx.input, out) == []
    mayong = next(p for p in out.posts if p.area == "33.20.04" and p.linmas)
    island = next(p for p in out.posts if p.area == "33.20.10" and p.linmas)
    doubled = replace(island, linmas=(*island.linmas, mayong.linmas[0]))  # used twice, wrong island
    absent = replace(mayong, linmas=(*mayong.linmas, linmas_staff.absent.id))
    bad = replace(out, posts=tuple(doubled if p is island else absent if p is mayong else p for p in out.posts))
    rules = " ".join(str(v) for v in plan_violations(ctx.input, bad))
    assert "used 2 times" in rules and "guards post" in rules and "absent on the duty days" in rules


def test_replan_keeps_the_linmas_of_unchanged_posts(staffed: Staffed, linmas_staff: LinmasStaff) -> None:
    first = plan_generate(actor=None, regency=staffed.j.regency, now=NOW)
    second = plan_generate(actor=None, regency=staffed.j.regency, now=NOW, mode="replan")
    assert second.mode == "replan" and _linmas_by_post(second) == _linmas_by_post(first)
    loaded = plan_output_load(second)
    assert sum(len(p.linmas) for p in loaded.posts) == 6


def test_rosters_and_plan_page_list_the_linmas(client: Client, staffed: Staffed, linmas_staff: LinmasStaff) -> None:
    plan = plan_generate(actor=None, regency=staffed.j.regency, now=NOW)
    client.force_login(staffed.j.users["command"])
    xlsx = client.get(f"/pengamanan/rencana/{plan.id}/satuan/polsek-mayong/roster.xlsx")
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert ws is not None
    cells = [str(c.value) for row in ws.iter_rows() for c in row if c.value]
    assert "Linmas Pelemkerep 0" in cells and "Linmas desa setempat" in cells
    assert any(c.startswith("KURANG") and c.endswith("Linmas") for c in cells)
    pdf = client.get(f"/pengamanan/rencana/{plan.id}/satuan/polsek-mayong/roster.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    page = client.get(f"/pengamanan/rencana/{plan.id}/").content.decode()
    assert 'id="linmas-named">6' in page and "Linmas Pule 1" in page
    posts = client.get(f"/pengamanan/rencana/{plan.id}/peta/pos.json").json()["posts"]
    members = [m for p in posts for m in p["members"] if m["sector"] == LINMAS]
    assert len(members) == 6 and all(p["tps_points"] and None not in p["tps_points"] for p in posts)


def test_district_level_linmas_serve_only_their_own_district() -> None:
    """Linmas stationed at a district (no village) stay in it, however many are left over there."""
    base = instance(InstanceSpec(seed=3, tps=60, areas=2, villages_per_area=3, police_per_unit=60, reserve_people=40))
    area_a, area_b = sorted({t.area for t in base.tps})
    planned = plan_make(base).posts
    need_a = sum(p.linmas_needed for p in planned if p.area == area_a)
    assert sum(p.linmas_needed for p in planned if p.area == area_b) > 1  # B needs more than its one member
    # Many more than district A needs (its surplus must stay idle), then B's one member, all without a village.
    people = [LinmasIn(10_000 + i, f"Linmas A {i}", 900, "", area_a, "", -6.6, 110.7) for i in range(need_a + 20)]
    people.append(LinmasIn(20_000, "Linmas B", 900, "", area_b, "", -6.6, 110.79))
    inp = replace(base, linmas_people=tuple(people), linmas_available=len(people))
    out = plan_make(inp)
    assert plan_violations(inp, out) == []
    area_of = {p.id: p.area for p in people}
    assert all(area_of[pid] == post.area for post in out.posts for pid in post.linmas)  # nobody crosses
    assert [pid for p in out.posts if p.area == area_b for pid in p.linmas] == [20_000]
    assert all(p.linmas_short == 0 for p in out.posts if p.area == area_a)  # A fully served from its own
    assert out.linmas_named == need_a + 1
