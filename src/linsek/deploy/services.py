"""Writes of the deploy app: plan versions (generate, approve), availability of people.

``plan_generate`` computes everything in memory first (pool, planner, the independent validator); only
a plan that passes every check is written, in one transaction, as a new *draft* version. A run that
fails writes nothing — in particular it never touches the approved plan. Approved plans are read-only:
no service edits their rows; a new version records its differences from the approved one.
"""

from __future__ import annotations

import time
from datetime import date, datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max

from linsek.agencies.models import Person
from linsek.audit.services import audit_append
from linsek.core.errors import FieldProblem, ValidationFailed
from linsek.deploy.access import deploy_require
from linsek.deploy.models import Assignment, Availability, Plan, Post, PostStation
from linsek.deploy.patterns import PatternError, PatternSet, default_patterns_raw, pattern_set_parse
from linsek.deploy.planner import (
    POLICE,
    TNI,
    LinmasNeed,
    PlanChange,
    PlanningError,
    PlanOutput,
    plan_diff,
    plan_make,
    plan_replan,
)
from linsek.deploy.planner import Assignment as PlannedAssignment
from linsek.deploy.planner import Post as PlannedPost
from linsek.deploy.pool import PlanContext, plan_input_build
from linsek.deploy.validate import plan_violations
from linsek.regions.models import Region
from linsek.risk.catalogue import catalogue_get


class PlanRejected(ValidationFailed):
    """The planner's output broke a rule the validator checks: nothing is written (a bug to report)."""

    code = "plan_rejected"


def patterns_parse(raw: dict[str, Any]) -> PatternSet:
    """A pattern document checked against the catalogue's categories; problems → ValidationFailed."""
    ranks = {c.code: c.rank for c in catalogue_get().categories}
    try:
        return pattern_set_parse(raw, ranks=ranks)
    except PatternError as exc:
        raise ValidationFailed(
            "pola pengamanan tidak sah: " + "; ".join(m for _, m in exc.problems),
            [FieldProblem(f, m) for f, m in exc.problems],
        ) from exc


def _duty(raw: dict[str, Any], start: date | None, end: date | None) -> tuple[date, date]:
    s = start or date.fromisoformat(str(raw.get("duty_start", "2024-02-14")))
    e = end or date.fromisoformat(str(raw.get("duty_end", s.isoformat())))
    if e < s:
        raise ValidationFailed("hari tugas tidak sah", [FieldProblem("duty_end", "harus sama atau setelah hari mulai")])
    return s, e


def plan_output_load(plan: Plan) -> PlanOutput:
    """A stored plan as the planner's output type (posts, teams, reserve, TPS categories): for re-plans and diffs."""
    stations: dict[int, list[tuple[str, int, str]]] = {}
    categories: dict[int, str] = {}
    for post_id, code, tps_id, category in (
        PostStation.objects.filter(plan=plan)
        .order_by("tps__code")
        .values_list("post_id", "tps__code", "tps_id", "category")
    ):
        stations.setdefault(post_id, []).append((code, tps_id, category))
        categories[tps_id] = category
    teams: dict[int, dict[str, list[int]]] = {}
    assignments: list[PlannedAssignment] = []
    keys: dict[int, str] = {}
    posts: list[PlannedPost] = []
    rows = list(Post.objects.filter(plan=plan).select_related("area").order_by("key"))
    for row in rows:
        keys[row.id] = row.key
    for a in Assignment.objects.filter(plan=plan).order_by("person_id"):
        teams.setdefault(a.post_id, {POLICE: [], TNI: []})[a.sector].append(a.person_id)
        assignments.append(
            PlannedAssignment(a.person_id, keys[a.post_id], a.unit_id, a.sector, a.source, a.crossing, a.distance_m)
        )
    for row in rows:
        team = teams.get(row.id, {POLICE: [], TNI: []})
        posts.append(
            PlannedPost(
                key=row.key,
                area=row.area.code,
                island=row.island,
                category=row.category,
                tps=tuple(t for _, t, _ in stations.get(row.id, [])),
                lat=row.lat,
                lon=row.lon,
                diameter_m=row.diameter_m,
                police_needed=row.police_needed,
                tni_needed=row.tni_needed,
                linmas_needed=row.linmas_needed,
                priority=row.priority,
                unit=row.unit_id,
                police=tuple(team[POLICE]),
                tni=tuple(team[TNI]),
            )
        )
    summary = plan.summary or {}
    return PlanOutput(
        posts=tuple(posts),
        assignments=tuple(assignments),
        crossings=(),
        bko=(),
        unit_totals=(),
        bounds=(),
        unplannable=(),
        reserve=tuple(summary.get("reserve", [])),
        reserve_target=int(summary.get("reserve_target", 0)),
        linmas=LinmasNeed(0, 0, None),
        tps_categories=categories,
    )


def _summary(ctx: PlanContext, out: PlanOutput, seconds: float) -> dict[str, Any]:
    codes = ctx.tps_codes
    categories: dict[str, int] = {}
    for t in ctx.input.tps:
        categories[t.category] = categories.get(t.category, 0) + 1
    change = out.change
    return {
        "tps": len(ctx.input.tps),
        "plannable": len(ctx.input.tps) - len(out.unplannable),
        "categories": categories,
        "posts": len(out.posts),
        "police_needed": out.police_needed,
        "police_assigned": out.police_assigned,
        "tni_needed": sum(p.tni_needed for p in out.posts),
        "tni_assigned": sum(len(p.tni) for p in out.posts),
        "lower_bound": out.lower_bound,
        "lower_bound_counts": out.lower_bound_counts,
        "lower_bound_separate": out.lower_bound_separate,
        "gap": round(out.gap, 4),
        "reserve": list(out.reserve),
        "reserve_target": out.reserve_target,
        "people_available": sum(
            1 for p in ctx.input.people if p.available(ctx.input.duty_start, ctx.input.duty_end) and p.sector == POLICE
        ),
        "bko": [
            {
                "area": b.area,
                "island": b.island,
                "sector": b.sector,
                "people": b.people,
                "posts": b.posts,
                "reason": b.reason,
            }
            for b in out.bko
        ],
        "bko_police": sum(b.people for b in out.bko if b.sector == POLICE),
        "crossings": [{"island": c.island, "unit": c.unit, "people": list(c.people)} for c in out.crossings],
        "unit_totals": [
            {
                "unit": u.unit,
                "code": ctx.unit_codes.get(u.unit, ""),
                "people": u.people,
                "unavailable": u.unavailable,
                "kept_back": u.kept_back,
                "on_own_posts": u.on_own_posts,
                "lent": u.lent,
                "borrowed": u.borrowed,
                "free": u.free,
            }
            for u in out.unit_totals
        ],
        "bounds": [
            {
                "area": b.area,
                "island": b.island,
                "counts": dict(b.counts),
                "separate": b.separate,
                "mixed": b.mixed,
                "geometric": b.geometric,
                "planned": b.planned,
            }
            for b in out.bounds
        ],
        "unplannable": [{"tps": u.tps, "code": u.code, "reason": u.reason} for u in out.unplannable],
        "uncovered_tps": sorted(codes[t] for t in out.uncovered_tps()),
        "partial_tps": sorted(codes[t] for t in out.partial_tps()),
        "linmas": {
            "at_tps": out.linmas.at_tps,
            "at_offices": out.linmas.at_offices,
            "total": out.linmas.total,
            "available": out.linmas.available,
            "short": out.linmas.short,
        },
        "warnings": [*ctx.warnings, *out.warnings],
        "change": None
        if change is None
        else {
            "dissolved": list(change.dissolved),
            "created": list(change.created),
            "team_changed": list(change.team_changed),
            "kept": change.kept,
        },
        "seconds": round(seconds, 4),
    }


def _diff_json(change: PlanChange, against: Plan) -> dict[str, Any]:
    return {
        "against": against.id,
        "against_version": against.version,
        "dissolved": list(change.dissolved),
        "created": list(change.created),
        "team_changed": list(change.team_changed),
        "kept": change.kept,
    }


def plan_generate(
    *,
    actor: Any,
    regency: Region,
    now: datetime,
    patterns: dict[str, Any] | None = None,
    duty_start: date | None = None,
    duty_end: date | None = None,
    mode: str = "auto",
    label: str = "",
) -> Plan:
    """Plan a regency and store the result as a new draft version.

    ``mode``: ``full`` plans from scratch; ``replan`` changes only the posts a change touches, starting
    from the latest version; ``auto`` re-plans when the latest version used the same patterns and duty
    days, else plans in full. Any failure (bad patterns, a validator finding) raises and writes nothing.
    """
    if actor is not None:
        deploy_require(actor, "deploy.plan")
    if regency.level != "regency":
        raise ValidationFailed(
            "rencana dibuat per kabupaten/kota", [FieldProblem("regency", "kode kabupaten, mis. 33.20")]
        )
    if mode not in ("auto", "full", "replan"):
        raise ValidationFailed("mode tidak dikenal", [FieldProblem("mode", "auto, full atau replan", mode)])
    latest = Plan.objects.filter(scope=regency).order_by("-version").first()
    raw = patterns or (latest.patterns if latest is not None else default_patterns_raw())
    pattern_set = patterns_parse(raw)
    start, end = _duty(
        raw,
        duty_start or (latest.duty_start if latest and patterns is None else None),
        duty_end or (latest.duty_end if latest and patterns is None else None),
    )
    stored_patterns = {**pattern_set.as_json(), "duty_start": start.isoformat(), "duty_end": end.isoformat()}
    catalogue = catalogue_get()
    started = time.perf_counter()
    ctx = plan_input_build(regency=regency, patterns=pattern_set, duty_start=start, duty_end=end)
    same_basis = (
        latest is not None
        and latest.patterns == stored_patterns
        and (latest.duty_start, latest.duty_end) == (start, end)
        and latest.catalogue == catalogue.key
    )
    if mode == "replan" and latest is None:
        raise ValidationFailed("belum ada rencana untuk dirancang ulang", [FieldProblem("mode", "gunakan full")])
    use_replan = mode == "replan" or (mode == "auto" and same_basis)
    try:
        out = plan_replan(plan_output_load(latest), ctx.input) if use_replan and latest else plan_make(ctx.input)
    except PlanningError as exc:
        raise ValidationFailed(str(exc), [FieldProblem("input", str(exc))]) from exc
    violations = plan_violations(ctx.input, out)
    if violations:
        raise PlanRejected(
            f"rencana gagal diperiksa ({len(violations)} pelanggaran); tidak ada yang disimpan",
            [FieldProblem(v.rule, v.detail) for v in violations[:50]],
        )
    seconds = time.perf_counter() - started
    approved = Plan.objects.filter(scope=regency, status=Plan.Status.APPROVED).first()
    diff: dict[str, Any] = {}
    if approved is not None:
        diff = _diff_json(plan_diff(plan_output_load(approved), out), approved)
    try:
        with transaction.atomic():
            version = (Plan.objects.filter(scope=regency).aggregate(m=Max("version"))["m"] or 0) + 1
            plan = Plan.objects.create(
                scope=regency,
                version=version,
                status=Plan.Status.DRAFT,
                label=label[:160],
                mode="replan" if use_replan and latest else "full",
                base=latest if use_replan else None,
                compared_to=approved,
                duty_start=start,
                duty_end=end,
                catalogue=catalogue.key,
                patterns=stored_patterns,
                summary=_summary(ctx, out, seconds),
                diff=diff,
                created_by=actor if getattr(actor, "pk", None) else None,
                created_at=now,
                seconds=round(seconds, 4),
            )
            _plan_rows_write(plan, ctx, out)
            audit_append(
                action="deploy.plan.generate",
                actor=actor,
                object_type="plan",
                object_id=plan.id,
                data={
                    "scope": regency.code,
                    "version": version,
                    "mode": plan.mode,
                    "posts": len(out.posts),
                    "police_needed": out.police_needed,
                    "police_assigned": out.police_assigned,
                    "lower_bound": out.lower_bound,
                    "bko_police": plan.summary["bko_police"],
                    "changed_posts": len(out.change.changed) if out.change else None,
                },
                now=now,
            )
    except IntegrityError as exc:  # two runs at once took the same version number
        raise ValidationFailed(
            "rencana lain sedang dibuat bersamaan; ulangi", [FieldProblem("version", str(exc))]
        ) from exc
    return plan


def _plan_rows_write(plan: Plan, ctx: PlanContext, out: PlanOutput) -> None:
    posts = [
        Post(
            plan=plan,
            key=p.key,
            number=n,
            area_id=ctx.district_ids[p.area],
            island=p.island,
            category=p.category,
            priority=p.priority,
            lat=p.lat,
            lon=p.lon,
            diameter_m=p.diameter_m,
            police_needed=p.police_needed,
            tni_needed=p.tni_needed,
            linmas_needed=p.linmas_needed,
            unit_id=p.unit,
            status=p.status,
        )
        for n, p in enumerate(out.posts, start=1)
    ]
    Post.objects.bulk_create(posts, batch_size=1000)
    ids = dict(Post.objects.filter(plan=plan).values_list("key", "id"))
    PostStation.objects.bulk_create(
        [
            PostStation(plan=plan, post_id=ids[p.key], tps_id=t, category=out.tps_categories[t])
            for p in out.posts
            for t in p.tps
        ],
        batch_size=2000,
    )
    Assignment.objects.bulk_create(
        [
            Assignment(
                plan=plan,
                post_id=ids[a.post],
                person_id=a.person,
                unit_id=a.unit,
                sector=a.sector,
                source=a.source,
                crossing=a.crossing,
                distance_m=a.distance_m,
            )
            for a in out.assignments
        ],
        batch_size=2000,
    )


def plan_approve(*, actor: Any, plan: Plan, now: datetime) -> Plan:
    """Approve a draft (command): it becomes read-only; the previously approved version is superseded."""
    if actor is not None:
        deploy_require(actor, "deploy.approve")
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(id=plan.id)
        if plan.status != Plan.Status.DRAFT:
            raise ValidationFailed(
                f"rencana v{plan.version} berstatus {plan.get_status_display()}: hanya draf yang dapat disetujui",
                [FieldProblem("status", plan.status)],
            )
        previous = Plan.objects.filter(scope_id=plan.scope_id, status=Plan.Status.APPROVED).first()
        if previous is not None:
            previous.status = Plan.Status.SUPERSEDED
            previous.save(update_fields=["status"])
        plan.status = Plan.Status.APPROVED
        plan.approved_by = actor if getattr(actor, "pk", None) else None
        plan.approved_at = now
        plan.save(update_fields=["status", "approved_by", "approved_at"])
        audit_append(
            action="deploy.plan.approve",
            actor=actor,
            object_type="plan",
            object_id=plan.id,
            data={"scope_id": plan.scope_id, "version": plan.version, "superseded": previous.id if previous else None},
            now=now,
        )
    return plan


def availability_record(
    *, actor: Any, person: Person, kind: str, start: date, end: date, note: str = "", now: datetime
) -> Availability:
    """Record that a person cannot be deployed on some days (leave, sickness, another duty)."""
    if actor is not None:
        deploy_require(actor, "deploy.plan")
    problems = []
    if kind not in Availability.Kind.values:
        problems.append(FieldProblem("kind", f"salah satu dari: {', '.join(Availability.Kind.values)}", kind))
    if end < start:
        problems.append(FieldProblem("end", "tanggal selesai sebelum tanggal mulai", end.isoformat()))
    if problems:
        raise ValidationFailed("ketidaktersediaan tidak sah", problems)
    with transaction.atomic():
        row = Availability.objects.create(
            person=person,
            kind=kind,
            start=start,
            end=end,
            note=note[:255],
            created_by=actor if getattr(actor, "pk", None) else None,
            created_at=now,
        )
        audit_append(
            action="deploy.availability.record",
            actor=actor,
            object_type="person",
            object_id=person.id,
            data={"kind": kind, "start": start.isoformat(), "end": end.isoformat()},
            now=now,
        )
    return row
