"""``/api/v1/deploy``: plan versions (list, read, generate, approve), posts with teams, availability.

Register with ``api.add_router("/deploy", deploy.api.router)``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from linsek.agencies.access import access_person
from linsek.api.auth import viewer_of
from linsek.api.errors import error_responses
from linsek.deploy.access import access_plan, deploy_require
from linsek.deploy.models import Availability
from linsek.deploy.selectors import plan_layer_rows, plans_visible_to
from linsek.deploy.services import availability_record, plan_approve, plan_generate
from linsek.regions.access import access_region

router = Router(tags=["deploy"])


class PlanOut(Schema):
    id: int
    scope: str
    version: int
    status: str
    mode: str
    label: str
    duty_start: date
    duty_end: date
    created_at: datetime
    approved_at: datetime | None
    summary: dict[str, Any]
    diff: dict[str, Any]

    @staticmethod
    def resolve_scope(obj: Any) -> str:
        return str(obj.scope.code)


@router.get("/plans", response={200: list[PlanOut], **error_responses(401, 403, 404)}, summary="Plan versions")
def plans_list(request: HttpRequest, scope: str | None = None) -> Any:
    viewer = viewer_of(request)
    deploy_require(viewer, "deploy.view")
    region = access_region(viewer=viewer, code=scope) if scope else None
    return list(plans_visible_to(viewer, scope=region)[:200])


@router.get("/plans/{plan_id}", response={200: PlanOut, **error_responses(401, 404)}, summary="One plan version")
def plan_read(request: HttpRequest, plan_id: int) -> Any:
    return access_plan(viewer=viewer_of(request), plan_id=plan_id)


class PostOut(Schema):
    key: str
    number: int
    lat: float
    lon: float
    category: str
    status: str
    island: str
    unit: str | None
    police_needed: int
    tps: list[str]
    team: list[str]


@router.get(
    "/plans/{plan_id}/posts",
    response={200: list[PostOut], **error_responses(401, 404)},
    summary="Posts of a plan with TPS and team (no phone numbers)",
)
def plan_posts_read(request: HttpRequest, plan_id: int) -> Any:
    viewer = viewer_of(request)
    return plan_layer_rows(viewer, plan=access_plan(viewer=viewer, plan_id=plan_id))


class PlanIn(Schema):
    scope: str = Field(description="regency code, e.g. 33.20")
    mode: str = Field("auto", pattern="^(auto|full|replan)$")
    label: str = Field("", max_length=160)
    patterns: dict[str, Any] | None = Field(
        None, description="a pattern document; default: the latest plan's, else the defaults"
    )


@router.post(
    "/plans", response={201: PlanOut, **error_responses(401, 403, 404, 422)}, summary="Generate a new plan version"
)
def plan_create(request: HttpRequest, body: PlanIn) -> tuple[int, Any]:
    viewer = viewer_of(request)
    deploy_require(viewer, "deploy.plan")
    region = access_region(viewer=viewer, code=body.scope)
    plan = plan_generate(
        actor=viewer, regency=region, now=timezone.now(), patterns=body.patterns, mode=body.mode, label=body.label
    )
    return 201, plan


@router.post(
    "/plans/{plan_id}/approve",
    response={200: PlanOut, **error_responses(401, 403, 404, 422)},
    summary="Approve a draft (command); it becomes read-only",
)
def plan_approve_route(request: HttpRequest, plan_id: int) -> Any:
    viewer = viewer_of(request)
    return plan_approve(actor=viewer, plan=access_plan(viewer=viewer, plan_id=plan_id), now=timezone.now())


class AvailabilityIn(Schema):
    person_id: int
    kind: Availability.Kind
    start: date
    end: date
    note: str = Field("", max_length=255)


class AvailabilityOut(Schema):
    id: int
    person_id: int
    kind: str
    start: date
    end: date


@router.post(
    "/availability",
    response={201: AvailabilityOut, **error_responses(401, 403, 404, 422)},
    summary="Record that a person cannot be deployed (leave, sick, other duty)",
)
def availability_create(request: HttpRequest, body: AvailabilityIn) -> tuple[int, Any]:
    viewer = viewer_of(request)
    deploy_require(viewer, "deploy.plan")
    person = access_person(viewer=viewer, person_id=body.person_id)
    row = availability_record(
        actor=viewer, person=person, kind=body.kind, start=body.start, end=body.end, note=body.note, now=timezone.now()
    )
    return 201, row
