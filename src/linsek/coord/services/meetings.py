"""Writes of meetings: creation with invitations and agenda, attendance, presentations, minutes, decisions."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from linsek.agencies.models import Organisation, Person
from linsek.audit.services import audit_append
from linsek.coord.filetypes import FileRejected, presentation_detect
from linsek.coord.models import AgendaItem, Decision, Invitation, Meeting, Presentation
from linsek.core.errors import FieldProblem, ValidationFailed
from linsek.core.uploads import upload_name_clean
from linsek.regions.models import Region

DEFAULT_PRESENTATION_MAX_BYTES = 25 * 1024 * 1024


@dataclass
class MeetingInput:
    title: str
    starts_at: datetime
    place: str
    region: Region
    organiser: Organisation
    invited_ids: Sequence[int]
    kind: str = Meeting.Kind.RAKOR.value
    ends_at: datetime | None = None
    chair_person: Person | None = None
    chair_name: str = ""
    chair_organisation: Organisation | None = None
    series: str = ""
    summary: str = ""
    agenda: Sequence[str] = field(default_factory=list)


def meeting_series_default(*, kind: str, region: Region) -> str:
    """Meetings of one kind for one region form a series (the Rakor Linsek of Jepara): items carry along it."""
    return slugify(f"{kind}-{region.code.replace('.', '-')}")[:80]


def meeting_create(*, actor: Any, data: MeetingInput, now: datetime) -> Meeting:
    """Schedule a meeting, invite organisations, set its agenda, and carry over the series' open items."""
    problems: list[FieldProblem] = []
    if not data.title.strip():
        problems.append(FieldProblem("title", _("Judul wajib diisi.")))
    if not data.place.strip():
        problems.append(FieldProblem("place", _("Tempat wajib diisi.")))
    if data.kind not in Meeting.Kind.values:
        problems.append(FieldProblem("kind", _("Jenis rapat tidak dikenal."), data.kind))
    if data.ends_at is not None and data.ends_at < data.starts_at:
        problems.append(FieldProblem("ends_at", _("Waktu selesai tidak boleh sebelum waktu mulai.")))
    if data.chair_person is not None and data.chair_organisation is None:
        data.chair_organisation = data.chair_person.organisation
    invited = list(Organisation.objects.filter(pk__in=set(data.invited_ids), active=True))
    if len(invited) != len(set(data.invited_ids)):
        problems.append(FieldProblem("invited", _("Ada instansi undangan yang tidak dikenal atau tidak aktif.")))
    if not invited:
        problems.append(FieldProblem("invited", _("Undang sedikitnya satu instansi.")))
    if problems:
        raise ValidationFailed(_("Rapat tidak dapat disimpan: periksa isian yang ditandai."), problems)
    from linsek.coord.services.actions import action_item_carry_over

    with transaction.atomic():
        meeting = Meeting.objects.create(
            series=data.series or meeting_series_default(kind=data.kind, region=data.region),
            kind=data.kind,
            title=data.title.strip(),
            starts_at=data.starts_at,
            ends_at=data.ends_at,
            place=data.place.strip(),
            region=data.region,
            organiser=data.organiser,
            chair_person=data.chair_person,
            chair_name=data.chair_name.strip() or (str(data.chair_person) if data.chair_person else ""),
            chair_organisation=data.chair_organisation,
            summary=data.summary.strip(),
            created_by=actor if getattr(actor, "pk", None) else None,
            created_at=now,
            updated_at=now,
        )
        Invitation.objects.bulk_create([Invitation(meeting=meeting, organisation=o) for o in invited])
        AgendaItem.objects.bulk_create(
            [
                AgendaItem(meeting=meeting, position=i, title=t.strip()[:300])
                for i, t in enumerate((t for t in data.agenda if t.strip()), start=1)
            ]
        )
        audit_append(
            action="coord.meeting.create",
            actor=actor,
            object_type="coord.meeting",
            object_id=meeting.pk,
            data={
                "title": meeting.title,
                "starts_at": meeting.starts_at.isoformat(),
                "place": meeting.place,
                "invited": sorted(o.code for o in invited),
            },
            now=now,
        )
        action_item_carry_over(meeting=meeting, now=now)
    return meeting


def meeting_invite(*, actor: Any, meeting: Meeting, organisation_ids: Sequence[int], now: datetime) -> int:
    """Invite more organisations; returns how many were new."""
    orgs = list(Organisation.objects.filter(pk__in=set(organisation_ids), active=True))
    with transaction.atomic():
        have = set(meeting.invitations.values_list("organisation_id", flat=True))
        fresh = [o for o in orgs if o.pk not in have]
        Invitation.objects.bulk_create([Invitation(meeting=meeting, organisation=o) for o in fresh])
        if fresh:
            audit_append(
                action="coord.meeting.invite",
                actor=actor,
                object_type="coord.meeting",
                object_id=meeting.pk,
                data={"invited": sorted(o.code for o in fresh)},
                now=now,
            )
    return len(fresh)


def attendance_record(
    *,
    actor: Any,
    meeting: Meeting,
    organisation: Organisation,
    attendance: str,
    now: datetime,
    person_ids: Sequence[int] = (),
    names: str = "",
) -> Invitation:
    """Record who came for one organisation (people of the registry, or names typed in)."""
    if attendance not in Invitation.Attendance.values:
        raise ValidationFailed(_("Status kehadiran tidak dikenal."), [FieldProblem("attendance", attendance)])
    people = list(Person.objects.filter(pk__in=set(person_ids), organisation=organisation))
    if len(people) != len(set(person_ids)):
        raise ValidationFailed(
            _("Peserta harus personel dari instansi yang bersangkutan."), [FieldProblem("attendees", "organisation")]
        )
    lines = "\n".join(n.strip() for n in names.splitlines() if n.strip())
    if attendance in (Invitation.Attendance.PRESENT, Invitation.Attendance.REPRESENTED) and not (people or lines):
        raise ValidationFailed(
            _("Sebutkan sedikitnya satu nama yang hadir."), [FieldProblem("attendees", _("wajib diisi"))]
        )
    with transaction.atomic():
        invitation, _created = Invitation.objects.get_or_create(meeting=meeting, organisation=organisation)
        invitation.attendance = attendance
        invitation.attendee_names = lines
        invitation.recorded_at = now
        invitation.recorded_by = actor if getattr(actor, "pk", None) else None
        invitation.save()
        invitation.attendees.set(people)
        if attendance in (Invitation.Attendance.PRESENT, Invitation.Attendance.REPRESENTED) and (
            meeting.status == Meeting.Status.PLANNED and meeting.starts_at <= now
        ):
            meeting.status = Meeting.Status.HELD
            meeting.updated_at = now
            meeting.save(update_fields=["status", "updated_at"])
        audit_append(
            action="coord.meeting.attendance",
            actor=actor,
            object_type="coord.meeting",
            object_id=meeting.pk,
            data={
                "organisation": organisation.code,
                "attendance": attendance,
                "people": sorted(p.pk for p in people),
                "names": lines.count("\n") + 1 if lines else 0,
            },
            now=now,
        )
    return invitation


def agenda_item_add(
    *, actor: Any, meeting: Meeting, title: str, now: datetime, organisation: Organisation | None = None
) -> AgendaItem:
    if not title.strip():
        raise ValidationFailed(_("Judul acara wajib diisi."), [FieldProblem("title", _("wajib diisi"))])
    with transaction.atomic():
        last = meeting.agenda_items.aggregate(m=Max("position"))["m"] or 0
        item = AgendaItem.objects.create(
            meeting=meeting,
            position=last + 1,
            title=title.strip()[:300],
            organisation=organisation,
            kind=AgendaItem.Kind.PRESENTATION if organisation else AgendaItem.Kind.TOPIC,
        )
        audit_append(
            action="coord.meeting.agenda",
            actor=actor,
            object_type="coord.meeting",
            object_id=meeting.pk,
            data={"title": item.title},
            now=now,
        )
    return item


def presentation_max_bytes() -> int:
    return int(getattr(settings, "LINSEK_PRESENTATION_MAX_BYTES", DEFAULT_PRESENTATION_MAX_BYTES))


def presentation_upload(
    *, actor: Any, meeting: Meeting, organisation: Organisation, title: str, upload: Any, now: datetime
) -> Presentation:
    """Store an agency's presentation: size limit first, type from the bytes, a generated name on disk.

    ``upload`` is a Django ``UploadedFile`` (or any file object with ``size`` and ``name``).
    """
    limit = presentation_max_bytes()
    size = int(getattr(upload, "size", 0) or 0)
    if size <= 0:
        raise ValidationFailed(_("Berkas kosong."), [FieldProblem("file", _("berkas kosong"))])
    if size > limit:
        message = _("Berkas terlalu besar: %(size).1f MB, batasnya %(limit).0f MB.") % {
            "size": size / 1048576,
            "limit": limit / 1048576,
        }
        raise ValidationFailed(message, [FieldProblem("file", message, str(size))])
    stream = upload.file if hasattr(upload, "file") else upload
    try:
        detected = presentation_detect(stream)
    except FileRejected as exc:
        raise ValidationFailed(
            _("Berkas ditolak: %(why)s. Unggah PDF atau PPTX.") % {"why": str(exc)},
            [FieldProblem("file", str(exc), upload_name_clean(getattr(upload, "name", "")))],
        ) from exc
    digest = hashlib.sha256()
    stream.seek(0)
    for chunk in iter(lambda: stream.read(1 << 20), b""):
        digest.update(chunk)
    stream.seek(0)
    # The uploader's file name is a label only (the file is stored under a generated name).
    original_name = upload_name_clean(getattr(upload, "name", ""))
    clean_title = title.strip() or original_name or _("Paparan")
    with transaction.atomic():
        item = Presentation(
            meeting=meeting,
            organisation=organisation,
            title=clean_title[:200],
            content_type=detected.content_type,
            size=size,
            sha256=digest.hexdigest(),
            pages=detected.pages,
            original_name=original_name,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
            uploaded_at=now,
        )
        item.file.save("upload", File(stream), save=False)
        item.save()
        audit_append(
            action="coord.presentation.upload",
            actor=actor,
            object_type="coord.presentation",
            object_id=item.pk,
            after_digest=item.sha256,
            data={"meeting": meeting.pk, "organisation": organisation.code, "type": item.content_type, "size": size},
            now=now,
        )
    return item


def meeting_minutes_record(*, actor: Any, meeting: Meeting, minutes: str, now: datetime) -> Meeting:
    """Record the minutes (notulen); a meeting with minutes has been held."""
    if not minutes.strip():
        raise ValidationFailed(_("Notulen kosong."), [FieldProblem("minutes", _("wajib diisi"))])
    if meeting.status == Meeting.Status.CANCELLED:
        raise ValidationFailed(_("Rapat ini dibatalkan."), [FieldProblem("status", meeting.status)])
    with transaction.atomic():
        before = hashlib.sha256(meeting.minutes.encode()).hexdigest() if meeting.minutes else ""
        meeting.minutes = minutes.strip()
        meeting.minutes_recorded_at = now
        meeting.minutes_recorded_by = actor if getattr(actor, "pk", None) else None
        if meeting.status == Meeting.Status.PLANNED:
            meeting.status = Meeting.Status.HELD
        meeting.updated_at = now
        meeting.save()
        audit_append(
            action="coord.meeting.minutes",
            actor=actor,
            object_type="coord.meeting",
            object_id=meeting.pk,
            before_digest=before,
            after_digest=hashlib.sha256(meeting.minutes.encode()).hexdigest(),
            now=now,
        )
    return meeting


def meeting_mark_held(*, actor: Any, meeting: Meeting, now: datetime) -> Meeting:
    """Mark a meeting held: its agenda (with the carried items) is kept as it was."""
    if meeting.status != Meeting.Status.PLANNED:
        return meeting
    with transaction.atomic():
        meeting.status = Meeting.Status.HELD
        meeting.updated_at = now
        meeting.save(update_fields=["status", "updated_at"])
        audit_append(
            action="coord.meeting.held", actor=actor, object_type="coord.meeting", object_id=meeting.pk, now=now
        )
    return meeting


def decision_add(*, actor: Any, meeting: Meeting, text: str, binds_ids: Sequence[int], now: datetime) -> Decision:
    """Add the next numbered decision, binding at least one organisation."""
    problems: list[FieldProblem] = []
    if not text.strip():
        problems.append(FieldProblem("text", _("Isi keputusan wajib diisi.")))
    binds = list(Organisation.objects.filter(pk__in=set(binds_ids)))
    if not binds or len(binds) != len(set(binds_ids)):
        problems.append(FieldProblem("binds", _("Pilih sedikitnya satu instansi yang terikat keputusan ini.")))
    if meeting.status == Meeting.Status.CANCELLED:
        problems.append(FieldProblem("meeting", _("Rapat ini dibatalkan.")))
    if problems:
        raise ValidationFailed(_("Keputusan tidak dapat disimpan."), problems)
    with transaction.atomic():
        Meeting.objects.select_for_update().filter(pk=meeting.pk).first()
        number = (meeting.decisions.aggregate(m=Max("number"))["m"] or 0) + 1
        decision = Decision.objects.create(
            meeting=meeting,
            number=number,
            text=text.strip(),
            created_by=actor if getattr(actor, "pk", None) else None,
            created_at=now,
        )
        decision.binds.set(binds)
        audit_append(
            action="coord.decision.add",
            actor=actor,
            object_type="coord.decision",
            object_id=decision.pk,
            after_digest=hashlib.sha256(decision.text.encode()).hexdigest(),
            data={"meeting": meeting.pk, "number": number, "binds": sorted(o.code for o in binds)},
            now=now,
        )
    return decision
