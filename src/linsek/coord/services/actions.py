"""Writes of action items: creation from a meeting, status changes, and the carry-over into the next agenda.

Carry-over: every unresolved item (open or in progress) of an earlier meeting in the same series appears as a
"carried" line on the agenda of each *planned* later meeting of the series, flagged overdue when its due date
is before that meeting's day. When an item is resolved, its carried lines leave the planned agendas; a held
meeting's agenda is history and is not touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from linsek.agencies.models import Organisation, Person
from linsek.audit.services import audit_append
from linsek.coord.calendar_grid import local_date
from linsek.coord.links import case_ref_check, plan_ref_check, report_ref_check
from linsek.coord.models import (
    UNRESOLVED,
    ActionItem,
    ActionItemEvent,
    ActionStatus,
    AgendaItem,
    CalendarEvent,
    Decision,
    Meeting,
)
from linsek.core.errors import FieldProblem, ValidationFailed

# Which status may follow which. Reopening a closed item is the meeting's (command's) call: see views/access.
TRANSITIONS: dict[str, frozenset[str]] = {
    ActionStatus.OPEN: frozenset({ActionStatus.IN_PROGRESS, ActionStatus.DONE, ActionStatus.DROPPED}),
    ActionStatus.IN_PROGRESS: frozenset({ActionStatus.OPEN, ActionStatus.DONE, ActionStatus.DROPPED}),
    ActionStatus.DONE: frozenset({ActionStatus.OPEN}),
    ActionStatus.DROPPED: frozenset({ActionStatus.OPEN}),
}


def meeting_local_date(meeting: Meeting) -> date:
    from django.conf import settings

    return local_date(meeting.starts_at, str(settings.TIME_ZONE))


@dataclass
class ActionInput:
    title: str
    owner_org: Organisation | None
    due_date: date | None
    owner_person: Person | None = None
    description: str = ""
    decision: Decision | None = None
    event: CalendarEvent | None = None
    report_ref: str = ""
    case_ref: str = ""
    plan_ref: str = ""


def _actor_label(actor: Any) -> str:
    return actor.get_username()[:150] if getattr(actor, "pk", None) else "system"


def action_item_add(*, actor: Any, meeting: Meeting, data: ActionInput, now: datetime) -> ActionItem:
    """Give a task to an organisation (and a person in it) with a due date not before the meeting."""
    problems: list[FieldProblem] = []
    if not data.title.strip():
        problems.append(FieldProblem("title", _("Uraian tindak lanjut wajib diisi.")))
    if data.owner_org is None:
        problems.append(FieldProblem("owner_org", _("Tindak lanjut harus punya instansi penanggung jawab.")))
    elif data.owner_person is not None and data.owner_person.organisation_id != data.owner_org.pk:
        problems.append(FieldProblem("owner_person", _("PIC harus personel dari instansi penanggung jawab.")))
    if data.due_date is None:
        problems.append(FieldProblem("due_date", _("Tenggat wajib diisi.")))
    elif data.due_date < meeting_local_date(meeting):
        problems.append(
            FieldProblem(
                "due_date",
                _("Tenggat (%(due)s) tidak boleh sebelum tanggal rapat (%(day)s).")
                % {"due": data.due_date.isoformat(), "day": meeting_local_date(meeting).isoformat()},
                data.due_date.isoformat(),
            )
        )
    if data.decision is not None and data.decision.meeting_id != meeting.pk:
        problems.append(FieldProblem("decision", _("Keputusan itu bukan dari rapat ini.")))
    if meeting.status == Meeting.Status.CANCELLED:
        problems.append(FieldProblem("meeting", _("Rapat ini dibatalkan.")))
    links: dict[str, str] = {}
    for name, check in (("report_ref", report_ref_check), ("case_ref", case_ref_check), ("plan_ref", plan_ref_check)):
        value = getattr(data, name).strip()
        if value:
            try:
                links[name] = check(viewer=actor, ref=value)
            except ValidationFailed as exc:
                problems.extend(exc.problems)
    if problems:
        raise ValidationFailed(_("Tindak lanjut tidak dapat disimpan: periksa isian yang ditandai."), problems)
    assert data.owner_org is not None and data.due_date is not None
    with transaction.atomic():
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
        number = (meeting.action_items.aggregate(m=Max("number"))["m"] or 0) + 1
        item = ActionItem.objects.create(
            meeting=meeting,
            decision=data.decision,
            number=number,
            title=data.title.strip()[:300],
            description=data.description.strip(),
            owner_org=data.owner_org,
            owner_person=data.owner_person,
            due_date=data.due_date,
            event=data.event,
            created_by=actor if getattr(actor, "pk", None) else None,
            created_at=now,
            updated_at=now,
            **links,
        )
        ActionItemEvent.objects.create(
            action_item=item,
            at=now,
            actor=item.created_by,
            actor_label=_actor_label(actor),
            to_status=item.status,
            note=_("dibuat dalam rapat"),
        )
        audit_append(
            action="coord.action.add",
            actor=actor,
            object_type="coord.action",
            object_id=item.pk,
            data={
                "meeting": meeting.pk,
                "number": number,
                "owner": data.owner_org.code,
                "due": data.due_date.isoformat(),
                **links,
            },
            now=now,
        )
        carry_over_refresh(series=meeting.series, after=meeting.starts_at, now=now)
    return item


def action_item_set_status(
    *,
    actor: Any,
    item: ActionItem,
    status: str,
    now: datetime,
    note: str = "",
    evidence: str = "",
    reason: str = "",
) -> ActionItem:
    """Move an item along open → in progress → done (with evidence) or dropped (with a reason)."""
    if status not in ActionStatus.values:
        raise ValidationFailed(_("Status tidak dikenal."), [FieldProblem("status", status)])
    if status == item.status:
        raise ValidationFailed(
            _("Status sudah %(s)s.") % {"s": item.get_status_display()}, [FieldProblem("status", status)]
        )
    if status not in TRANSITIONS[item.status]:
        raise ValidationFailed(
            _("Perubahan status dari %(a)s ke %(b)s tidak diizinkan.")
            % {"a": item.get_status_display(), "b": ActionStatus(status).label},
            [FieldProblem("status", status)],
        )
    if status == ActionStatus.DONE and not evidence.strip():
        raise ValidationFailed(
            _("Tindak lanjut selesai harus disertai bukti (nomor surat, laporan, foto, tautan)."),
            [FieldProblem("evidence", _("wajib diisi"))],
        )
    if status == ActionStatus.DROPPED and not reason.strip():
        raise ValidationFailed(
            _("Tindak lanjut yang dibatalkan harus disertai alasan."), [FieldProblem("reason", _("wajib diisi"))]
        )
    with transaction.atomic():
        locked = ActionItem.objects.select_for_update().get(pk=item.pk)
        if locked.status != item.status:
            raise ValidationFailed(
                _("Tindak lanjut ini baru saja diubah orang lain; muat ulang halaman."), [FieldProblem("status", "")]
            )
        previous = locked.status
        locked.status = status
        if status == ActionStatus.DONE:
            locked.evidence = evidence.strip()
        if status == ActionStatus.DROPPED:
            locked.drop_reason = reason.strip()
        locked.closed_at = now if status in (ActionStatus.DONE, ActionStatus.DROPPED) else None
        locked.updated_at = now
        locked.save()
        ActionItemEvent.objects.create(
            action_item=locked,
            at=now,
            actor=actor if getattr(actor, "pk", None) else None,
            actor_label=_actor_label(actor),
            from_status=previous,
            to_status=status,
            note=(note or evidence or reason).strip(),
        )
        audit_append(
            action="coord.action.status",
            actor=actor,
            object_type="coord.action",
            object_id=locked.pk,
            data={
                "from": previous,
                "to": status,
                "evidence": locked.evidence[:200],
                "reason": locked.drop_reason[:200],
            },
            now=now,
        )
        carry_over_refresh(series=locked.meeting.series, after=locked.meeting.starts_at, now=now)
    item.refresh_from_db()
    return item


@dataclass(frozen=True, slots=True)
class CarryResult:
    added: int
    removed: int


def action_item_carry_over(*, meeting: Meeting, now: datetime) -> CarryResult:
    """Bring the series' unresolved items onto this planned meeting's agenda (and drop resolved ones)."""
    if meeting.status != Meeting.Status.PLANNED:
        return CarryResult(0, 0)
    day = meeting_local_date(meeting)
    with transaction.atomic():
        pending = {
            a.pk: a
            for a in ActionItem.objects.filter(
                meeting__series=meeting.series,
                meeting__starts_at__lt=meeting.starts_at,
                status__in=UNRESOLVED,
            )
            .exclude(meeting__status=Meeting.Status.CANCELLED)
            .select_related("owner_org")
        }
        carried = {a.action_item_id: a for a in meeting.agenda_items.filter(kind=AgendaItem.Kind.CARRIED)}
        stale = [row.pk for aid, row in carried.items() if aid not in pending]
        AgendaItem.objects.filter(pk__in=stale).delete()
        fresh = []
        for aid, item in pending.items():
            overdue = item.due_date < day
            row = carried.get(aid)
            if row is None:
                fresh.append(
                    AgendaItem(
                        meeting=meeting,
                        position=0,
                        kind=AgendaItem.Kind.CARRIED,
                        title=item.title[:300],
                        organisation=item.owner_org,
                        action_item=item,
                        overdue=overdue,
                    )
                )
            elif row.overdue != overdue or row.title != item.title[:300]:
                row.overdue, row.title = overdue, item.title[:300]
                row.save(update_fields=["overdue", "title"])
        AgendaItem.objects.bulk_create(fresh)
        if fresh or stale:
            audit_append(
                action="coord.meeting.carry_over",
                actor=None,
                object_type="coord.meeting",
                object_id=meeting.pk,
                data={"added": sorted(a.action_item_id for a in fresh if a.action_item_id), "removed": len(stale)},
                now=now,
            )
    return CarryResult(len(fresh), len(stale))


def carry_over_refresh(*, series: str, after: datetime, now: datetime) -> None:
    """Refresh the carried lines of every planned meeting of the series after ``after``."""
    for meeting in Meeting.objects.filter(series=series, status=Meeting.Status.PLANNED, starts_at__gt=after):
        action_item_carry_over(meeting=meeting, now=now)
