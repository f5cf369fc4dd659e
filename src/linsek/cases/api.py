"""The cases API router (mounted by the API assembly at ``/api/v1/cases/``): deadline calculator, the
board, one case file (audited read), registering and transitions. Schemas in, service call, schema out."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.errors import HttpError

from linsek.api.auth import viewer_of
from linsek.api.errors import error_responses
from linsek.cases.access import access_case
from linsek.cases.deadlines import deadline_compute
from linsek.cases.errors import InvalidTransition
from linsek.cases.rules import RuleError, calculator_limit, rule_set
from linsek.cases.selectors import case_board
from linsek.cases.services import ArticleInput, PartyInput, case_register, case_transition
from linsek.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from linsek.regions.models import PollingStation, Region

# Authentication is the API's own (bearer token or session with CSRF), set on the NinjaAPI.
router = Router(tags=["cases"])


class DeadlineQuery(Schema):
    rule: str
    start: datetime
    zone: str = "Asia/Jakarta"


class SkippedOut(Schema):
    date: str
    reason: str


class DeadlineOut(Schema):
    rule: str
    start: datetime
    due: datetime
    zone: str
    limit_kind: str
    limit_value: int
    article: str
    counted_days: list[str]
    skipped: list[SkippedOut]
    steps: list[str]
    warnings: list[str]


class CaseProblemOut(Schema):
    """A refusal of this router's own shape (its name must differ from ``api.errors.ErrorOut``: OpenAPI
    components are keyed by class name, and a second ``ErrorOut`` replaced the shared one everywhere)."""

    error: str
    message: str
    allowed: list[str] = []


def _domain(exc: DomainError) -> HttpError:
    status = 404 if isinstance(exc, NotFound) else 403 if isinstance(exc, Forbidden) else 400
    return HttpError(status, exc.message)


@router.get(
    "/deadline",
    response={**error_responses(401), 200: DeadlineOut, 400: CaseProblemOut},
    summary="Compute a statutory deadline",
)
def deadline(request: HttpRequest, q: Query[DeadlineQuery]) -> Any:
    """Due moment and explanation for a rule (``investigation``, ``registration.report``, ``24h``, ``14wd`` …)
    from ``start`` (ISO 8601; a time without offset is read in ``zone``)."""
    try:
        limit, label = calculator_limit(q.rule)
        tz = ZoneInfo(q.zone)
    except RuleError as exc:
        return 400, {"error": "invalid_rule", "message": str(exc)}
    except (ZoneInfoNotFoundError, ValueError):
        return 400, {"error": "invalid_zone", "message": f"unknown time zone {q.zone!r}"}
    start = q.start if q.start.tzinfo is not None else q.start.replace(tzinfo=tz)
    rs = rule_set()
    d = deadline_compute(start=start, limit=limit, calendar=rs.calendar, zone=q.zone, counting=rs.counting)
    return 200, {
        "rule": label,
        "start": d.start,
        "due": d.due,
        "zone": d.zone,
        "limit_kind": limit.kind.value,
        "limit_value": limit.value,
        "article": limit.article,
        "counted_days": [x.isoformat() for x in d.counted_days],
        "skipped": [{"date": s.day.isoformat(), "reason": s.reason} for s in d.skipped],
        "steps": list(d.steps),
        "warnings": list(d.warnings),
    }


class BoardRowOut(Schema):
    id: int
    number: str
    title: str
    stage: str
    region: str
    due: datetime
    state: str
    used: float
    remaining_seconds: float


class BoardOut(Schema):
    counts: dict[str, int]
    total_open: int
    rows: list[BoardRowOut]


@router.get(
    "/board",
    response={200: BoardOut, **error_responses(401)},
    summary="Open cases most urgent first (case-file readers only)",
)
def board(request: HttpRequest, limit: int = 200) -> Any:
    b = case_board(viewer_of(request), now=timezone.now(), limit=max(1, min(limit, 1000)))
    return {
        "counts": b.counts,
        "total_open": b.total_open,
        "rows": [
            {
                "id": r.case.pk,
                "number": r.case.number,
                "title": r.case.title,
                "stage": r.case.stage,
                "region": r.case.region.code,
                "due": r.case.current_due_at,
                "state": r.state.value,
                "used": round(r.used, 4),
                "remaining_seconds": r.remaining_s,
            }
            for r in b.rows
        ],
    }


class StageOut(Schema):
    seq: int
    code: str
    started_at: datetime
    due_at: datetime | None
    ended_at: datetime | None
    met: bool | None
    article: str
    note: str
    document_sha256: str | None


class CaseOut(Schema):
    id: int
    uuid: uuid.UUID
    number: str
    title: str
    origin: str
    stage: str
    status: str
    outcome: str
    region: str
    known_at: datetime
    registered_at: datetime
    current_due_at: datetime | None
    can_change_result: bool
    articles: list[int]
    stages: list[StageOut]


def _case_out(case: Any) -> dict[str, Any]:
    return {
        "id": case.pk,
        "uuid": case.uuid,
        "number": case.number,
        "title": case.title,
        "origin": case.origin,
        "stage": case.stage,
        "status": case.status,
        "outcome": case.outcome,
        "region": case.region.code,
        "known_at": case.known_at,
        "registered_at": case.registered_at,
        "current_due_at": case.current_due_at,
        "can_change_result": case.can_change_result,
        "articles": [a.article for a in case.articles.all()],
        "stages": [
            {
                "seq": s.seq,
                "code": s.code,
                "started_at": s.started_at,
                "due_at": s.due_at,
                "ended_at": s.ended_at,
                "met": s.met,
                "article": s.article,
                "note": s.note,
                "document_sha256": s.document.sha256 if s.document else None,
            }
            for s in case.stages.select_related("document").order_by("seq")
        ],
    }


@router.get("/{case_id}", response={200: CaseOut, **error_responses(401)}, summary="One case file (audited read)")
def case_detail(request: HttpRequest, case_id: int) -> Any:
    try:
        case = access_case(viewer=viewer_of(request), case_id=case_id, now=timezone.now(), purpose="api")
    except DomainError as exc:
        raise _domain(exc) from exc
    return _case_out(case)


class PartyIn(Schema):
    role: str
    name: str


class CaseIn(Schema):
    client_uuid: uuid.UUID | None = None
    origin: str
    title: str
    summary: str = ""
    known_at: datetime
    occurred_at: datetime | None = None
    region: str
    tps: str | None = None
    origin_reference: str = ""
    report_uuid: uuid.UUID | None = None
    articles: list[int] = []
    parties: list[PartyIn] = []
    can_change_result: bool = False


@router.post("/", response={**error_responses(401), 201: CaseOut}, summary="Register a case (Bawaslu)")
def case_create(request: HttpRequest, payload: CaseIn) -> Any:
    region = Region.objects.filter(code=payload.region).first()
    tps = PollingStation.objects.filter(code=payload.tps).select_related("village").first() if payload.tps else None
    if region is None and tps is None:
        raise HttpError(400, f"unknown region {payload.region!r}")
    try:
        case = case_register(
            actor=viewer_of(request),
            origin=payload.origin,
            title=payload.title,
            summary=payload.summary,
            known_at=payload.known_at,
            occurred_at=payload.occurred_at,
            region=region or tps.village,  # type: ignore[union-attr]
            tps=tps,
            origin_reference=payload.origin_reference,
            report_uuid=payload.report_uuid,
            articles=[ArticleInput(a) for a in payload.articles],
            parties=[PartyInput(p.role, p.name) for p in payload.parties],
            can_change_result=payload.can_change_result,
            client_uuid=payload.client_uuid,
            now=timezone.now(),
        )
    except ValidationFailed as exc:
        raise HttpError(400, "; ".join([exc.message, *(f"{p.field}: {p.message}" for p in exc.problems)])) from exc
    except DomainError as exc:
        raise _domain(exc) from exc
    return 201, _case_out(case)


class TransitionIn(Schema):
    to_stage: str
    note: str = ""
    at: datetime | None = None
    document_id: int | None = None


@router.post(
    "/{case_id}/transitions",
    response={**error_responses(401), 200: CaseOut, 409: CaseProblemOut},
    summary="Move a case to its next stage",
)
def case_transition_create(request: HttpRequest, case_id: int, payload: TransitionIn) -> Any:
    from linsek.cases.services import DocumentInput

    now = timezone.now()
    try:
        case = access_case(viewer=viewer_of(request), case_id=case_id, now=now, purpose="transition")
        case_transition(
            actor=viewer_of(request),
            case=case,
            to_stage=payload.to_stage,
            now=now,
            note=payload.note,
            at=payload.at,
            document=DocumentInput(existing_id=payload.document_id) if payload.document_id else None,
        )
    except InvalidTransition as exc:
        return 409, {"error": exc.code, "message": exc.message, "allowed": list(exc.allowed)}
    except DomainError as exc:
        raise _domain(exc) from exc
    case.refresh_from_db()
    return 200, _case_out(case)
