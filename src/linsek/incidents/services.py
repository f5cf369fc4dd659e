"""Every write to reports after they are taken in: lifecycle, triage, handling, closure, merge, notes, files.

Each service checks the actor's relation to the report (``access.report_relation``), changes the row
under a lock, writes the timeline line and the audit event in the same transaction, and publishes the
live event after commit. New reports come in through :func:`reports_submit` (the shared batch writer);
escalation and notification sweeps are in ``incidents.flows``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from linsek.audit.services import audit_append
from linsek.core.errors import DomainError, Forbidden, ValidationFailed
from linsek.core.uploads import SNIFF_BYTES, content_type_sniff, upload_name_clean
from linsek.incidents.access import access_report, report_relation
from linsek.incidents.lifecycle import CLOSURE_REQUEST_FROM, OPEN, InvalidTransition, transition_target
from linsek.incidents.models import (
    Attachment,
    DuplicateDismissal,
    RejectReason,
    Report,
    ReportEvent,
    ReportRecipient,
)
from linsek.incidents.rules import escalation_rules, intake_limits
from linsek.incidents.submission import Actor
from linsek.incidents.visibility import report_can
from linsek.incidents.writer import Incoming, Outcome, reports_accept_batch
from linsek.live.bus import publish


class ReplayConflict(DomainError):
    """The UUID was used before for different content; carries the original's id and reference."""

    code = "conflict"

    def __init__(self, message: str, *, original_id: str, reference: str) -> None:
        super().__init__(message)
        self.original_id = original_id
        self.reference = reference


# --- intake ----------------------------------------------------------------------------------------------------


def actor_for(user: Any, *, channel: str) -> Actor:
    """The submitting actor of a signed-in user (trusted when they belong to a registered organisation)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Actor(None, "", None, channel, trusted=False)
    return Actor(user.pk, user.get_username(), user.organisation_id, channel, trusted=user.organisation_id is not None)


def reports_submit(
    *, actor: Actor, items: Sequence[dict[str, Any]], now: datetime, request_id: str = "", client_addr: str = ""
) -> list[Outcome]:
    """Take a batch of reports (web form: one; API batch: many); live events go out after commit."""
    label = actor.username or actor.channel
    incoming = [Incoming(raw, actor, label, request_id, client_addr) for raw in items]
    with transaction.atomic():
        outcomes = reports_accept_batch(incoming, now=now)
        events = [o.live for o in outcomes if o.live is not None]
        transaction.on_commit(lambda: publish(events))
    return outcomes


def report_submit(
    *, actor: Actor, data: dict[str, Any], now: datetime, request_id: str = "", client_addr: str = ""
) -> Outcome:
    """One report; ``ValidationFailed`` or ``ReplayConflict`` when it cannot be taken."""
    outcome = reports_submit(actor=actor, items=[data], now=now, request_id=request_id, client_addr=client_addr)[0]
    if outcome.result == "invalid":
        raise ValidationFailed(outcome.body.get("message", "laporan tidak dapat diterima"), outcome.problems)
    if outcome.result == "conflict":
        raise ReplayConflict(
            outcome.body["detail"], original_id=outcome.body["original_id"], reference=outcome.body["reference"]
        )
    return outcome


# --- live events of changes -----------------------------------------------------------------------------------


def report_live_event(report: Report) -> dict[str, Any]:
    """The live event for a report's current state (same shape as the intake lane's)."""
    from linsek.incidents.writer import live_payload

    recipients = list(ReportRecipient.objects.filter(report=report).values_list("organisation_id", flat=True))
    row = {
        "uuid": report.uuid,
        "kind": report.kind,
        "severity": report.severity,
        "crowd_level": report.crowd_level,
        "status": report.status,
        "classification": report.classification,
        "title": report.title,
        "description": report.description,
        "lat": report.lat,
        "lon": report.lon,
        "observed_at": report.observed_at,
        "received_at": report.received_at,
        "lead_name": report.lead_org.name if report.lead_org_id and report.lead_org else "",
        "lead_org_id": report.lead_org_id,
        "handled_by_label": report.handled_by.get_username() if report.handled_by_id and report.handled_by else "",
        "reporter_id": report.reporter_id,
        "village_id": report.village_id,
        "district_id": report.district_id,
        "regency_id": report.regency_id,
        "province_id": report.province_id,
    }
    return live_payload(row, recipients, report.pk)


def _publish_after_commit(report_ids: Sequence[int]) -> None:
    def send() -> None:
        reports = Report.objects.filter(pk__in=list(report_ids)).select_related("lead_org", "handled_by")
        publish([report_live_event(r) for r in reports])

    transaction.on_commit(send)


def _event(
    report: Report, *, actor: Any, action: str, now: datetime, from_status: str = "", note: str = "", **data: Any
) -> None:
    ReportEvent.objects.create(
        report=report,
        at=now,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=actor.get_username() if getattr(actor, "pk", None) else "system",
        organisation_id=getattr(actor, "organisation_id", None),
        action=action,
        from_status=from_status,
        to_status=report.status,
        note=note,
        data=data,
    )
    audit_append(
        action=f"report.{action}",
        actor=actor,
        object_type="incidents.report",
        object_id=report.pk,
        data={"from": from_status, "to": report.status, **({"note": note[:200]} if note else {}), **data},
        now=now,
    )


# --- lifecycle ------------------------------------------------------------------------------------------------


def _apply_transition(
    report: Report, *, actor: Any, action: str, now: datetime, note: str = "", reason: str = ""
) -> None:
    target = transition_target(status=report.status, action=action)
    if action == "reject":
        if reason not in RejectReason.values:
            raise ValidationFailed(
                f"alasan penolakan wajib: {', '.join(RejectReason.values)}",
            )
        report.reject_reason = reason
    if action == "approve_closure" and report.closure_requested_by_id is None:
        raise InvalidTransition("belum ada permintaan penutupan untuk disetujui")
    before = report.status
    report.status = target
    report.updated_at = now
    if action == "acknowledge" or (report.acknowledged_at is None and target != "new"):
        report.acknowledged_at = report.acknowledged_at or now
    if target not in OPEN:
        report.handled_by = None
        report.handled_since = None
    if action == "approve_closure":
        report.closure_note = note or report.closure_note
    report.save()
    _event(report, actor=actor, action=action, now=now, from_status=before, note=note, reason=reason)


def report_transition(
    *, actor: Any, report_id: int, action: str, now: datetime, note: str = "", reason: str = ""
) -> Report:
    """Move a report along its lifecycle (acknowledge, verify, reject, start, resolve, reopen, close, approve…)."""
    with transaction.atomic():
        report = access_report(viewer=actor, report_id=report_id, for_update=True)
        report_relation(viewer=actor, report=report).require_lead()
        _apply_transition(report, actor=actor, action=action, now=now, note=note, reason=reason)
        _publish_after_commit([report.pk])
    return report


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    refused: dict[int, str] = field(default_factory=dict)


def reports_bulk_transition(
    *, actor: Any, report_ids: Sequence[int], action: str, now: datetime, note: str = "", reason: str = ""
) -> BulkResult:
    """Triage many at once; each report is judged on its own (one refusal does not undo the others)."""
    result = BulkResult()
    for report_id in dict.fromkeys(report_ids):
        try:
            report_transition(actor=actor, report_id=report_id, action=action, now=now, note=note, reason=reason)
            result.done.append(report_id)
        except DomainError as exc:
            result.refused[report_id] = exc.message
    return result


def report_reassign(*, actor: Any, report_id: int, organisation_id: int, now: datetime, note: str = "") -> Report:
    """Give the lead to another organisation (Posko triage); the former lead stays as support."""
    from linsek.agencies.models import Organisation

    if not report_can(actor, "reports.act_area"):
        raise Forbidden("hanya Posko yang dapat mengalihkan penanggung jawab")
    org = Organisation.objects.filter(pk=organisation_id, active=True).first()
    if org is None:
        raise ValidationFailed("instansi tujuan tidak ada atau tidak aktif")
    with transaction.atomic():
        report = access_report(viewer=actor, report_id=report_id, for_update=True)
        if report.status not in OPEN:
            raise InvalidTransition("laporan yang sudah selesai atau ditolak tidak dialihkan")
        ReportRecipient.objects.filter(report=report, role="lead").update(role="support")
        ReportRecipient.objects.update_or_create(
            report=report, organisation=org, defaults={"role": "lead", "added_at": now}
        )
        previous = report.lead_org_id
        report.lead_org = org
        report.updated_at = now
        if report.status == "new":
            report.ack_due_at = now + _ack_delta(report.severity)
            report.escalation_level = 0
        report.save()
        _event(report, actor=actor, action="reassigned", now=now, note=note, previous=previous, lead=org.pk)
        _publish_after_commit([report.pk])
    return report


def reports_bulk_reassign(
    *, actor: Any, report_ids: Sequence[int], organisation_id: int, now: datetime, note: str = ""
) -> BulkResult:
    result = BulkResult()
    for report_id in dict.fromkeys(report_ids):
        try:
            report_reassign(actor=actor, report_id=report_id, organisation_id=organisation_id, now=now, note=note)
            result.done.append(report_id)
        except DomainError as exc:
            result.refused[report_id] = exc.message
    return result


def _ack_delta(severity: int) -> Any:
    from datetime import timedelta

    return timedelta(minutes=escalation_rules().ack_minutes[severity])


# --- situation-room work --------------------------------------------------------------------------------------


def report_handling_claim(*, actor: Any, report_id: int, now: datetime, force: bool = False) -> Report:
    """Mark "being handled by me" so that two operators do not work the same report; refused if someone else has it."""
    with transaction.atomic():
        report = access_report(viewer=actor, report_id=report_id, for_update=True)
        report_relation(viewer=actor, report=report).require_any()
        if report.status not in OPEN:
            raise InvalidTransition("laporan ini sudah tidak terbuka")
        if report.handled_by_id and report.handled_by_id != actor.pk and not force:
            holder = report.handled_by.get_username() if report.handled_by else "?"
            raise Forbidden(f"sedang ditangani oleh {holder} sejak {report.handled_since:%H:%M}")
        previous = report.handled_by_id
        report.handled_by = actor
        report.handled_since = now
        report.updated_at = now
        report.save(update_fields=["handled_by", "handled_since", "updated_at"])
        _event(report, actor=actor, action="handling_claimed", now=now, previous=previous)
        _publish_after_commit([report.pk])
    return report


def report_handling_release(*, actor: Any, report_id: int, now: datetime) -> Report:
    with transaction.atomic():
        report = access_report(viewer=actor, report_id=report_id, for_update=True)
        relation = report_relation(viewer=actor, report=report)
        if report.handled_by_id != actor.pk and not relation.command:
            raise Forbidden("hanya yang menandai (atau Posko) yang dapat melepas tanda penanganan")
        report.handled_by = None
        report.handled_since = None
        report.updated_at = now
        report.save(update_fields=["handled_by", "handled_since", "updated_at"])
        _event(report, actor=actor, action="handling_released", now=now)
        _publish_after_commit([report.pk])
    return report


def report_closure_request(*, actor: Any, report_id: int, now: datetime, note: str) -> Report:
    """A supporting agency asks to close; the lead agency approves (``approve_closure``) or declines."""
    if not note.strip():
        raise ValidationFailed("sebutkan alasan permintaan penutupan")
    with transaction.atomic():
        report = access_report(viewer=actor, report_id=report_id, for_update=True)
        report_relation(viewer=actor, report=report).require_support()
        if report.status not in CLOSURE_REQUEST_FROM:
            raise InvalidTransition(
                f"penutupan hanya dapat diminta saat status {', '.join(sorted(CLOSURE_REQUEST_FROM))}"
            )
        report.closure_requested_by_id = actor.organisation_id
        report.closure_requested_at = now
        report.closure_note = note.strip()[:2000]
        report.updated_at = now
        report.save()
        _event(report, actor=actor, action="closure_requested", now=now, note=report.closure_note)
        _publish_after_commit([report.pk])
    return report


def report_closure_decline(*, actor: Any, report_id: int, now: datetime, note: str = "") -> Report:
    with transaction.atomic():
        report = access_report(viewer=actor, report_id=report_id, for_update=True)
        report_relation(viewer=actor, report=report).require_lead()
        if report.closure_requested_by_id is None:
            raise InvalidTransition("tidak ada permintaan penutupan")
        report.closure_requested_by_id = None
        report.closure_requested_at = None
        report.updated_at = now
        report.save()
        _event(report, actor=actor, action="closure_declined", now=now, note=note)
        _publish_after_commit([report.pk])
    return report


def report_merge(*, actor: Any, report_id: int, into_id: int, now: datetime) -> Report:
    """Confirm a duplicate: the report is rejected as duplicate and points at the one it duplicates."""
    if report_id == into_id:
        raise ValidationFailed("laporan tidak dapat digabung dengan dirinya sendiri")
    with transaction.atomic():
        target = access_report(viewer=actor, report_id=into_id)
        report = access_report(viewer=actor, report_id=report_id, for_update=True)
        report_relation(viewer=actor, report=report).require_lead()
        while target.merged_into_id is not None:  # merge into the survivor, never into a merged one
            target = Report.objects.get(pk=target.merged_into_id)
        report.merged_into = target
        _apply_transition(
            report, actor=actor, action="reject", now=now, reason="duplicate", note=f"duplikat L{target.pk}"
        )
        ReportEvent.objects.create(
            report=target,
            at=now,
            actor=actor,
            actor_label=actor.get_username(),
            organisation_id=actor.organisation_id,
            action="merged_in",
            to_status=target.status,
            note=f"L{report.pk} digabung ke laporan ini",
            data={"merged": report.pk},
        )
        _publish_after_commit([report.pk, target.pk])
    return report


def duplicate_dismiss(*, actor: Any, report_id: int, other_id: int, now: datetime) -> None:
    """Record that two suggested duplicates are different reports, so the pair is not suggested again."""
    with transaction.atomic():
        report = access_report(viewer=actor, report_id=report_id)
        access_report(viewer=actor, report_id=other_id)
        report_relation(viewer=actor, report=report).require_any()
        a, b = sorted((report_id, other_id))
        DuplicateDismissal.objects.get_or_create(report_id=a, other_id=b, defaults={"by": actor, "at": now})
        audit_append(
            action="report.duplicate_dismissed",
            actor=actor,
            object_type="incidents.report",
            object_id=report_id,
            data={"other": other_id},
            now=now,
        )


def report_note_add(*, actor: Any, report_id: int, note: str, now: datetime) -> ReportEvent:
    """A line in the timeline (an agency's remark, or the reporter's follow-up)."""
    text = note.strip()
    limit = intake_limits().description_max_chars
    if not text:
        raise ValidationFailed("catatan kosong")
    if len(text) > limit:
        raise ValidationFailed(f"catatan terlalu panjang: {len(text)} karakter, paling banyak {limit}")
    with transaction.atomic():
        report = access_report(viewer=actor, report_id=report_id, for_update=True)
        relation = report_relation(viewer=actor, report=report)
        if not (relation.reporter or relation.receiving or relation.supporting or relation.command):
            raise Forbidden("Anda tidak terlibat dalam laporan ini")
        report.updated_at = now
        report.save(update_fields=["updated_at"])
        _event(report, actor=actor, action="note", now=now, note=text)
        event = ReportEvent.objects.filter(report=report).order_by("-id").first()
        _publish_after_commit([report.pk])
    assert event is not None
    return event


def report_follow_up_from_sender(*, report_id: int, sender_label: str, text: str, now: datetime) -> None:
    """A follow-up text from an outside sender joins his open report's timeline (SMS/WhatsApp threading)."""
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report_id)
        report.updated_at = now
        report.save(update_fields=["updated_at"])
        ReportEvent.objects.create(
            report=report,
            at=now,
            actor=None,
            actor_label=sender_label,
            action="follow_up",
            to_status=report.status,
            note=text[: intake_limits().description_max_chars],
        )
        audit_append(
            action="report.follow_up",
            actor=None,
            object_type="incidents.report",
            object_id=report.pk,
            data={"sender": sender_label},
            now=now,
        )
        _publish_after_commit([report.pk])


# --- attachments ----------------------------------------------------------------------------------------------


def attachment_add(*, actor: Any, report_id: int, name: str, content: bytes, now: datetime) -> Attachment:
    """Attach a photo or PDF: size and detected type checked against ``rules/intake.json``.

    ``name`` is the client's file name, kept only as a cleaned label: the file is stored under its hash.
    """
    limits = intake_limits()
    if len(content) > limits.attachment_max_bytes:
        raise ValidationFailed(
            f"berkas terlalu besar: {len(content):,} byte, paling besar {limits.attachment_max_bytes:,} byte"
        )
    ctype = content_type_sniff(content[:SNIFF_BYTES])
    if ctype is None or ctype not in limits.attachment_types:
        raise ValidationFailed(
            "jenis berkas tidak diizinkan (isi berkas dikenali sebagai "
            f"{ctype or 'tidak dikenal'}); hanya foto JPEG/PNG/WebP atau PDF"
        )
    digest = hashlib.sha256(content).hexdigest()
    with transaction.atomic():
        report = access_report(viewer=actor, report_id=report_id, for_update=True)
        relation = report_relation(viewer=actor, report=report)
        if not (relation.reporter or relation.receiving or relation.command):
            raise Forbidden("hanya pelapor atau penanggung jawab yang dapat melampirkan berkas")
        if Attachment.objects.filter(report=report).count() >= limits.attachments_max_count:
            raise ValidationFailed(f"paling banyak {limits.attachments_max_count} lampiran per laporan")
        attachment = Attachment(
            report=report,
            content_type=ctype,
            size=len(content),
            sha256=digest,
            original_name=upload_name_clean(name),
            uploaded_at=now,
            uploaded_by=actor,
        )
        attachment.file.save("upload", ContentFile(content), save=False)
        attachment.save()
        _event(report, actor=actor, action="attachment_added", now=now, sha256=digest, type=ctype, size=len(content))
    return attachment


def report_case_link(*, actor: Any, report_id: int, case_ref: str, now: datetime) -> Report:
    """Record that a report became an election-crime case (called by ``cases`` when it opens one from a report)."""
    with transaction.atomic():
        report = access_report(viewer=actor, report_id=report_id, for_update=True)
        report.case_ref = case_ref[:64]
        report.updated_at = now
        report.save(update_fields=["case_ref", "updated_at"])
        _event(report, actor=actor, action="case_linked", now=now, case=case_ref[:64])
        _publish_after_commit([report.pk])
    return report
