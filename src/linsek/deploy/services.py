"""Writes of the deploy app: plan versions (generate, approve), availability of people.

``plan_generate`` computes everything in memory first (pool, planner, the independent validator); only
a plan that passes every check is written, in one transaction, as a new *draft* version. A run that
fails writes nothing — in particular it never touches the approved plan. Approved plans are read-only:
no service edits their rows; a new version records its differences from the approved one.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from linsek.agencies.models import Person
from linsek.audit.services import audit_append
from linsek.core.errors import DomainError, FieldProblem, ValidationFailed
from linsek.deploy.access import deploy_require
from linsek.deploy.models import Assignment, Availability, Plan, PlanJob, Post, PostStation
from linsek.deploy.patterns import PatternError, PatternSet, default_patterns_raw, pattern_set_parse
from linsek.deploy.planner import (
    LINMAS,
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
    empty: dict[str, list[int]] = {POLICE: [], TNI: [], LINMAS: []}
    assignments: list[PlannedAssignment] = []
    keys: dict[int, str] = {}
    posts: list[PlannedPost] = []
    rows = list(Post.objects.filter(plan=plan).select_related("area").order_by("key"))
    for row in rows:
        keys[row.id] = row.key
    for person_id, post_id, unit_id, sector, source, crossing, distance_m in (
        Assignment.objects.filter(plan=plan)
        .order_by("person_id")
        .values_list("person_id", "post_id", "unit_id", "sector", "source", "crossing", "distance_m")
    ):
        teams.setdefault(post_id, {POLICE: [], TNI: [], LINMAS: []})[sector].append(person_id)
        assignments.append(
            PlannedAssignment(person_id, keys[post_id], unit_id, sector, source, bool(crossing), distance_m)
        )
    for row in rows:
        team = teams.get(row.id, empty)
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
                linmas=tuple(team[LINMAS]),
            )
        )
    summary = plan.summary or {}
    linmas = summary.get("linmas") or {}
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
        linmas=LinmasNeed(int(linmas.get("at_tps", 0)), int(linmas.get("at_offices", 0)), linmas.get("available")),
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
            "named": out.linmas_named,
            "short_at_posts": out.linmas_short_at_posts,
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
                    "linmas_named": out.linmas_named,
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
    _rows_insert(
        PostStation,
        ["plan", "post", "tps", "category"],
        [(plan.id, ids[p.key], t, out.tps_categories[t]) for p in out.posts for t in p.tps],
    )
    _rows_insert(
        Assignment,
        ["plan", "post", "person", "unit", "sector", "source", "crossing", "distance_m"],
        [
            (plan.id, ids[a.post], a.person, a.unit, a.sector, a.source, a.crossing, a.distance_m)
            for a in out.assignments
        ],
    )


def _rows_insert(model: Any, fields: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Plain ``executemany`` of tuples. A Jepara plan writes ~11,000 rows (TPS, police, named Linmas);
    ``bulk_create`` spent most of the plan's time preparing model instances, not in the database."""
    if not rows:
        return
    meta = model._meta
    qn = connection.ops.quote_name
    columns = ", ".join(qn(meta.get_field(f).column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608 (names from the model)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # COPY: a national run writes ~1.2 million such rows
            copy_sql = f"COPY {qn(meta.db_table)} ({columns}) FROM STDIN"
            with cursor.cursor.copy(copy_sql) as copy:
                for row in rows:
                    copy.write_row(row)
            return
        for i in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[i : i + 5000])


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


# ------------------------------------------------------------------------------------ the planning queue
ENQUEUE_CHUNK = 50  # jobs queued per transaction


def plan_jobs_enqueue(
    *,
    actor: Any,
    regencies: Sequence[Region] | None = None,
    now: datetime,
    mode: str = "auto",
    label: str = "",
    patterns: dict[str, Any] | None = None,
) -> tuple[str, list[PlanJob]]:
    """Queue one planning job per regency for ``linsek worker`` (``regencies=None``: every regency with TPS).

    Patterns are checked here, so a bad pattern is refused at once instead of failing in the worker. A
    regency that already has a queued or running job is skipped (its job stands). Returns the batch name and
    the new jobs; their status is on :class:`PlanJob` (``plan_jobs_status`` for a batch).
    """
    if actor is not None:
        deploy_require(actor, "deploy.plan")
    if mode not in ("auto", "full", "replan"):
        raise ValidationFailed("mode tidak dikenal", [FieldProblem("mode", "auto, full atau replan", mode)])
    if patterns is not None:
        patterns_parse(patterns)
        _duty(patterns, None, None)
    if regencies is None:
        from django.db.models import Count

        from linsek.regions.models import PollingStation

        sizes = dict(PollingStation.objects.values("regency_id").annotate(n=Count("id")).values_list("regency_id", "n"))
        # Largest first: the last jobs to start are the short ones, so the workers finish together.
        targets = sorted(
            Region.objects.filter(level="regency", id__in=list(sizes)), key=lambda r: (-sizes[r.id], r.code)
        )
    else:
        targets = list(regencies)
        wrong = [r.code for r in targets if r.level != "regency"]
        if wrong:
            raise ValidationFailed(
                "rencana dibuat per kabupaten/kota", [FieldProblem("regency", f"bukan kabupaten: {', '.join(wrong)}")]
            )
    plan_jobs_orphans_fail(now=now)
    busy = set(
        PlanJob.objects.filter(
            scope__in=targets, status__in=[PlanJob.Status.QUEUED, PlanJob.Status.RUNNING]
        ).values_list("scope_id", flat=True)
    )
    batch = f"{now:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:8]}"
    user = actor if getattr(actor, "pk", None) else None
    fresh = [r for r in targets if r.id not in busy]
    from linsek.deploy.tasks import plan_job_task

    jobs: list[PlanJob] = []
    # One transaction per chunk of 50: the job rows, their tasks (django-tasks-db's enqueue is an INSERT into
    # this same database) and the task ids commit together, so a failure anywhere leaves no job queued without
    # a task (it would never run and would block its regency), and workers start on the first chunks while
    # the rest are still being queued.
    for i in range(0, len(fresh), ENQUEUE_CHUNK):
        with transaction.atomic():
            chunk = PlanJob.objects.bulk_create(
                [
                    PlanJob(
                        batch=batch,
                        scope=r,
                        mode=mode,
                        label=label[:160],
                        patterns=patterns,
                        requested_by=user,
                        enqueued_at=now,
                    )
                    for r in fresh[i : i + ENQUEUE_CHUNK]
                ]
            )
            for job in chunk:
                job.task_id = str(plan_job_task.enqueue(job.id).id)
            PlanJob.objects.bulk_update(chunk, ["task_id"])
            audit_append(
                action="deploy.plan.enqueue",
                actor=actor,
                object_type="plan_job",
                object_id=batch,
                data={
                    "batch": batch,
                    "jobs": len(chunk),
                    "regencies": [r.code for r in fresh[i : i + ENQUEUE_CHUNK]],
                    "skipped": 0 if i else len(busy),
                    "mode": mode,
                },
                now=now,
            )
        jobs.extend(chunk)
    return batch, jobs


ORPHAN_AFTER = timedelta(minutes=30)  # a regency plans in seconds; a job "running" this long has lost its worker


def plan_jobs_orphans_fail(*, now: datetime) -> int:
    """Mark as failed the jobs left "running" by a worker that died (killed, crashed) in the middle of them.

    Such a job wrote no plan (``plan_generate`` is one transaction) but would otherwise block its regency's
    queue and show "running" for ever. A worker of this machine whose process is gone is known at once;
    others after ``ORPHAN_AFTER``. Returns how many jobs were marked.
    """
    from linsek.notify.services import worker_gone

    running = PlanJob.objects.filter(status=PlanJob.Status.RUNNING).values_list("id", "worker", "started_at")
    orphans = [
        job_id
        for job_id, worker, started_at in running
        if (worker and worker_gone(worker)) or (started_at is not None and started_at < now - ORPHAN_AFTER)
    ]
    if not orphans:
        return 0
    return PlanJob.objects.filter(id__in=orphans, status=PlanJob.Status.RUNNING).update(
        status=PlanJob.Status.FAILED,
        finished_at=now,
        error="Pekerja latar belakang berhenti di tengah perhitungan; tidak ada rencana yang diubah. "
        "Antrekan lagi. (The background worker stopped during the run; no plan was changed. Queue it again.)",
    )


def plan_job_run(*, job_id: int, worker: str = "") -> PlanJob:
    """Run one queued planning job (in the worker; tests and the CLI may call it directly).

    The job is claimed by a conditional update (queued → running), so even a task delivered twice plans
    once. ``plan_generate`` writes the plan in one transaction; a failure writes no plan, leaves the approved
    plan as it was, and is kept on the job as its error message.
    """
    started_at = timezone.now()
    claimed = PlanJob.objects.filter(id=job_id, status=PlanJob.Status.QUEUED).update(
        status=PlanJob.Status.RUNNING, started_at=started_at, worker=worker[:120]
    )
    job = PlanJob.objects.select_related("scope", "requested_by").get(id=job_id)
    if not claimed:
        return job
    started = time.perf_counter()
    try:
        plan = plan_generate(
            actor=job.requested_by,
            regency=job.scope,
            now=started_at,
            patterns=job.patterns,
            mode=job.mode,
            label=job.label,
        )
    except DomainError as exc:
        problems = getattr(exc, "problems", [])
        error = "\n".join([exc.message, *[f"{p.field}: {p.message}" for p in problems[:20]]])
        _job_finish(job, status=PlanJob.Status.FAILED, started=started, error=error)
    except Exception as exc:  # a bug: recorded on the job, then raised so the worker logs it
        _job_finish(job, status=PlanJob.Status.FAILED, started=started, error=f"{type(exc).__name__}: {exc}")
        raise
    else:
        _job_finish(job, status=PlanJob.Status.DONE, started=started, plan=plan)
    return job


def _job_finish(job: PlanJob, *, status: str, started: float, plan: Plan | None = None, error: str = "") -> None:
    job.status, job.plan, job.error = status, plan, error
    job.seconds = round(time.perf_counter() - started, 4)
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "seconds", "finished_at", "plan", "error"])
