"""The situation report's JSON API (django-ninja router; the lead mounts it under /api/v1/laporan-situasi).

``GET /harian`` returns the live content of a region's day (not stored); ``POST /harian`` stores a snapshot or,
with ``issue``, the day's frozen official report; ``GET /{id}`` returns a stored report's content and hashes.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from linsek.api.errors import error_responses
from linsek.coord.api import viewer
from linsek.reports.access import access_sitrep, access_sitrep_region, require_issue
from linsek.reports.content import sitrep_build
from linsek.reports.models import SituationReport
from linsek.reports.selectors import sitreps_visible_to
from linsek.reports.services import sitrep_generate, sitrep_verify

router = Router(tags=["laporan-situasi"])


class SitrepOut(Schema):
    id: int
    region: str
    date_from: date
    date_to: date
    status: str
    has_data: bool
    final: bool
    content_sha256: str
    audit_seq: int | None
    audit_hash: str
    verified: bool
    content: dict[str, Any] | None = None


def _out(report: SituationReport, *, with_content: bool) -> SitrepOut:
    return SitrepOut(
        id=report.pk,
        region=report.region.code,
        date_from=report.date_from,
        date_to=report.date_to,
        status=report.status,
        has_data=report.has_data,
        final=report.final,
        content_sha256=report.content_sha256,
        audit_seq=report.audit_seq,
        audit_hash=report.audit_hash,
        verified=sitrep_verify(report) if with_content else True,
        content=json.loads(report.content_json) if with_content else None,
    )


@router.get(
    "/harian",
    response={200: dict[str, Any], **error_responses(404)},  # 404: the region is unknown or not the viewer's
    summary="The live content of a region's day (not stored)",
)
def daily_live(request: HttpRequest, region: str, day: date) -> dict[str, Any]:
    target = access_sitrep_region(viewer=viewer(request), code=region)
    return sitrep_build(region=target, date_from=day, date_to=day, now=timezone.now())


class GenerateIn(Schema):
    region: str
    date_from: date
    date_to: date | None = None
    issue: bool = False


@router.post(
    "/harian",
    response={201: SitrepOut, **error_responses(404)},  # 404: the region is unknown or not the viewer's
    summary="Store a snapshot, or issue the day's frozen report",
)
def daily_post(request: HttpRequest, payload: GenerateIn) -> tuple[int, SitrepOut]:
    user = viewer(request)
    if payload.issue:
        require_issue(user)
    target = access_sitrep_region(viewer=user, code=payload.region)
    report = sitrep_generate(
        actor=user,
        region=target,
        date_from=payload.date_from,
        date_to=payload.date_to,
        now=timezone.now(),
        issue=payload.issue,
    )
    return 201, _out(report, with_content=True)


@router.get("", response=list[SitrepOut], summary="Stored reports the viewer may read (newest first)")
def sitrep_list(request: HttpRequest, issued_only: bool = True, limit: int = 50) -> list[SitrepOut]:
    qs = sitreps_visible_to(viewer(request), issued_only=issued_only)[: max(1, min(limit, 500))]
    return [_out(r, with_content=False) for r in qs]


@router.get("/{report_id}", response=SitrepOut, summary="A stored report: content, hashes, verification")
def sitrep_get(request: HttpRequest, report_id: int) -> SitrepOut:
    return _out(access_sitrep(viewer=viewer(request), report_id=report_id), with_content=True)
