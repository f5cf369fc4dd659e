"""Writes of the calendar: loading a versioned calendar file, agency events, and the responsibilities matrix."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from linsek.agencies.models import Organisation, OrganisationType
from linsek.audit.services import audit_append
from linsek.coord.calendar_grid import day_bounds
from linsek.coord.models import CalendarEvent, CalendarSet, Responsibility
from linsek.coord.rules import calendar_file, responsibilities_file, task_catalogue
from linsek.core.errors import FieldProblem, ValidationFailed
from linsek.regions.models import Region


@dataclass
class CalendarLoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    skipped: list[str] = field(default_factory=list)


def _differs(event: CalendarEvent, values: dict[str, Any]) -> bool:
    for name, wanted in values.items():
        if name == "region":
            if event.region_id != (wanted.pk if wanted is not None else None):
                return True
        elif getattr(event, name) != wanted:
            return True
    return False


def calendar_load(*, code: str = "pemilu2024", actor: Any = None, now: datetime) -> CalendarLoadResult:
    """Load (or update to) the calendar file ``rules/calendar_<code>.json``: one entry per stage.

    Idempotent: a stage is matched by its code; changed dates or texts are updated and audited. A stage
    limited to a region that is not in the registry yet is skipped (named in the result) and picked up by
    the next load. A stage removed from the file is withdrawn (cancelled), never deleted, so links to it hold.
    """
    doc = calendar_file(code)
    result = CalendarLoadResult()
    regions = {r.code: r for r in Region.objects.filter(code__in={s.region_code for s in doc.stages if s.region_code})}
    with transaction.atomic():
        cal, _created = CalendarSet.objects.update_or_create(
            code=doc.code,
            defaults={
                "name_id": doc.name_id,
                "name_en": doc.name_en,
                "version": doc.version,
                "source": doc.source,
                "time_zone": doc.time_zone,
                "document_sha256": doc.sha256,
                "loaded_at": now,
            },
        )
        existing = {e.code: e for e in CalendarEvent.objects.filter(calendar=cal)}
        for stage in doc.stages:
            region = regions.get(stage.region_code) if stage.region_code else None
            if stage.region_code and region is None:
                result.skipped.append(stage.code)
                continue
            starts_at, _e = day_bounds(stage.start, doc.time_zone)
            _s, ends_at = day_bounds(stage.end, doc.time_zone)
            values: dict[str, Any] = {
                "kind": stage.kind,
                "title": stage.name_id,
                "description": stage.name_en,
                "starts_at": starts_at,
                "ends_at": ends_at,
                "all_day": True,
                "region": region,
                "security_tasks": list(stage.tasks),
                "source": stage.source,
                "version": doc.version,
                "derived": stage.derived,
                "note": stage.note,
                "cancelled_at": None,
                "cancel_reason": "",
            }
            event = existing.pop(stage.code, None)
            if event is None:
                CalendarEvent.objects.create(calendar=cal, code=stage.code, created_at=now, updated_at=now, **values)
                result.created += 1
                continue
            if _differs(event, values):
                for k, v in values.items():
                    setattr(event, k, v)
                event.updated_at = now
                event.save()
                result.updated += 1
            else:
                result.unchanged += 1
        for event in existing.values():
            if event.cancelled_at is None:
                event.cancelled_at = now
                event.cancel_reason = f"tidak ada lagi di versi {doc.version}"
                event.updated_at = now
                event.save(update_fields=["cancelled_at", "cancel_reason", "updated_at"])
                result.withdrawn += 1
        audit_append(
            action="coord.calendar.load",
            actor=actor,
            object_type="coord.calendar",
            object_id=cal.pk,
            after_digest=doc.sha256,
            data={
                "code": doc.code,
                "version": doc.version,
                "created": result.created,
                "updated": result.updated,
                "withdrawn": result.withdrawn,
                "skipped": result.skipped,
            },
            now=now,
        )
    return result


def responsibilities_load(*, actor: Any = None, now: datetime, replace: bool = False) -> int:
    """Seed the matrix from ``rules/responsibilities.json`` when it is empty (or ``replace`` it); returns rows.

    Once an administrator has edited the table, a plain load leaves it alone.
    """
    doc = responsibilities_file()
    with transaction.atomic():
        if Responsibility.objects.exists() and not replace:
            return 0
        Responsibility.objects.all().delete()
        known = set(OrganisationType.objects.values_list("code", flat=True))
        rows = []
        for e in doc.entries:
            for type_code, role in ((e.lead, "lead"), *((s, "support") for s in e.support)):
                if type_code in known:
                    rows.append(
                        Responsibility(
                            subject_kind=e.subject_kind,
                            subject_code=e.subject_code,
                            organisation_type_id=type_code,
                            role=role,
                            note=e.note[:300],
                            source=doc.source[:300],
                            version=doc.version,
                        )
                    )
        Responsibility.objects.bulk_create(rows)
        audit_append(
            action="coord.responsibilities.load",
            actor=actor,
            object_type="coord.responsibility",
            data={"version": doc.version, "rows": len(rows), "replace": replace},
            now=now,
        )
    return len(rows)


@dataclass
class EventInput:
    """An agency event as entered: the form and the API both fill this."""

    title: str
    event_type: str
    starts_at: datetime
    ends_at: datetime
    region: Region | None = None
    place: str = ""
    description: str = ""
    all_day: bool = False
    expected_crowd: int | None = None
    permit_number: str = ""
    permit_issuer: str = ""
    unit_ids: list[int] = field(default_factory=list)
    organiser: Organisation | None = None
    lat: float | None = None
    lon: float | None = None


def _event_validate(data: EventInput) -> list[Organisation]:
    problems: list[FieldProblem] = []
    if not data.title.strip():
        problems.append(FieldProblem("title", _("Judul wajib diisi.")))
    catalogue = task_catalogue()
    if data.event_type not in catalogue.event_types:
        problems.append(FieldProblem("event_type", _("Jenis kegiatan tidak dikenal."), data.event_type))
    if data.starts_at.tzinfo is None or data.ends_at.tzinfo is None:
        problems.append(FieldProblem("starts_at", _("Waktu harus menyertakan zona waktu.")))
    elif data.ends_at < data.starts_at:
        problems.append(
            FieldProblem(
                "ends_at",
                _("Waktu selesai tidak boleh sebelum waktu mulai."),
                data.ends_at.isoformat(),
            )
        )
    if data.expected_crowd is not None and data.expected_crowd < 0:
        problems.append(FieldProblem("expected_crowd", _("Perkiraan massa tidak boleh negatif.")))
    if (data.lat is None) != (data.lon is None) or (
        data.lat is not None and data.lon is not None and not (-90 <= data.lat <= 90 and -180 <= data.lon <= 180)
    ):
        problems.append(FieldProblem("lat", _("Koordinat tidak lengkap atau di luar jangkauan.")))
    units = list(Organisation.objects.filter(pk__in=data.unit_ids, active=True))
    if len(units) != len(set(data.unit_ids)):
        problems.append(FieldProblem("units", _("Ada satuan yang tidak dikenal atau tidak aktif.")))
    if problems:
        raise ValidationFailed(_("Agenda tidak dapat disimpan: periksa isian yang ditandai."), problems)
    return units


def event_create(*, actor: Any, data: EventInput, now: datetime) -> CalendarEvent:
    """Record an agency event (rally, debate viewing, logistics run, recap session, …) with its units."""
    units = _event_validate(data)
    tasks = list(task_catalogue().event_types[data.event_type].tasks)
    with transaction.atomic():
        event = CalendarEvent.objects.create(
            kind=CalendarEvent.Kind.AGENCY,
            event_type=data.event_type,
            title=data.title.strip(),
            description=data.description.strip(),
            starts_at=data.starts_at,
            ends_at=data.ends_at,
            all_day=data.all_day,
            region=data.region,
            place=data.place.strip(),
            lat=data.lat,
            lon=data.lon,
            expected_crowd=data.expected_crowd,
            permit_number=data.permit_number.strip(),
            permit_issuer=data.permit_issuer.strip(),
            organiser=data.organiser or getattr(actor, "organisation", None),
            security_tasks=tasks,
            created_by=actor if getattr(actor, "pk", None) else None,
            created_at=now,
            updated_at=now,
        )
        event.units.set(units)
        audit_append(
            action="coord.event.create",
            actor=actor,
            object_type="coord.event",
            object_id=event.pk,
            data={"title": event.title, "type": event.event_type, "starts_at": event.starts_at.isoformat()},
            now=now,
        )
    return event


def event_update(*, actor: Any, event: CalendarEvent, data: EventInput, now: datetime) -> CalendarEvent:
    """Change an agency event; the previous values go into the audit event."""
    units = _event_validate(data)
    before = {"title": event.title, "starts_at": event.starts_at.isoformat(), "ends_at": event.ends_at.isoformat()}
    with transaction.atomic():
        for name in (
            "title",
            "event_type",
            "starts_at",
            "ends_at",
            "all_day",
            "region",
            "place",
            "description",
            "expected_crowd",
            "permit_number",
            "permit_issuer",
            "lat",
            "lon",
        ):
            value = getattr(data, name)
            setattr(event, name, value.strip() if isinstance(value, str) else value)
        event.security_tasks = list(task_catalogue().event_types[data.event_type].tasks)
        event.updated_at = now
        event.save()
        event.units.set(units)
        audit_append(
            action="coord.event.update",
            actor=actor,
            object_type="coord.event",
            object_id=event.pk,
            data={"before": before, "title": event.title, "starts_at": event.starts_at.isoformat()},
            now=now,
        )
    return event


def event_cancel(*, actor: Any, event: CalendarEvent, reason: str, now: datetime) -> CalendarEvent:
    """Cancel an agency event (kept, shown struck through; exported as CANCELLED)."""
    if not reason.strip():
        raise ValidationFailed(_("Sebutkan alasan pembatalan."), [FieldProblem("reason", _("wajib diisi"))])
    with transaction.atomic():
        event.cancelled_at = now
        event.cancel_reason = reason.strip()[:200]
        event.updated_at = now
        event.save(update_fields=["cancelled_at", "cancel_reason", "updated_at"])
        audit_append(
            action="coord.event.cancel",
            actor=actor,
            object_type="coord.event",
            object_id=event.pk,
            data={"reason": event.cancel_reason},
            now=now,
        )
    return event
