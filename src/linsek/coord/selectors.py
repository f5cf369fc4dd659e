"""Reads of the coordination room, always for a viewer (or, for the situation report, for a region).

The calendar pages, the agenda, the iCalendar export and the "next 7 days" box all read
:func:`calendar_entries`, which merges calendar events and meetings into one list of :class:`Entry`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse

from linsek.agencies.models import Organisation
from linsek.coord.access import coord_can, meeting_q, region_q
from linsek.coord.calendar_grid import day_bounds, local_date
from linsek.coord.models import (
    UNRESOLVED,
    ActionItem,
    AgendaItem,
    CalendarEvent,
    Meeting,
    Presentation,
    Responsibility,
)
from linsek.coord.rules import task_catalogue
from linsek.regions.models import Region


def zone() -> str:
    return str(settings.TIME_ZONE)


def events_visible_to(viewer: Any) -> QuerySet[CalendarEvent]:
    if not coord_can(viewer, "coord.view"):
        return CalendarEvent.objects.none()
    return CalendarEvent.objects.filter(region_q(viewer)).select_related("region", "organiser", "calendar")


def meetings_visible_to(viewer: Any) -> QuerySet[Meeting]:
    if not coord_can(viewer, "coord.view"):
        return Meeting.objects.none()
    ids = Meeting.objects.filter(meeting_q(viewer)).values("pk")
    return Meeting.objects.filter(pk__in=ids).select_related("region", "organiser")


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the calendar: a stage, an agency event or a meeting."""

    key: str
    kind: str  # operasi / tahapan / logistik / instansi / rapat
    title: str
    starts_at: datetime
    ends_at: datetime
    all_day: bool
    place: str
    url: str
    cancelled: bool
    region_name: str
    derived: bool = False
    expected_crowd: int | None = None
    uid: str = ""
    description: str = ""
    updated_at: datetime | None = None

    @property
    def first_day(self) -> date:
        return local_date(self.starts_at, zone())

    @property
    def last_day(self) -> date:
        """The last local day it covers (the stored end of an all-day entry is exclusive)."""
        end = self.ends_at - timedelta(microseconds=1) if self.ends_at > self.starts_at else self.ends_at
        return local_date(end, zone())

    @property
    def multi_day(self) -> bool:
        return self.last_day > self.first_day


def calendar_entries(
    viewer: Any,
    *,
    start: datetime,
    end: datetime,
    kinds: set[str] | None = None,
    include_cancelled: bool = True,
) -> list[Entry]:
    """Stages, agency events and meetings overlapping [start, end), in time order (two queries)."""
    out: list[Entry] = []
    events = events_visible_to(viewer).filter(starts_at__lt=end, ends_at__gt=start)
    if not include_cancelled:
        events = events.filter(cancelled_at__isnull=True)
    if kinds:
        events = events.filter(kind__in=kinds)
    for e in events.order_by("starts_at", "id"):
        out.append(
            Entry(
                key=f"event-{e.pk}",
                kind=e.kind,
                title=e.title,
                starts_at=e.starts_at,
                ends_at=e.ends_at,
                all_day=e.all_day,
                place=e.place,
                url=reverse("coord:event", args=[e.pk]),
                cancelled=e.cancelled_at is not None,
                region_name=e.region.name if e.region else "",
                derived=e.derived,
                expected_crowd=e.expected_crowd,
                uid=str(e.uid),
                description=e.description if e.kind == CalendarEvent.Kind.AGENCY else (e.note or ""),
                updated_at=e.updated_at,
            )
        )
    if not kinds or "rapat" in kinds:
        meetings = meetings_visible_to(viewer).filter(starts_at__lt=end, starts_at__gte=start - timedelta(days=1))
        for m in meetings.order_by("starts_at", "id"):
            m_end = m.ends_at or m.starts_at + timedelta(hours=2)
            if m_end <= start and m.starts_at < start:
                continue
            if not include_cancelled and m.status == Meeting.Status.CANCELLED:
                continue
            out.append(
                Entry(
                    key=f"meeting-{m.pk}",
                    kind="rapat",
                    title=m.title,
                    starts_at=m.starts_at,
                    ends_at=m_end,
                    all_day=False,
                    place=m.place,
                    url=reverse("coord:meeting", args=[m.pk]),
                    cancelled=m.status == Meeting.Status.CANCELLED,
                    region_name=m.region.name,
                    uid=str(m.uuid),
                    description=m.summary,
                    updated_at=m.updated_at,
                )
            )
    out.sort(key=lambda e: (e.starts_at, not e.all_day, e.title))
    return out


def upcoming_entries(viewer: Any, *, now: datetime, days: int = 7) -> list[Entry]:
    """What starts (or is running) from today through the next ``days`` days; long stages only when they
    start or end in the window, so a year-long operation does not crowd out the week."""
    today = local_date(now, zone())
    start, _ = day_bounds(today, zone())
    _, end = day_bounds(today + timedelta(days=days), zone())
    entries = calendar_entries(viewer, start=start, end=end, include_cancelled=False)
    return [e for e in entries if e.starts_at >= start or e.ends_at <= end or not e.all_day]


def region_scope_q(region: Region | None, field: str = "region") -> Q:
    """Rows for a region: unbounded ones, the region itself, its ancestors and its descendants."""
    if region is None:
        return Q()
    parts = region.code.split(".")
    ancestors = [".".join(parts[:i]) for i in range(1, len(parts))]
    return (
        Q(**{f"{field}__isnull": True})
        | Q(**{f"{field}__code": region.code})
        | Q(**{f"{field}__code__startswith": region.code + "."})
        | Q(**{f"{field}__code__in": ancestors})
    )


def stages_on(day: date, *, region: Region | None) -> list[CalendarEvent]:
    """Calendar stages (not agency events) running on a local day, for a region."""
    start, end = day_bounds(day, zone())
    return list(
        CalendarEvent.objects.filter(region_scope_q(region), starts_at__lt=end, ends_at__gt=start, cancelled_at=None)
        .exclude(kind=CalendarEvent.Kind.AGENCY)
        .select_related("region")
        .order_by("starts_at", "id")
    )


def stages_next(day: date, *, region: Region | None, limit: int = 3) -> list[CalendarEvent]:
    """The next stages to start after ``day``."""
    _, end = day_bounds(day, zone())
    return list(
        CalendarEvent.objects.filter(region_scope_q(region), starts_at__gte=end, cancelled_at=None)
        .exclude(kind=CalendarEvent.Kind.AGENCY)
        .select_related("region")
        .order_by("starts_at", "id")[:limit]
    )


def agency_events_between(start: datetime, end: datetime, *, region: Region | None) -> list[CalendarEvent]:
    """Agency events in a window for a region (for the situation report: no viewer, the region decides)."""
    return list(
        CalendarEvent.objects.filter(
            region_scope_q(region),
            kind=CalendarEvent.Kind.AGENCY,
            starts_at__lt=end,
            ends_at__gt=start,
            cancelled_at=None,
        )
        .select_related("region", "organiser")
        .order_by("starts_at", "id")
    )


def meeting_detail(meeting: Meeting) -> dict[str, Any]:
    """Everything the meeting page and the briefing pack show, in a fixed number of queries."""
    agenda = list(
        meeting.agenda_items.select_related("organisation", "action_item__owner_org", "action_item__meeting").order_by(
            "position", "action_item__due_date", "id"
        )
    )
    carried = [a for a in agenda if a.kind == AgendaItem.Kind.CARRIED]
    topics = [a for a in agenda if a.kind != AgendaItem.Kind.CARRIED]
    invitations = list(
        meeting.invitations.select_related("organisation", "organisation__type").prefetch_related("attendees")
    )
    presentations = list(
        meeting.presentations.select_related("organisation").order_by("organisation__type__rank", "id")
    )
    decisions = list(meeting.decisions.prefetch_related("binds").order_by("number"))
    actions = list(
        meeting.action_items.select_related("owner_org", "owner_person", "decision", "event").order_by("number")
    )
    return {
        "carried": carried,
        "topics": topics,
        "invitations": invitations,
        "presentations": presentations,
        "decisions": decisions,
        "actions": actions,
        "present_count": sum(1 for i in invitations if i.attendance in ("present", "represented")),
    }


def action_items_visible_to(
    viewer: Any,
    *,
    status: str | None = None,
    overdue_on: date | None = None,
    owner_org_id: int | None = None,
) -> QuerySet[ActionItem]:
    """Action items of the meetings the viewer may see; ``overdue_on``: unresolved and due before that day."""
    if not coord_can(viewer, "coord.view"):
        return ActionItem.objects.none()
    qs = ActionItem.objects.filter(meeting__in=meetings_visible_to(viewer).values("pk"))
    if status == "unresolved":
        qs = qs.filter(status__in=UNRESOLVED)
    elif status:
        qs = qs.filter(status=status)
    if overdue_on is not None:
        qs = qs.filter(status__in=UNRESOLVED, due_date__lt=overdue_on)
    if owner_org_id is not None:
        qs = qs.filter(owner_org_id=owner_org_id)
    return qs.select_related("meeting", "owner_org", "owner_person").order_by("due_date", "id")


@dataclass(frozen=True, slots=True)
class OverdueRow:
    reference: str
    title: str
    owner: str
    person: str
    due_date: date
    days_overdue: int
    meeting: str
    meeting_date: date


@dataclass(frozen=True, slots=True)
class ActionSummary:
    unresolved: int
    overdue: list[OverdueRow]
    done_in_period: int
    created_in_period: int


def action_summary_for_region(*, region: Region | None, start: datetime, end: datetime) -> ActionSummary | None:
    """Action items of meetings held in (or below) a region, as they stood at ``end``; None before any meeting.

    "As they stood": an item closed after ``end`` still counts as unresolved then, so a report for an
    earlier day does not change when the item is closed later.
    """
    meetings = Meeting.objects.filter(starts_at__lt=end).exclude(status=Meeting.Status.CANCELLED)
    if region is not None:
        meetings = meetings.filter(Q(region=region) | Q(region__code__startswith=region.code + "."))
    if not meetings.exists():
        return None
    items = ActionItem.objects.filter(meeting__in=meetings.values("pk"), created_at__lt=end)
    standing = items.filter(Q(status__in=UNRESOLVED) | Q(closed_at__gte=end))
    last_day = local_date(end - timedelta(microseconds=1), zone())
    overdue_qs = standing.filter(due_date__lte=last_day).select_related("owner_org", "owner_person", "meeting")
    overdue = [
        OverdueRow(
            reference=a.reference,
            title=a.title,
            owner=a.owner_org.short_name or a.owner_org.name,
            person=str(a.owner_person) if a.owner_person else "",
            due_date=a.due_date,
            days_overdue=(last_day - a.due_date).days,
            meeting=a.meeting.title,
            meeting_date=local_date(a.meeting.starts_at, zone()),
        )
        for a in overdue_qs.order_by("due_date", "id")
    ]
    return ActionSummary(
        unresolved=standing.count(),
        overdue=overdue,
        done_in_period=items.filter(closed_at__gte=start, closed_at__lt=end, status="done").count(),
        created_in_period=items.filter(created_at__gte=start).count(),
    )


def latest_meeting_in_series(series: str, *, before: datetime) -> Meeting | None:
    return Meeting.objects.filter(series=series, starts_at__lt=before).order_by("-starts_at").first()


def presentations_of(meeting: Meeting) -> list[Presentation]:
    return list(meeting.presentations.select_related("organisation").order_by("organisation__type__rank", "id"))


@dataclass(frozen=True, slots=True)
class MatrixRow:
    subject_kind: str
    subject_code: str
    title: str
    first_day: date | None
    last_day: date | None
    lead: list[str]
    support: list[str]
    tasks: list[str]
    note: str


def responsibility_matrix(*, language: str = "id") -> list[MatrixRow]:
    """The matrix per stage (in calendar order) then per event type, with the tasks each brings."""
    by_subject: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: {"lead": [], "support": []})
    notes: dict[tuple[str, str], str] = {}
    for r in Responsibility.objects.select_related("organisation_type"):
        key = (r.subject_kind, r.subject_code)
        by_subject[key][r.role].append(r.organisation_type.name)
        if r.note:
            notes[key] = r.note
    catalogue = task_catalogue()
    rows: list[MatrixRow] = []
    stages = CalendarEvent.objects.exclude(kind=CalendarEvent.Kind.AGENCY).exclude(code="").order_by("starts_at", "id")
    seen: set[str] = set()
    for s in stages:
        if s.code in seen:
            continue
        seen.add(s.code)
        key = ("stage", s.code)
        entry = Entry("", s.kind, s.title, s.starts_at, s.ends_at, True, "", "", False, "")
        rows.append(
            MatrixRow(
                "stage",
                s.code,
                s.description if language.startswith("en") and s.description else s.title,
                entry.first_day,
                entry.last_day,
                by_subject[key]["lead"],
                by_subject[key]["support"],
                [catalogue.tasks[t].name(language) for t in s.security_tasks if t in catalogue.tasks],
                notes.get(key, ""),
            )
        )
    for et in catalogue.event_types.values():
        key = ("event_type", et.code)
        rows.append(
            MatrixRow(
                "event_type",
                et.code,
                et.name(language),
                None,
                None,
                by_subject[key]["lead"],
                by_subject[key]["support"],
                [catalogue.tasks[t].name(language) for t in et.tasks],
                notes.get(key, ""),
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class OwnerSuggestion:
    organisation: Organisation
    role: str  # lead / support
    subject: str


def owners_suggest(
    *, meeting: Meeting, event: CalendarEvent | None = None, day: date | None = None
) -> list[OwnerSuggestion]:
    """Organisations to own a new action item: the matrix's lead then supports for the linked event (its
    stage or its event type), or for the stages running on the meeting's day; invited organisations first."""
    subjects: list[tuple[str, str]] = []
    if event is not None:
        subjects.append(
            ("stage", event.code) if event.kind != CalendarEvent.Kind.AGENCY else ("event_type", event.event_type)
        )
    else:
        for s in stages_on(day or local_date(meeting.starts_at, zone()), region=meeting.region):
            if s.code:
                subjects.append(("stage", s.code))
    if not subjects:
        return []
    q = Q()
    for kind, code in subjects:
        q |= Q(subject_kind=kind, subject_code=code)
    lines = list(Responsibility.objects.filter(q).order_by("role", "organisation_type__rank"))
    type_codes = {r.organisation_type_id for r in lines}
    area = event.region if event is not None and event.region is not None else meeting.region
    parts = area.code.split(".")
    ancestors = [".".join(parts[:i]) for i in range(1, len(parts))]
    orgs = list(
        Organisation.objects.filter(type_id__in=type_codes, active=True)
        .filter(
            Q(jurisdiction__code=area.code)
            | Q(jurisdiction__code__in=ancestors)
            | Q(jurisdiction__code__startswith=area.code + ".")
        )
        .distinct()
        .order_by("type__rank", "code")
    )
    invited = set(meeting.invitations.values_list("organisation_id", flat=True))
    out: list[OwnerSuggestion] = []
    seen: set[int] = set()
    for line in lines:
        for org in sorted(
            (o for o in orgs if o.type_id == line.organisation_type_id), key=lambda o: o.pk not in invited
        ):
            if org.pk in seen:
                continue
            seen.add(org.pk)
            out.append(OwnerSuggestion(org, line.role, f"{line.subject_kind}:{line.subject_code}"))
    out.sort(key=lambda s: (s.role != "lead", s.organisation.pk not in invited))
    return out


def meeting_prefetch_for_list(qs: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return qs.annotate(
        n_invited=Count("invitations", distinct=True),
        n_decisions=Count("decisions", distinct=True),
        n_actions=Count("action_items", distinct=True),
    ).prefetch_related(Prefetch("presentations", queryset=Presentation.objects.only("id", "meeting_id")))
