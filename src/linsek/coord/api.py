"""The coordination room's JSON API (django-ninja router; the lead mounts it under /api/v1/koordinasi).

Thin: schemas in, service call, schema out. Domain errors (``linsek.core.errors``) propagate to the API's one
error mapping (NotFound → 404, Forbidden → 403, ValidationFailed → 400 with the field problems).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.errors import HttpError

from linsek.agencies.models import Organisation, Person
from linsek.api.errors import error_responses
from linsek.coord.access import access_action_item, access_meeting, coord_can
from linsek.coord.calendar_grid import local_date
from linsek.coord.models import ActionItem, CalendarEvent, Meeting
from linsek.coord.selectors import (
    Entry,
    action_items_visible_to,
    calendar_entries,
    meeting_detail,
    meetings_visible_to,
    upcoming_entries,
    zone,
)
from linsek.coord.services import (
    ActionInput,
    EventInput,
    MeetingInput,
    action_item_add,
    action_item_set_status,
    decision_add,
    event_create,
    meeting_create,
)
from linsek.core.errors import FieldProblem, Forbidden, NotFound, ValidationFailed
from linsek.regions.models import Region

router = Router(tags=["koordinasi"])


def viewer(request: HttpRequest) -> Any:
    """The authenticated user: the API's auth result (token) or the session user."""
    user = getattr(request, "auth", None)
    if not getattr(user, "is_authenticated", False):
        user = getattr(request, "user", None)
    if not getattr(user, "is_authenticated", False):
        raise HttpError(401, "login required")
    return user


class EntryOut(Schema):
    key: str
    kind: str
    title: str
    starts_at: datetime
    ends_at: datetime
    all_day: bool
    first_day: date
    last_day: date
    place: str
    region: str
    cancelled: bool
    derived: bool
    expected_crowd: int | None
    url: str


def _entry(e: Entry) -> EntryOut:
    return EntryOut(
        key=e.key,
        kind=e.kind,
        title=e.title,
        starts_at=e.starts_at,
        ends_at=e.ends_at,
        all_day=e.all_day,
        first_day=e.first_day,
        last_day=e.last_day,
        place=e.place,
        region=e.region_name,
        cancelled=e.cancelled,
        derived=e.derived,
        expected_crowd=e.expected_crowd,
        url=e.url,
    )


@router.get("/kalender", response=list[EntryOut], summary="Stages, agency events and meetings in a range")
def calendar_list(request: HttpRequest, start: date, end: date) -> list[EntryOut]:
    user = viewer(request)
    if end < start or (end - start).days > 400:
        raise ValidationFailed(
            "Rentang 'start'..'end' tidak valid (paling panjang 400 hari).", [FieldProblem("end", end.isoformat())]
        )
    from linsek.coord.calendar_grid import range_bounds

    lo, hi = range_bounds(start, end, zone())
    return [_entry(e) for e in calendar_entries(user, start=lo, end=hi)]


@router.get("/kalender/7-hari", response=list[EntryOut], summary="What is coming in the next 7 days")
def calendar_next7(request: HttpRequest) -> list[EntryOut]:
    return [_entry(e) for e in upcoming_entries(viewer(request), now=timezone.now())]


class EventIn(Schema):
    title: str
    event_type: str
    starts_at: datetime
    ends_at: datetime
    region: str | None = None
    place: str = ""
    description: str = ""
    expected_crowd: int | None = None
    permit_number: str = ""
    permit_issuer: str = ""
    units: list[str] = []


class EventOut(Schema):
    id: int
    uid: str
    title: str
    starts_at: datetime
    ends_at: datetime
    security_tasks: list[str]


@router.post("/kalender/kegiatan", response={201: EventOut}, summary="Record an agency event")
def event_post(request: HttpRequest, payload: EventIn) -> tuple[int, EventOut]:
    user = viewer(request)
    if not coord_can(user, "coord.events.manage"):
        raise Forbidden("Anda tidak berwenang mencatat agenda")
    region = Region.objects.filter(code=payload.region).first() if payload.region else None
    if payload.region and region is None:
        raise ValidationFailed("Wilayah tidak dikenal.", [FieldProblem("region", payload.region)])
    units = dict(Organisation.objects.filter(code__in=payload.units).values_list("code", "pk"))
    event = event_create(
        actor=user,
        data=EventInput(
            title=payload.title,
            event_type=payload.event_type,
            starts_at=payload.starts_at,
            ends_at=payload.ends_at,
            region=region,
            place=payload.place,
            description=payload.description,
            expected_crowd=payload.expected_crowd,
            permit_number=payload.permit_number,
            permit_issuer=payload.permit_issuer,
            unit_ids=[units.get(c, -1) for c in payload.units],
        ),
        now=timezone.now(),
    )
    return 201, EventOut(
        id=event.pk,
        uid=str(event.uid),
        title=event.title,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        security_tasks=event.security_tasks,
    )


class MeetingOut(Schema):
    id: int
    title: str
    kind: str
    status: str
    starts_at: datetime
    place: str
    region: str
    series: str


def _meeting(m: Meeting) -> MeetingOut:
    return MeetingOut(
        id=m.pk,
        title=m.title,
        kind=m.kind,
        status=m.status,
        starts_at=m.starts_at,
        place=m.place,
        region=m.region.code,
        series=m.series,
    )


@router.get("/rapat", response=list[MeetingOut], summary="Meetings the viewer may see, newest first")
def meetings_list(request: HttpRequest, limit: int = 100) -> list[MeetingOut]:
    qs = meetings_visible_to(viewer(request)).order_by("-starts_at")[: max(1, min(limit, 500))]
    return [_meeting(m) for m in qs]


class MeetingIn(Schema):
    title: str
    starts_at: datetime
    ends_at: datetime | None = None
    place: str
    region: str
    organiser: str
    invited: list[str]
    kind: str = "rakor_linsek"
    chair_name: str = ""
    agenda: list[str] = []
    summary: str = ""


def _orgs(codes: list[str], field: str) -> list[int]:
    found = dict(Organisation.objects.filter(code__in=codes).values_list("code", "pk"))
    missing = [c for c in codes if c not in found]
    if missing:
        raise ValidationFailed("Instansi tidak dikenal.", [FieldProblem(field, "tidak dikenal", c) for c in missing])
    return [found[c] for c in codes]


@router.post("/rapat", response={201: MeetingOut}, summary="Schedule a meeting (open items of the series carry over)")
def meeting_post(request: HttpRequest, payload: MeetingIn) -> tuple[int, MeetingOut]:
    user = viewer(request)
    if not coord_can(user, "coord.meetings.manage"):
        raise Forbidden("Anda tidak berwenang mengelola rapat")
    region = Region.objects.filter(code=payload.region).first()
    organiser = Organisation.objects.filter(code=payload.organiser).first()
    if region is None or organiser is None:
        raise ValidationFailed(
            "Wilayah atau penyelenggara tidak dikenal.",
            [FieldProblem("region" if region is None else "organiser", "tidak dikenal")],
        )
    meeting = meeting_create(
        actor=user,
        data=MeetingInput(
            title=payload.title,
            starts_at=payload.starts_at,
            ends_at=payload.ends_at,
            place=payload.place,
            region=region,
            organiser=organiser,
            invited_ids=_orgs(payload.invited, "invited"),
            kind=payload.kind,
            chair_name=payload.chair_name,
            agenda=payload.agenda,
            summary=payload.summary,
        ),
        now=timezone.now(),
    )
    return 201, _meeting(meeting)


class ActionOut(Schema):
    id: int
    reference: str
    title: str
    owner: str
    owner_person: str
    due_date: date
    status: str
    overdue: bool
    meeting_id: int
    evidence: str
    drop_reason: str


def _action(a: ActionItem, today: date) -> ActionOut:
    return ActionOut(
        id=a.pk,
        reference=a.reference,
        title=a.title,
        owner=a.owner_org.code,
        owner_person=str(a.owner_person) if a.owner_person_id else "",
        due_date=a.due_date,
        status=a.status,
        overdue=a.is_unresolved and a.due_date < today,
        meeting_id=a.meeting_id,
        evidence=a.evidence,
        drop_reason=a.drop_reason,
    )


class DecisionOut(Schema):
    id: int
    number: int
    text: str
    binds: list[str]


class AgendaOut(Schema):
    title: str
    kind: str
    action_item: int | None
    overdue: bool


class AttendanceOut(Schema):
    organisation: str
    attendance: str
    attendees: list[str]


class PresentationOut(Schema):
    id: int
    organisation: str
    title: str
    content_type: str
    size: int
    sha256: str
    pages: int | None


class MeetingDetailOut(MeetingOut):
    chair: str
    minutes: str
    agenda: list[AgendaOut]
    attendance: list[AttendanceOut]
    decisions: list[DecisionOut]
    action_items: list[ActionOut]
    presentations: list[PresentationOut]


@router.get("/rapat/{meeting_id}", response=MeetingDetailOut, summary="A meeting with agenda, attendance, decisions")
def meeting_get(request: HttpRequest, meeting_id: int) -> MeetingDetailOut:
    m = access_meeting(viewer=viewer(request), meeting_id=meeting_id)
    d = meeting_detail(m)
    today = local_date(timezone.now(), zone())
    return MeetingDetailOut(
        **_meeting(m).dict(),
        chair=m.chair_name,
        minutes=m.minutes,
        agenda=[
            AgendaOut(title=a.title, kind=a.kind, action_item=a.action_item_id, overdue=a.overdue)
            for a in [*d["carried"], *d["topics"]]
        ],
        attendance=[
            AttendanceOut(
                organisation=i.organisation.code,
                attendance=i.attendance,
                attendees=[str(p) for p in i.attendees.all()] + [n for n in i.attendee_names.splitlines() if n],
            )
            for i in d["invitations"]
        ],
        decisions=[
            DecisionOut(id=x.pk, number=x.number, text=x.text, binds=[o.code for o in x.binds.all()])
            for x in d["decisions"]
        ],
        action_items=[_action(a, today) for a in d["actions"]],
        presentations=[
            PresentationOut(
                id=p.pk,
                organisation=p.organisation.code,
                title=p.title,
                content_type=p.content_type,
                size=p.size,
                sha256=p.sha256,
                pages=p.pages,
            )
            for p in d["presentations"]
        ],
    )


class DecisionIn(Schema):
    text: str
    binds: list[str]


@router.post("/rapat/{meeting_id}/keputusan", response={201: DecisionOut}, summary="Add the next numbered decision")
def decision_post(request: HttpRequest, meeting_id: int, payload: DecisionIn) -> tuple[int, DecisionOut]:
    user = viewer(request)
    meeting = access_meeting(viewer=user, meeting_id=meeting_id, purpose="manage")
    d = decision_add(
        actor=user, meeting=meeting, text=payload.text, binds_ids=_orgs(payload.binds, "binds"), now=timezone.now()
    )
    return 201, DecisionOut(id=d.pk, number=d.number, text=d.text, binds=payload.binds)


class ActionIn(Schema):
    title: str
    owner: str | None = None
    owner_person_id: int | None = None
    due_date: date | None = None
    description: str = ""
    decision_number: int | None = None
    event_id: int | None = None
    report_ref: str = ""
    case_ref: str = ""
    plan_ref: str = ""


@router.post("/rapat/{meeting_id}/tindak-lanjut", response={201: ActionOut}, summary="Add an action item")
def action_post(request: HttpRequest, meeting_id: int, payload: ActionIn) -> tuple[int, ActionOut]:
    user = viewer(request)
    meeting = access_meeting(viewer=user, meeting_id=meeting_id, purpose="manage")
    owner = Organisation.objects.filter(code=payload.owner).first() if payload.owner else None
    if payload.owner and owner is None:
        raise ValidationFailed("Instansi tidak dikenal.", [FieldProblem("owner_org", "tidak dikenal", payload.owner)])
    item = action_item_add(
        actor=user,
        meeting=meeting,
        data=ActionInput(
            title=payload.title,
            owner_org=owner,
            due_date=payload.due_date,
            owner_person=Person.objects.filter(pk=payload.owner_person_id).first() if payload.owner_person_id else None,
            description=payload.description,
            decision=meeting.decisions.filter(number=payload.decision_number).first()
            if payload.decision_number
            else None,
            event=CalendarEvent.objects.filter(pk=payload.event_id).first() if payload.event_id else None,
            report_ref=payload.report_ref,
            case_ref=payload.case_ref,
            plan_ref=payload.plan_ref,
        ),
        now=timezone.now(),
    )
    item = ActionItem.objects.select_related("owner_org", "owner_person").get(pk=item.pk)
    return 201, _action(item, local_date(timezone.now(), zone()))


@router.get(
    "/tindak-lanjut",
    response={200: list[ActionOut], **error_responses(404)},  # 404: an unknown ``owner``
    summary="Action items (unresolved by default)",
)
def actions_list(
    request: HttpRequest, status: str = "unresolved", overdue: bool = False, owner: str | None = None
) -> list[ActionOut]:
    user = viewer(request)
    today = local_date(timezone.now(), zone())
    owner_id = Organisation.objects.filter(code=owner).values_list("pk", flat=True).first() if owner else None
    if owner and owner_id is None:
        raise NotFound("instansi tidak ditemukan")
    qs = action_items_visible_to(
        user, status=None if status == "all" else status, overdue_on=today if overdue else None, owner_org_id=owner_id
    )
    return [_action(a, today) for a in qs[:1000]]


class StatusIn(Schema):
    status: str
    evidence: str = ""
    reason: str = ""
    note: str = ""


@router.post("/tindak-lanjut/{action_id}/status", response=ActionOut, summary="Progress, done (evidence), dropped")
def action_status_post(request: HttpRequest, action_id: int, payload: StatusIn) -> ActionOut:
    user = viewer(request)
    item = access_action_item(viewer=user, action_id=action_id, purpose="update")
    if payload.status == "open" and not item.is_unresolved and not coord_can(user, "coord.meetings.manage"):
        raise Forbidden("Hanya Posko yang dapat membuka kembali tindak lanjut.")
    item = action_item_set_status(
        actor=user,
        item=item,
        status=payload.status,
        evidence=payload.evidence,
        reason=payload.reason,
        note=payload.note,
        now=timezone.now(),
    )
    return _action(item, local_date(timezone.now(), zone()))
