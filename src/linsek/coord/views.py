"""Pages of the coordination room. Thin: parse (forms), call selectors/access/services, render.

Every view is wrapped by :func:`linsek.web.errors.page` (login required; NotFound → 404, Forbidden → 403). A
refused write re-renders the page with the person's input and the service's messages (status 200, as Django
forms do: a browser treats a 4xx page as a failed load).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from linsek.agencies.models import Organisation
from linsek.coord import forms as f
from linsek.coord.access import (
    access_action_item,
    access_event,
    access_meeting,
    access_presentation,
    can_update_action,
    can_upload_for,
    coord_can,
)
from linsek.coord.calendar_grid import grid_days, local_date, month_grid, range_bounds, week_start
from linsek.coord.ical import IcsEntry, ics_render
from linsek.coord.models import ActionStatus, CalendarEvent, Meeting
from linsek.coord.rules import task_catalogue
from linsek.coord.selectors import (
    action_items_visible_to,
    calendar_entries,
    meeting_detail,
    meeting_prefetch_for_list,
    meetings_visible_to,
    owners_suggest,
    responsibility_matrix,
    stages_next,
    stages_on,
    upcoming_entries,
    zone,
)
from linsek.coord.services import (
    ActionInput,
    EventInput,
    MeetingInput,
    action_item_add,
    action_item_set_status,
    agenda_item_add,
    attendance_record,
    decision_add,
    event_cancel,
    event_create,
    event_update,
    meeting_create,
    meeting_mark_held,
    meeting_minutes_record,
    presentation_upload,
)
from linsek.core.errors import ValidationFailed
from linsek.core.uploads import private_file_response
from linsek.web.errors import page


def _lang() -> str:
    return (get_language() or "id")[:2]


def _require(request: HttpRequest, capability: str) -> None:
    if not coord_can(request.user, capability):
        raise PermissionDenied(_("Anda tidak berwenang untuk tindakan ini."))


def _parse_day(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


@page
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    _require(request, "coord.view")
    now = timezone.now()
    today = local_date(now, zone())
    region = getattr(getattr(request.user, "organisation", None), "jurisdiction", None)
    first_region = region.order_by("code").first() if region is not None else None
    context = {
        "today": today,
        "stages_now": stages_on(today, region=first_region),
        "stages_next": stages_next(today, region=first_region),
        "upcoming": upcoming_entries(request.user, now=now),
        "meetings": meeting_prefetch_for_list(meetings_visible_to(request.user)).order_by("-starts_at")[:8],
        "overdue": action_items_visible_to(request.user, overdue_on=today)[:20],
        "mine": action_items_visible_to(
            request.user, status="unresolved", owner_org_id=getattr(request.user, "organisation_id", None) or -1
        )[:20],
        "can_manage": coord_can(request.user, "coord.meetings.manage"),
        "can_add_event": coord_can(request.user, "coord.events.manage"),
    }
    return render(request, "coord/home.html", context)


@page
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    """Month, week or agenda view of stages, agency events and meetings."""
    _require(request, "coord.view")
    today = local_date(timezone.now(), zone())
    view = request.GET.get("view", "month")
    if view not in ("month", "week", "agenda"):
        view = "month"
    day = _parse_day(request.GET.get("d"), today)
    context: dict[str, Any] = {"view": view, "day": day, "today": today}
    if view == "month":
        first = day.replace(day=1)
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        start, end = range_bounds(first - timedelta(days=7), last + timedelta(days=7), zone())
        entries = calendar_entries(request.user, start=start, end=end)
        context.update(
            weeks=month_grid(day, entries, zone()),
            prev=(first - timedelta(days=1)).replace(day=1),
            next=last + timedelta(days=1),
            weekdays=[_("Sen"), _("Sel"), _("Rab"), _("Kam"), _("Jum"), _("Sab"), _("Min")],
        )
    elif view == "week":
        first = week_start(day)
        start, end = range_bounds(first, first + timedelta(days=6), zone())
        entries = calendar_entries(request.user, start=start, end=end)
        context.update(
            days=grid_days(first, 7, entries, zone()), prev=first - timedelta(days=7), next=first + timedelta(days=7)
        )
    else:
        days = 30
        start, end = range_bounds(day, day + timedelta(days=days - 1), zone())
        entries = calendar_entries(request.user, start=start, end=end)
        context.update(
            agenda=[d for d in grid_days(day, days, entries, zone()) if d.items],
            prev=day - timedelta(days=days),
            next=day + timedelta(days=days),
        )
    context["can_add_event"] = coord_can(request.user, "coord.events.manage")
    return render(request, "coord/calendar.html", context)


@page
@require_GET
def calendar_ics(request: HttpRequest) -> HttpResponse:
    """The viewer's calendar as iCalendar: from 60 days back to the end of the calendar data."""
    _require(request, "coord.view")
    now = timezone.now()
    start = now - timedelta(days=int(request.GET.get("past", "60") or 60))
    if request.GET.get("all"):
        start = datetime(2000, 1, 1, tzinfo=now.tzinfo)
    entries = calendar_entries(request.user, start=start, end=now + timedelta(days=800))
    base = request.build_absolute_uri("/").rstrip("/")
    body = ics_render(
        [
            IcsEntry(
                uid=e.uid or e.key,
                title=e.title,
                starts_at=e.starts_at,
                ends_at=e.ends_at,
                all_day=e.all_day,
                first_day=e.first_day,
                last_day=e.last_day,
                description=e.description,
                place=e.place,
                url=base + e.url,
                categories=(e.kind,),
                updated_at=e.updated_at,
                cancelled=e.cancelled,
            )
            for e in entries
        ],
        name="linsek",
        now=now,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="linsek-kalender.ics"'
    return response


def _event_input(form: f.EventForm, request: HttpRequest) -> EventInput:
    d = form.cleaned_data
    return EventInput(
        title=d["title"],
        event_type=d["event_type"],
        starts_at=d["starts_at"],
        ends_at=d["ends_at"],
        region=d.get("region"),
        place=d.get("place") or "",
        description=d.get("description") or "",
        expected_crowd=d.get("expected_crowd"),
        permit_number=d.get("permit_number") or "",
        permit_issuer=d.get("permit_issuer") or "",
        unit_ids=[o.pk for o in d.get("units") or []],
    )


@page
def event_new(request: HttpRequest) -> HttpResponse:
    _require(request, "coord.events.manage")
    form = f.EventForm(request.POST or None, language=_lang())
    if request.method == "POST" and form.is_valid():
        try:
            event = event_create(actor=request.user, data=_event_input(form, request), now=timezone.now())
        except ValidationFailed as exc:
            f.problems_to_form(form, exc)
        else:
            messages.success(request, _("Agenda tersimpan."))
            return redirect("coord:event", event.pk)
    return render(request, "coord/event_form.html", {"form": form, "event": None})


@page
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    event = access_event(viewer=request.user, event_id=pk, purpose="edit")
    initial = {
        "title": event.title,
        "event_type": event.event_type,
        "starts_at": timezone.localtime(event.starts_at),
        "ends_at": timezone.localtime(event.ends_at),
        "region": event.region,
        "place": event.place,
        "expected_crowd": event.expected_crowd,
        "permit_number": event.permit_number,
        "permit_issuer": event.permit_issuer,
        "units": list(event.units.all()),
        "description": event.description,
    }
    form = f.EventForm(request.POST or None, initial=initial, language=_lang())
    if request.method == "POST" and form.is_valid():
        try:
            event_update(actor=request.user, event=event, data=_event_input(form, request), now=timezone.now())
        except ValidationFailed as exc:
            f.problems_to_form(form, exc)
        else:
            messages.success(request, _("Agenda diperbarui."))
            return redirect("coord:event", event.pk)
    return render(request, "coord/event_form.html", {"form": form, "event": event})


@page
@require_POST
def event_cancel_view(request: HttpRequest, pk: int) -> HttpResponse:
    event = access_event(viewer=request.user, event_id=pk, purpose="edit")
    form = f.CancelForm(request.POST)
    if form.is_valid():
        event_cancel(actor=request.user, event=event, reason=form.cleaned_data["reason"], now=timezone.now())
        messages.success(request, _("Agenda dibatalkan."))
    else:
        messages.error(request, _("Sebutkan alasan pembatalan."))
    return redirect("coord:event", event.pk)


@page
@require_GET
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = access_event(viewer=request.user, event_id=pk)
    catalogue = task_catalogue()
    lang = _lang()
    tasks = [catalogue.tasks[t] for t in event.security_tasks if t in catalogue.tasks]
    editable = (
        event.kind == CalendarEvent.Kind.AGENCY
        and coord_can(request.user, "coord.events.manage")
        and (
            event.organiser_id == getattr(request.user, "organisation_id", None)
            or coord_can(request.user, "coord.meetings.manage")
        )
    )
    context = {
        "event": event,
        "tasks": [(t.name(lang), catalogue.satgas[t.satgas].name(lang)) for t in tasks],
        "units": list(event.units.select_related("type")),
        "type_name": catalogue.event_types[event.event_type].name(lang)
        if event.event_type in catalogue.event_types
        else "",
        "needs_permit": event.event_type in catalogue.event_types
        and catalogue.event_types[event.event_type].needs_permit,
        "actions": event.action_items.select_related("owner_org").order_by("due_date"),
        "editable": editable,
        "last_day": (event.ends_at - timedelta(microseconds=1)) if event.all_day else event.ends_at,
        "cancel_form": f.CancelForm(),
    }
    return render(request, "coord/event.html", context)


@page
@require_GET
def matrix(request: HttpRequest) -> HttpResponse:
    _require(request, "coord.view")
    rows = responsibility_matrix(language=_lang())
    return render(
        request,
        "coord/matrix.html",
        {
            "stages": [r for r in rows if r.subject_kind == "stage"],
            "types": [r for r in rows if r.subject_kind != "stage"],
        },
    )


@page
@require_GET
def meetings(request: HttpRequest) -> HttpResponse:
    _require(request, "coord.view")
    qs = meeting_prefetch_for_list(meetings_visible_to(request.user)).order_by("-starts_at")
    return render(
        request,
        "coord/meetings.html",
        {"meetings": qs[:200], "can_manage": coord_can(request.user, "coord.meetings.manage")},
    )


@page
def meeting_new(request: HttpRequest) -> HttpResponse:
    _require(request, "coord.meetings.manage")
    org = getattr(request.user, "organisation", None)
    initial: dict[str, Any] = {"organiser": org, "kind": Meeting.Kind.RAKOR}
    if org is not None:
        initial["region"] = org.jurisdiction.order_by("code").first()
    form = f.MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            meeting = meeting_create(
                actor=request.user,
                data=MeetingInput(
                    title=d["title"],
                    kind=d["kind"],
                    starts_at=d["starts_at"],
                    ends_at=d.get("ends_at"),
                    place=d["place"],
                    region=d["region"],
                    organiser=d["organiser"],
                    chair_name=d.get("chair_name") or "",
                    invited_ids=[o.pk for o in d["invited"]],
                    agenda=(d.get("agenda") or "").splitlines(),
                    summary=d.get("summary") or "",
                ),
                now=timezone.now(),
            )
        except ValidationFailed as exc:
            f.problems_to_form(form, exc)
        else:
            messages.success(request, _("Rapat tersimpan."))
            return redirect("coord:meeting", meeting.pk)
    return render(request, "coord/meeting_form.html", {"form": form})


def _meeting_forms(
    request: HttpRequest, meeting: Meeting, *, bound: str = "", data: Any = None, files: Any = None
) -> dict[str, Any]:
    """The meeting page's forms; the one named ``bound`` carries the submitted data."""
    events = [
        (str(e.pk), f"{timezone.localtime(e.starts_at):%d-%m-%Y} {e.title}")
        for e in CalendarEvent.objects.filter(
            starts_at__lt=meeting.starts_at + timedelta(days=120),
            ends_at__gt=meeting.starts_at - timedelta(days=1),
            cancelled_at=None,
        ).order_by("starts_at")[:200]
    ]
    upload_orgs = Organisation.objects.filter(pk__in=meeting.invitations.values("organisation_id"))
    if not coord_can(request.user, "coord.meetings.manage"):
        upload_orgs = upload_orgs.filter(pk=getattr(request.user, "organisation_id", None) or -1)

    def make(name: str, cls: Any, **kw: Any) -> Any:
        kw["auto_id"] = f"{name}_%s"  # several forms on one page: unique element ids, same field names
        if name == bound:
            return cls(data, files, **kw) if name == "upload" else cls(data, **kw)
        return cls(**kw)

    return {
        "attendance_form": make("attendance", f.AttendanceForm, meeting=meeting),
        "agenda_form": make("agenda", f.AgendaForm),
        "upload_form": make("upload", f.PresentationForm, organisations=upload_orgs.order_by("type__rank", "name")),
        "minutes_form": make("minutes", f.MinutesForm, initial={"minutes": meeting.minutes}),
        "decision_form": make("decision", f.DecisionForm, meeting=meeting),
        "action_form": make("action", f.ActionItemForm, meeting=meeting, events=events),
    }


def _meeting_page(
    request: HttpRequest, meeting: Meeting, *, bound: str = "", status: int = 200, forms: dict[str, Any] | None = None
) -> HttpResponse:
    context: dict[str, Any] = {"meeting": meeting, **meeting_detail(meeting)}
    context.update(forms or _meeting_forms(request, meeting))
    context["can_manage"] = coord_can(request.user, "coord.meetings.manage")
    context["can_upload"] = (
        coord_can(request.user, "coord.presentations.upload")
        and context["upload_form"].fields["organisation"].queryset.exists()
    )
    context["suggestions"] = owners_suggest(meeting=meeting)[:6] if context["can_manage"] else []
    context["today"] = local_date(timezone.now(), zone())
    context["bound"] = bound
    context["max_upload_mb"] = int(getattr(settings, "LINSEK_PRESENTATION_MAX_BYTES", 0)) // (1024 * 1024)
    return render(request, "coord/meeting.html", context)


@page
@require_GET
def meeting_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = access_meeting(viewer=request.user, meeting_id=pk)
    return _meeting_page(request, meeting)


@page
@require_POST
def meeting_post(request: HttpRequest, pk: int, part: str) -> HttpResponse:
    """One endpoint per part of the meeting page (attendance, agenda, upload, minutes, decision, action)."""
    purpose = "view" if part == "upload" else "manage"
    meeting = access_meeting(viewer=request.user, meeting_id=pk, purpose=purpose)
    forms = _meeting_forms(request, meeting, bound=part, data=request.POST, files=request.FILES)
    form = forms.get(f"{part}_form")
    if form is None and part != "held":
        raise PermissionDenied(_("Bagian rapat tidak dikenal."))
    now = timezone.now()
    try:
        if part == "held":
            meeting_mark_held(actor=request.user, meeting=meeting, now=now)
            messages.success(request, _("Rapat ditandai terlaksana."))
            return redirect("coord:meeting", meeting.pk)
        assert form is not None
        if form.is_valid():
            d = form.cleaned_data
            if part == "attendance":
                attendance_record(
                    actor=request.user,
                    meeting=meeting,
                    organisation=d["organisation"],
                    attendance=d["attendance"],
                    person_ids=[p.pk for p in d.get("people") or []],
                    names=d.get("names") or "",
                    now=now,
                )
                message = _("Kehadiran tercatat.")
            elif part == "agenda":
                agenda_item_add(actor=request.user, meeting=meeting, title=d["title"], now=now)
                message = _("Acara ditambahkan.")
            elif part == "upload":
                if not can_upload_for(request.user, meeting, d["organisation"].pk):
                    raise PermissionDenied(_("Anda tidak dapat mengunggah paparan untuk instansi ini."))
                presentation_upload(
                    actor=request.user,
                    meeting=meeting,
                    organisation=d["organisation"],
                    title=d.get("title") or "",
                    upload=d["file"],
                    now=now,
                )
                message = _("Paparan terunggah.")
            elif part == "minutes":
                meeting_minutes_record(actor=request.user, meeting=meeting, minutes=d["minutes"], now=now)
                message = _("Notulen tersimpan.")
            elif part == "decision":
                decision = decision_add(
                    actor=request.user,
                    meeting=meeting,
                    text=d["text"],
                    binds_ids=[o.pk for o in d.get("binds") or []],
                    now=now,
                )
                message = _("Keputusan nomor %(n)s tersimpan.") % {"n": decision.number}
            else:
                decision_obj = meeting.decisions.filter(pk=int(d["decision"])).first() if d.get("decision") else None
                event_obj = CalendarEvent.objects.filter(pk=d.get("event")).first() if d.get("event") else None
                item = action_item_add(
                    actor=request.user,
                    meeting=meeting,
                    data=ActionInput(
                        title=d["title"],
                        owner_org=d.get("owner_org"),
                        owner_person=d.get("owner_person"),
                        due_date=d.get("due_date"),
                        description=d.get("description") or "",
                        decision=decision_obj,
                        event=event_obj,
                        report_ref=d.get("report_ref") or "",
                        case_ref=d.get("case_ref") or "",
                        plan_ref=d.get("plan_ref") or "",
                    ),
                    now=now,
                )
                message = _("Tindak lanjut %(ref)s tersimpan.") % {"ref": item.reference}
            messages.success(request, message)
            return redirect(reverse("coord:meeting", args=[meeting.pk]) + f"#{part}")
    except ValidationFailed as exc:
        if form is None:
            raise
        f.problems_to_form(form, exc)
    return _meeting_page(request, meeting, bound=part, forms=forms)


@page
@require_GET
def presentation_download(request: HttpRequest, pk: int, pid: int) -> HttpResponse:
    """The file, only after the meeting's access check; never from a public URL."""
    item = access_presentation(viewer=request.user, meeting_id=pk, presentation_id=pid)
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in item.title)[:60].strip("-") or "paparan"
    response = private_file_response(
        item.file.open("rb"), filename=f"{safe}{item.extension}", content_type=item.content_type
    )
    return cast(HttpResponse, response)  # a streaming response; ``page`` passes it through unchanged


@page
@require_GET
def actions(request: HttpRequest) -> HttpResponse:
    _require(request, "coord.view")
    today = local_date(timezone.now(), zone())
    status = request.GET.get("status", "unresolved")
    mine = request.GET.get("mine") == "1"
    overdue = request.GET.get("overdue") == "1"
    qs = action_items_visible_to(
        request.user,
        status=None if status == "all" or overdue else status,
        overdue_on=today if overdue else None,
        owner_org_id=(getattr(request.user, "organisation_id", None) or -1) if mine else None,
    )
    return render(
        request,
        "coord/actions.html",
        {
            "items": qs[:500],
            "status": status,
            "mine": mine,
            "overdue": overdue,
            "today": today,
            "statuses": ActionStatus.choices,
        },
    )


@page
def action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = access_action_item(viewer=request.user, action_id=pk)
    form = f.ActionStatusForm(request.POST or None)
    if request.method == "POST":
        item = access_action_item(viewer=request.user, action_id=pk, purpose="update")
        if form.is_valid():
            d = form.cleaned_data
            if (
                d["status"] in (ActionStatus.OPEN,)
                and item.status in (ActionStatus.DONE, ActionStatus.DROPPED)
                and (not coord_can(request.user, "coord.meetings.manage"))
            ):
                raise PermissionDenied(_("Hanya Posko yang dapat membuka kembali tindak lanjut."))
            try:
                action_item_set_status(
                    actor=request.user,
                    item=item,
                    status=d["status"],
                    note=d.get("note") or "",
                    evidence=d.get("evidence") or "",
                    reason=d.get("reason") or "",
                    now=timezone.now(),
                )
            except ValidationFailed as exc:
                f.problems_to_form(form, exc)
            else:
                messages.success(request, _("Status tindak lanjut diperbarui."))
                return redirect("coord:action", item.pk)
    today = local_date(timezone.now(), zone())
    context = {
        "item": item,
        "form": form,
        "history": item.events.select_related("actor").order_by("at", "id"),
        "can_update": can_update_action(request.user, item),
        "overdue": item.is_unresolved and item.due_date < today,
        "carried_into": item.carried_into.select_related("meeting").order_by("meeting__starts_at"),
    }
    return render(request, "coord/action.html", context)
