"""``/api/v1/risk``: the indicator catalogue, one TPS's category and why, assessments, overrides, roll-ups.

Register with ``api.add_router("/risk", risk.api.router)``. Thin: schemas in, service/selector call,
schema out; domain errors become the API's JSON errors in ``linsek.api.errors``.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from linsek.api.auth import viewer_of
from linsek.api.errors import error_responses
from linsek.core.errors import FieldProblem, ValidationFailed
from linsek.regions.access import access_region
from linsek.risk.access import access_tps_risk, risk_require
from linsek.risk.catalogue import catalogue_get
from linsek.risk.models import Assessment
from linsek.risk.selectors import risk_rollup, tps_risk_view
from linsek.risk.services import AssessmentInput, assessment_record, category_override

router = Router(tags=["risk"])


class IndicatorOut(Schema):
    code: str
    variable: str
    name_id: str
    name_en: str
    kind: str = Field(description="bool (yes/no) or count")
    weight: float
    minimum: int
    maximum: int
    min_category: str | None = None


class CategoryOut(Schema):
    code: str
    name_id: str
    name_en: str
    rank: int
    index_weight: float
    colour: str


class CatalogueOut(Schema):
    key: str
    election: str
    source: str
    weights_source: str
    max_score: float
    thresholds: dict[str, float]
    categories: list[CategoryOut]
    indicators: list[IndicatorOut]


@router.get(
    "/catalogue", response={200: CatalogueOut, **error_responses(401, 403)}, summary="The indicator catalogue in force"
)
def catalogue_read(request: HttpRequest) -> dict[str, Any]:
    risk_require(viewer_of(request), "risk.view")
    cat = catalogue_get()
    return {
        "key": cat.key,
        "election": cat.election,
        "source": cat.source,
        "weights_source": cat.weights_source,
        "max_score": cat.max_score,
        "thresholds": {t.category: t.min_score for t in cat.thresholds},
        "categories": [asdict(c) for c in cat.categories],
        "indicators": [asdict(i) for i in cat.indicators],
    }


class ContributionOut(Schema):
    code: str
    value: int
    points: float


class ReasonOut(Schema):
    rule: str = Field(description="threshold, floor (an indicator's minimum category) or khusus")
    category: str
    detail: str


class TpsRiskOut(Schema):
    tps: str
    category: str
    computed_category: str | None
    override_category: str | None
    override_reason: str | None
    score: float | None
    index: float | None
    assessed_at: datetime | None
    catalogue: str | None
    contributions: list[ContributionOut]
    reasons: list[ReasonOut]


def _tps_out(request: HttpRequest, code: str) -> dict[str, Any]:
    viewer = viewer_of(request)
    tps = access_tps_risk(viewer=viewer, code=code)
    view = tps_risk_view(viewer, tps=tps)
    assert view is not None
    latest = view.latest
    return {
        "tps": tps.code,
        "category": view.category,
        "computed_category": view.state.computed_category if view.state else None,
        "override_category": (view.state.override_category or None) if view.state else None,
        "override_reason": (view.state.override_reason or None) if view.state else None,
        "score": latest.score if latest else None,
        "index": latest.index if latest else None,
        "assessed_at": latest.assessed_at if latest else None,
        "catalogue": latest.catalogue if latest else None,
        "contributions": [{"code": r.code, "value": r.value, "points": r.points} for r in view.rows],
        "reasons": [{"rule": r[0], "category": r[1], "detail": r[2]} for r in view.reasons],
    }


@router.get(
    "/tps/{code}", response={200: TpsRiskOut, **error_responses(401, 403, 404)}, summary="A TPS's category and why"
)
def tps_risk_read(request: HttpRequest, code: str) -> dict[str, Any]:
    return _tps_out(request, code)


class AssessmentIn(Schema):
    values: dict[str, int | bool | str] = Field(
        description="indicator code → yes/no (true/false, 'ya'/'tidak', 1/0) or count"
    )
    assessed_at: datetime | None = Field(None, description="default: now")
    assessor_role: Assessment.AssessorRole = Assessment.AssessorRole.PENGAWAS
    note: str = Field("", max_length=255)
    uuid: UUID | None = Field(None, description="client-made; a replay returns the original")


@router.post(
    "/tps/{code}/assessments",
    response={201: TpsRiskOut, **error_responses(401, 403, 404, 422)},
    summary="Record an assessment of a TPS",
)
def assessment_create(request: HttpRequest, code: str, body: AssessmentIn) -> tuple[int, dict[str, Any]]:
    viewer = viewer_of(request)
    tps = access_tps_risk(viewer=viewer, code=code)
    now = timezone.now()
    assessment_record(
        actor=viewer,
        item=AssessmentInput(
            tps=tps,
            values=body.values,
            assessed_at=body.assessed_at or now,
            assessor_role=body.assessor_role,
            assessor_person=getattr(viewer, "person", None),
            assessor_organisation=getattr(viewer, "organisation", None),
            note=body.note,
            uuid=body.uuid,
        ),
        source=Assessment.Source.API,
        now=now,
    )
    return 201, _tps_out(request, code)


class OverrideIn(Schema):
    category: str = Field(description="a category code, or '' to clear the override")
    reason: str = Field(min_length=1, max_length=2000)


@router.post(
    "/tps/{code}/override",
    response={200: TpsRiskOut, **error_responses(401, 403, 404, 422)},
    summary="Set or clear a TPS's category by hand (command role), with a written reason",
)
def override_set(request: HttpRequest, code: str, body: OverrideIn) -> dict[str, Any]:
    viewer = viewer_of(request)
    tps = access_tps_risk(viewer=viewer, code=code)
    category_override(actor=viewer, tps=tps, category=body.category, reason=body.reason, now=timezone.now())
    return _tps_out(request, code)


class AreaRiskOut(Schema):
    code: str
    name: str
    tps: int
    unassessed: int
    counts: dict[str, int]
    index: float


@router.get(
    "/rollup/{code}",
    response={200: list[AreaRiskOut], **error_responses(401, 403, 404, 422)},
    summary="Counts per category and the 0–100 index for each area below a regency or district",
)
def rollup_read(request: HttpRequest, code: str, level: str | None = None) -> list[dict[str, Any]]:
    viewer = viewer_of(request)
    risk_require(viewer, "risk.view")
    region = access_region(viewer=viewer, code=code)
    if level not in (None, "district", "village") or region.level not in ("regency", "district"):
        raise ValidationFailed(
            "roll-up per kecamatan atau desa di bawah kabupaten/kecamatan",
            [FieldProblem("level", "district atau village", str(level))],
        )
    return [
        {
            "code": a.region.code,
            "name": a.region.name,
            "tps": a.region.tps_count,
            "unassessed": a.unassessed,
            "counts": a.rollup.counts,
            "index": a.rollup.index,
        }
        for a in risk_rollup(viewer, parent=region, level=level)
    ]
