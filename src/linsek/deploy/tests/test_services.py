"""Plans on the real database: generate, approve (read-only), re-plan with a diff, bad input, rosters, CLI."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from linsek.audit.models import AuditEvent
from linsek.core.errors import Forbidden, ValidationFailed
from linsek.deploy.models import Assignment, Plan, Post, PostStation
from linsek.deploy.patterns import default_patterns_raw
from linsek.deploy.rosters import roster_pdf, roster_xlsx
from linsek.deploy.selectors import plan_posts
from linsek.deploy.services import availability_record, plan_approve, plan_generate
from linsek.deploy.tests.conftest import NOW, Staffed, rows_digest
from linsek.risk.services import category_override


def generate(s: Staffed, **kwargs: Any) -> Plan:
    return plan_generate(actor=s.j.users["command"], regency=s.j.regency, now=NOW, **kwargs)


def test_a_plan_covers_every_tps_with_named_teams_and_is_audited(staffed: Staffed) -> None:
    plan = generate(staffed)
    s = plan.summary
    assert (plan.version, plan.status, plan.mode) == (1, "draft", "full")
    assert s["plannable"] == s["tps"] == 9
    assert PostStation.objects.filter(plan=plan).count() == 9
    # sangat rawan and rawan TPS sit in their own posts; the Kapolsek commands and is not on a post.
    cats = sorted(Post.objects.filter(plan=plan).values_list("category", flat=True))
    assert "sangat_rawan" in cats and "rawan" in cats
    people = set(Assignment.objects.filter(plan=plan).values_list("person__full_name", flat=True))
    assert "Kapolsek Mayong" not in people
    assert s["police_needed"] >= s["lower_bound"] > 0
    assert s["reserve_target"] == round(0.2 * s["people_available"]) > 0 and len(s["reserve"]) == s["reserve_target"]
    # Karimunjawa's TPS are guarded by the two officers stationed there.
    island_team = Assignment.objects.filter(plan=plan, post__island="Karimunjawa").values_list(
        "person__full_name", flat=True
    )
    assert set(island_team) <= {p.full_name for p in staffed.island_people} and island_team
    assert AuditEvent.objects.filter(action="deploy.plan.generate", object_id=str(plan.id)).exists()


def test_only_planners_generate_and_only_command_approves(staffed: Staffed) -> None:
    with pytest.raises(Forbidden):
        plan_generate(actor=staffed.j.users["area_officer"], regency=staffed.j.regency, now=NOW)
    plan = generate(staffed)
    with pytest.raises(Forbidden):
        plan_approve(actor=staffed.j.users["administrator"], plan=plan, now=NOW)
    approved = plan_approve(actor=staffed.j.users["command"], plan=plan, now=NOW)
    assert approved.status == "approved" and approved.read_only
    with pytest.raises(ValidationFailed, match="hanya draf"):
        plan_approve(actor=staffed.j.users["command"], plan=plan, now=NOW)


def test_category_change_replans_only_touched_posts_and_diffs_against_the_approved_plan(staffed: Staffed) -> None:
    first = plan_approve(actor=staffed.j.users["command"], plan=generate(staffed), now=NOW)
    before = rows_digest(first.id)
    target = staffed.j.tps[5]  # a kurang rawan TPS of Pule
    category_override(
        actor=staffed.j.users["command"],
        tps=target,
        category="sangat_rawan",
        reason="Info intelijen: potensi bentrok pendukung",
        now=NOW,
    )
    second = generate(staffed)
    assert (second.version, second.mode, second.base_id) == (2, "replan", first.id)
    old_key = PostStation.objects.get(plan=first, tps=target).post.key
    assert second.diff["against"] == first.id and old_key in second.diff["dissolved"]
    assert target.code in second.diff["created"]
    assert second.diff["kept"] >= 1
    assert second.diff["kept"] + len(second.diff["dissolved"]) == Post.objects.filter(plan=first).count()
    assert rows_digest(first.id) == before  # the approved plan is untouched
    new_post = PostStation.objects.get(plan=second, tps=target).post
    assert new_post.category == "sangat_rawan" and new_post.status == "covered"
    plan_approve(actor=staffed.j.users["command"], plan=second, now=NOW)
    first.refresh_from_db()
    assert first.status == "superseded"


def test_a_failed_run_changes_no_approved_plan(staffed: Staffed) -> None:
    approved = plan_approve(actor=staffed.j.users["command"], plan=generate(staffed), now=NOW)
    before = rows_digest(approved.id)
    bad = default_patterns_raw()
    bad = {**bad, "patterns": [{**p, "tps": 0} if p["category"] == "rawan" else p for p in bad["patterns"]]}
    with pytest.raises(ValidationFailed) as info:
        generate(staffed, patterns=bad)
    assert "T harus ≥ 1" in info.value.message and "rawan" in info.value.message
    assert any(p.field == "patterns.rawan.tps" for p in info.value.problems)
    bad_p = {
        **bad,
        "patterns": [{**p, "tps": 6, "police": 0} if p["category"] == "rawan" else p for p in bad["patterns"]],
    }
    with pytest.raises(ValidationFailed, match="P harus ≥ 1"):
        generate(staffed, patterns=bad_p)
    assert Plan.objects.count() == 1
    assert rows_digest(approved.id) == before


def test_tps_without_coordinates_is_listed_as_unplannable(staffed: Staffed) -> None:
    tps = staffed.j.tps[6]
    tps.lat = tps.lon = None
    tps.save()
    plan = generate(staffed)
    assert plan.summary["unplannable"] == [
        {"tps": tps.id, "code": tps.code, "reason": "TPS belum memiliki koordinat (lintang/bujur)"}
    ]
    assert PostStation.objects.filter(plan=plan).count() == 8


def test_a_unit_with_no_people_is_named(staffed: Staffed) -> None:
    for p in staffed.island_people:
        p.active = False
        p.save()
    plan = generate(staffed)
    assert any("Polsek Karimunjawa" in w for w in plan.summary["warnings"])
    # Its island posts are then guarded by reserve people shipped in before the crossing.
    assert plan.summary["crossings"] and plan.summary["crossings"][0]["island"] == "Karimunjawa"


def test_absence_is_respected(staffed: Staffed) -> None:
    sick = staffed.island_people[0]
    availability_record(
        actor=staffed.j.users["command"],
        person=sick,
        kind="sick",
        start=date(2024, 2, 13),
        end=date(2024, 2, 15),
        now=NOW,
    )
    plan = generate(staffed)
    assert not Assignment.objects.filter(plan=plan, person=sick).exists()
    with pytest.raises(ValidationFailed):
        availability_record(
            actor=staffed.j.users["command"],
            person=sick,
            kind="sick",
            start=date(2024, 2, 15),
            end=date(2024, 2, 13),
            now=NOW,
        )


def test_shortage_becomes_a_bko_request_with_priorities(staffed: Staffed) -> None:
    from linsek.agencies.models import Person

    keep = [p.id for p in staffed.mayong_people[:2]]
    orgs = [staffed.j.polsek_mayong, staffed.j.polres, staffed.samapta]
    Person.objects.filter(organisation__in=orgs).exclude(id__in=keep).update(active=False)
    plan = generate(staffed)
    s = plan.summary
    assert s["bko_police"] > 0 and s["uncovered_tps"]
    sangat = Post.objects.get(plan=plan, category="sangat_rawan")
    assert sangat.status == "covered"  # the two Mayong officers left go to the sangat rawan TPS first


def test_roster_xlsx_reads_back_and_pdf_renders(staffed: Staffed) -> None:
    plan = generate(staffed)
    rows = plan_posts(staffed.j.users["command"], plan=plan, unit=staffed.j.polsek_mayong)
    data = roster_xlsx(plan=plan, unit=staffed.j.polsek_mayong, rows=rows, now=NOW)
    ws = load_workbook(io.BytesIO(data)).active
    assert ws is not None
    cells = [list(row) for row in ws.iter_rows(values_only=True)]
    assert "Polsek Mayong" in str(cells[0][0])
    assert cells[4][:3] == ["Pos", "Kategori", "Kecamatan"]
    names = {row[6] for row in cells[5:] if row[6]}
    expected = set(
        Assignment.objects.filter(plan=plan, post__unit=staffed.j.polsek_mayong).values_list(
            "person__full_name", flat=True
        )
    )
    assert expected and expected <= names
    phones = {row[8] for row in cells[5:] if row[8]}
    assert phones  # the command may see phone numbers
    tps_codes = {row[4] for row in cells[5:] if row[4]}
    assert staffed.j.tps[0].code in tps_codes
    pdf = roster_pdf(plan=plan, unit=staffed.j.polsek_mayong, rows=rows, now=NOW)
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000


def test_roster_hides_phones_from_who_may_not_see_them(staffed: Staffed) -> None:
    plan = generate(staffed)
    viewer = staffed.j.users["area_officer"]  # Polsek Mayong: sees own organisation's phones only
    rows = plan_posts(viewer, plan=plan, unit=staffed.samapta)
    members = [m for r in rows for m in r.team]
    assert any(m.unit_code == "sat-samapta-jepara" and m.phone == "" for m in members) or not members


def test_plan_command(staffed: Staffed) -> None:
    out = io.StringIO()
    call_command("plan", "33.20", "--user", "command", "--approve", stdout=out)
    text = out.getvalue()
    assert "plan v1 (approved, full)" in text and "lower bound" in text
    out = io.StringIO()
    call_command("plan", "33.20", "--json", stdout=out)
    assert '"mode": "replan"' in out.getvalue() or '"version": 2' in out.getvalue()
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=r"deploy\.plan"):
        call_command("plan", "33.20", "--user", "viewer")
    assert Plan.objects.count() == 2


def test_replan_when_one_person_falls_sick_changes_only_that_team(staffed: Staffed) -> None:
    first = generate(staffed)
    a = Assignment.objects.filter(plan=first).order_by("id").first()
    assert a is not None
    availability_record(
        actor=staffed.j.users["command"],
        person=a.person,
        kind="other_duty",
        start=date(2024, 2, 14),
        end=date(2024, 2, 14) + timedelta(days=1),
        now=NOW,
    )
    second = generate(staffed)
    change = second.summary["change"]
    assert change["team_changed"] == [a.post.key] and not change["dissolved"] and not change["created"]
