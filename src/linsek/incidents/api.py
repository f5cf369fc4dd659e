"""``/api/v1/reports``: submit (one or a batch), list, read one, act on one, attach a file, district status.

Register with ``api.add_router("/reports", router)``. With a bearer token, ``POST /api/v1/reports`` and
``/batch`` are served by the async intake lane in ``linsek.asgi`` (group commit); these Django routes
are the same contract for the browser's session, for tests, and wherever the lane is not mounted.
Both call the same writer, so answers are identical: 201 created, 200 replay of the same content,
409 the UUID was used for different content (``original_id``), 422 invalid input naming the field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, File, Query, Router, Schema, UploadedFile

from linsek.api.errors import error_responses
from linsek.api.pagination import Page, PageParams, page_build
from linsek.core.errors import Forbidden
from linsek.core.middleware import current_client_addr, current_request_id
from linsek.incidents.access import access_report, report_relation
from linsek.incidents.models import Report
from linsek.incidents.selectors import (
    ReportFilters,
    district_statuses,
    report_recipients,
    report_timeline,
    reports_visible_to,
)
from linsek.incidents.services import actor_for, attachment_add, report_transition, reports_submit
from linsek.incidents.visibility import report_can

router = Router(tags=["reports"])


class ReportIn(Schema):
    """One report as a client sends it. Give the place as ``tps``, ``region`` or ``lat``/``lon``."""

    uuid: str = Field(description="made by the client (idempotency key): a resend returns the original")
    kind: str = Field(description="taxonomy code, e.g. politik_uang (see incidents/rules/taxonomy.json)")
    severity: int | None = Field(None, description="1 info … 4 critical; default from the kind")
    crowd_level: str | None = Field(None, description="hijau | kuning | merah (kind bentrok)")
    classification: Literal["public", "internal", "restricted"] | None = None
    tps: str | None = Field(None, description="TPS code, e.g. 33.20.04.2001.001")
    region: str | None = Field(None, description="village or district code when there is no TPS")
    lat: float | None = None
    lon: float | None = None
    observed_at: datetime | None = Field(None, description="when it happened (ISO 8601 with offset); default now")
    title: str | None = None
    description: str
    people_count: int | None = None
    ballot_count: int | None = None
    reporter_name: str | None = None
    reporter_phone: str | None = None
    reporter_nik: str | None = None


class BatchIn(Schema):
    reports: list[dict[str, Any]] = Field(description="up to 100 reports, each shaped like ReportIn")


class AcceptedOut(Schema):
    id: str
    reference: str
    status: str
    replayed: bool
    url: str
    lead: str | None = None
    reason: str | None = None


class ConflictOut(Schema):
    detail: str
    code: str
    original_id: str
    reference: str


class ReportOut(Schema):
    id: int
    reference: str
    uuid: str
    kind: str
    severity: int
    crowd_level: str
    status: str
    classification: str
    title: str
    description: str
    observed_at: datetime
    received_at: datetime
    district: str | None
    tps: str | None
    lat: float | None
    lon: float | None
    channel: str
    lead: str | None
    needs_verification: bool
    handled_by: str | None


class ReportPage(Page):
    items: list[ReportOut]


class EventOut(Schema):
    at: datetime
    actor: str
    action: str
    from_status: str
    to_status: str
    note: str


class RecipientOut(Schema):
    organisation: str
    role: str


class ReportDetailOut(ReportOut):
    routing: dict[str, Any]
    recipients: list[RecipientOut]
    timeline: list[EventOut]
    reporter_name: str | None = Field(None, description="only for the receiving agency and the reporter")
    reporter_phone: str | None = None
    reporter_nik: str | None = None
    allowed_actions: list[str]


class TransitionIn(Schema):
    action: Literal["acknowledge", "verify", "reject", "start", "resolve", "reopen", "close", "approve_closure"]
    note: str = ""
    reason: Literal["duplicate", "hoax", "out_of_scope", ""] = ""


class DistrictStatusOut(Schema):
    code: str
    name: str
    status: str
    colour: str
    score: int
    open_reports: int


def _submit_items(request: HttpRequest, items: list[dict[str, Any]]) -> list[Any]:
    user = request.auth  # type: ignore[attr-defined]
    if not report_can(user, "reports.submit"):
        raise Forbidden("perlu hak 'reports.submit'")
    channel = "api" if getattr(request, "api_token", None) is not None else "web"
    return reports_submit(
        actor=actor_for(user, channel=channel),
        items=items,
        now=timezone.now(),
        request_id=current_request_id.get(),
        client_addr=current_client_addr.get(),
    )


def _json(outcome: Any) -> HttpResponse:
    import orjson

    return HttpResponse(orjson.dumps(outcome.body), status=outcome.http_status, content_type="application/json")


@router.post("", response={201: AcceptedOut, 200: AcceptedOut, 409: ConflictOut, **error_responses(401, 403, 422)})
def report_create(request: HttpRequest, payload: ReportIn) -> HttpResponse:
    """File one report. Resending the same UUID with the same content returns the original (200)."""
    raw = payload.dict(exclude_none=True)
    if "observed_at" in raw:
        raw["observed_at"] = payload.observed_at.isoformat() if payload.observed_at else None
    return _json(_submit_items(request, [raw])[0])


@router.post("/batch", response={200: dict, 207: dict, **error_responses(401, 403, 422)})
def report_create_batch(request: HttpRequest, payload: BatchIn) -> HttpResponse:
    """File many reports at once (an app coming back online). One result per report, in order; 207 if any failed."""
    from linsek.core.errors import FieldProblem, ValidationFailed
    from linsek.incidents.rules import intake_limits

    limit = intake_limits().batch_max
    if not payload.reports or len(payload.reports) > limit:
        raise ValidationFailed("batch size", [FieldProblem("reports", f"1–{limit} laporan per kiriman")])
    outcomes = _submit_items(request, payload.reports)
    import orjson

    results = [{**o.body, "http_status": o.http_status} for o in outcomes]
    status = 207 if any(o.http_status >= 400 for o in outcomes) else 200
    return HttpResponse(orjson.dumps({"results": results}), status=status, content_type="application/json")


def _out(report: Report) -> dict[str, Any]:
    return {
        "id": report.pk,
        "reference": report.reference,
        "uuid": str(report.uuid),
        "kind": report.kind,
        "severity": report.severity,
        "crowd_level": report.crowd_level,
        "status": report.status,
        "classification": report.classification,
        "title": report.title,
        "description": report.description,
        "observed_at": report.observed_at,
        "received_at": report.received_at,
        "district": report.district.name if report.district_id and report.district else None,
        "tps": report.tps.code if report.tps_id and report.tps else None,
        "lat": report.lat,
        "lon": report.lon,
        "channel": report.channel,
        "lead": report.lead_org.name if report.lead_org_id and report.lead_org else None,
        "needs_verification": report.needs_verification,
        "handled_by": report.handled_by.get_username() if report.handled_by_id and report.handled_by else None,
    }


class ListFilters(Schema):
    kind: str = ""
    severity_min: int = Field(0, ge=0, le=4)
    status: str = ""
    district: str = Field("", description="district code")
    organisation: str = Field("", description="organisation code: reports routed to it")


@router.get("", response={200: ReportPage, **error_responses(401, 422)})
def report_list(request: HttpRequest, filters: Query[ListFilters], page: Query[PageParams]) -> dict[str, Any]:
    """Reports you may see (need-to-know), newest first; never the reporter's identity."""
    from linsek.agencies.models import Organisation
    from linsek.regions.models import Region

    district_id = (
        Region.objects.filter(code=filters.district).values_list("id", flat=True).first() if filters.district else None
    )
    org_id = (
        Organisation.objects.filter(code=filters.organisation).values_list("id", flat=True).first()
        if filters.organisation
        else None
    )
    qs = reports_visible_to(
        request.auth,  # type: ignore[attr-defined]
        filters=ReportFilters(
            kind=filters.kind,
            severity_min=filters.severity_min,
            status=filters.status,
            district_id=district_id if not filters.district else (district_id or -1),
            organisation_id=org_id if not filters.organisation else (org_id or -1),
        ),
    ).select_related("district", "tps", "lead_org", "handled_by")
    return page_build(request, qs, page, item=_out)


@router.get("/status", response={200: list[DistrictStatusOut], **error_responses(401)})
def report_district_status(request: HttpRequest) -> list[dict[str, Any]]:
    """Per-district Kamtibmas status from the open reports you may see (thresholds: rules/status.json)."""
    return [
        {
            "code": d.code,
            "name": d.name,
            "status": d.level.code,
            "colour": d.level.colour,
            "score": d.score,
            "open_reports": d.open_reports,
        }
        for d in district_statuses(request.auth)  # type: ignore[attr-defined]
    ]


@router.get("/{int:report_id}", response={200: ReportDetailOut, **error_responses(401, 404)})
def report_get(request: HttpRequest, report_id: int) -> dict[str, Any]:
    """One report with its routing decision, recipients and timeline (identity only for the receiving agency)."""
    from linsek.incidents.lifecycle import allowed_actions

    viewer = request.auth  # type: ignore[attr-defined]
    report = access_report(viewer=viewer, report_id=report_id)
    relation = report_relation(viewer=viewer, report=report)
    data = _out(report)
    data.update(
        routing=report.routing,
        recipients=[{"organisation": name, "role": role} for name, role, _ in report_recipients(report)],
        timeline=[
            {
                "at": e.at,
                "actor": e.actor_label,
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "note": e.note,
            }
            for e in report_timeline(report)
        ],
        allowed_actions=allowed_actions(report.status) if relation.can_act else [],
    )
    if relation.identity:
        data.update(
            reporter_name=report.reporter_name, reporter_phone=report.reporter_phone, reporter_nik=report.reporter_nik
        )
    return data


@router.post("/{int:report_id}/transitions", response={200: ReportOut, **error_responses(400, 401, 403, 404, 422)})
def report_transition_post(request: HttpRequest, report_id: int, payload: TransitionIn) -> dict[str, Any]:
    """Move the report along its lifecycle; an action not allowed from its status is a 400 naming the allowed ones."""
    report = report_transition(
        actor=request.auth,  # type: ignore[attr-defined]
        report_id=report_id,
        action=payload.action,
        note=payload.note,
        reason=payload.reason,
        now=timezone.now(),
    )
    return _out(Report.objects.select_related("district", "tps", "lead_org", "handled_by").get(pk=report.pk))


class AttachmentOut(Schema):
    id: int
    content_type: str
    size: int
    sha256: str


@router.post("/{int:report_id}/attachments", response={201: AttachmentOut, **error_responses(401, 403, 404, 422)})
def report_attachment_post(
    request: HttpRequest, report_id: int, file: File[UploadedFile]
) -> tuple[int, dict[str, Any]]:
    """Attach a photo (JPEG/PNG/WebP) or PDF; the type is read from the content, the size limited."""
    from linsek.core.errors import ValidationFailed
    from linsek.incidents.rules import intake_limits

    if file.size is not None and file.size > intake_limits().attachment_max_bytes:
        raise ValidationFailed(
            f"berkas terlalu besar: {file.size:,} byte, paling besar {intake_limits().attachment_max_bytes:,} byte"
        )
    attachment = attachment_add(
        actor=request.auth,  # type: ignore[attr-defined]
        report_id=report_id,
        name=file.name or "",
        content=file.read(),
        now=timezone.now(),
    )
    return 201, {
        "id": attachment.pk,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
    }
