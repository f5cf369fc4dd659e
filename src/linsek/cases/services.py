"""Writes of the cases app: registering a case, moving it through its stages, attaching documents.

Every write runs in one transaction with its audit event (``case.register``, ``case.transition``,
``case.document.add`` carrying the file's SHA-256). Services take ``now``; the moment a transition happened
(``at``) may be earlier than ``now`` (a stage recorded after the fact) but not later than ``now`` plus
the rule set's small tolerance for clock skew.
"""

from __future__ import annotations

import hashlib
import uuid as uuid_mod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q

from linsek.accounts.policy import user_can
from linsek.audit.services import audit_append
from linsek.cases.deadlines import Deadline, deadline_compute, threshold_moments
from linsek.cases.errors import InvalidTransition, MissingDocument
from linsek.cases.models import Case, CaseArticle, CaseCounter, CaseDocument, CaseParty, CaseReport, CaseStage
from linsek.cases.rules import DEFAULT_RULE_SET, ORIGINS, RuleSet, StageRule, Transition, rule_set
from linsek.cases.selectors import viewer_scope
from linsek.core.errors import FieldProblem, Forbidden, ValidationFailed
from linsek.core.uploads import SNIFF_BYTES, content_type_sniff, upload_name_clean
from linsek.regions.models import PollingStation, Region

MAX_DOCUMENT_BYTES = 25 * 1024 * 1024
# What a case document may be, as read from its bytes (core.uploads): letters, minutes and decisions arrive
# as PDF or as a photo/scan of the signed paper. Office files are not accepted: the sniffer only sees a ZIP
# or OLE2 container, not whether it is a document, a spreadsheet or something carrying macros.
DOCUMENT_TYPES: dict[str, str] = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/webp": ".webp",
}


@dataclass(frozen=True, slots=True)
class PartyInput:
    role: str
    name: str
    identity_number: str = ""
    address: str = ""
    note: str = ""


@dataclass(frozen=True, slots=True)
class ArticleInput:
    article: int
    paragraph: str = ""


@dataclass(frozen=True, slots=True)
class DocumentInput:
    """A file to attach: an upload (stored and hashed) or an existing document of the case."""

    upload: UploadedFile | None = None
    existing_id: int | None = None
    title: str = ""


def region_time_zone(region: Region) -> str:
    """The region's IANA zone, inherited from the nearest ancestor that sets one (one query)."""
    from django.conf import settings

    codes = [region.code[: len(p)] for p in _prefixes(region.code)]
    zones = dict(Region.objects.filter(code__in=codes).exclude(time_zone="").values_list("code", "time_zone"))
    for code in sorted(codes, key=len, reverse=True):
        if code in zones:
            return zones[code]
    return str(settings.TIME_ZONE)


def _prefixes(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def _place(region: Region) -> dict[str, int | None]:
    """district / regency / province ids of a region (by its code: the hierarchy is in the code)."""
    codes = _prefixes(region.code)
    found = dict(Region.objects.filter(code__in=codes).values_list("code", "id"))
    return {
        "province_id": found.get(codes[0]),
        "regency_id": found.get(codes[1]) if len(codes) > 1 else None,
        "district_id": found.get(codes[2]) if len(codes) > 2 else None,
    }


def _actor_sector(actor: Any, rs: RuleSet) -> str:
    """The sector the actor acts for in case work, or Forbidden (capability and Gakkumdu/court membership)."""
    if not user_can(actor, "cases.manage"):
        raise Forbidden("Anda tidak berwenang mengelola perkara.")
    scope = viewer_scope(actor, rs=rs)
    if not scope.kind:
        raise Forbidden("Hanya anggota Sentra Gakkumdu dan pengadilan yang mengelola berkas perkara.")
    return scope.sector


def _check_moment(at: datetime, *, now: datetime, rs: RuleSet, field: str) -> None:
    if at.tzinfo is None:
        raise ValidationFailed("Waktu harus menyertakan zona waktu.", [FieldProblem(field, "zona waktu hilang")])
    if at > now + rs.future_tolerance:
        minutes = int(rs.future_tolerance.total_seconds() // 60)
        raise ValidationFailed(
            f"Waktu {at.isoformat()} ada di masa depan (toleransi {minutes} menit).",
            [FieldProblem(field, "waktu di masa depan", at.isoformat())],
        )


def _next_number(*, regency: Region | None, year: int) -> str:
    scope = regency.code if regency is not None else "00"
    counter, _ = CaseCounter.objects.select_for_update().get_or_create(scope=scope, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"PKR/{scope}/{year}/{counter.last:04d}"


def document_store(
    *, actor: Any, case: Case, upload: UploadedFile, kind: str, now: datetime, title: str = ""
) -> CaseDocument:
    """Store an uploaded file with its SHA-256 and size; the hash goes into the audit trail.

    The type is read from the file's first bytes (never the browser's ``Content-Type`` or the name), and only
    :data:`DOCUMENT_TYPES` are kept; the client's name is cleaned to a label (the file itself is stored under a
    generated name, see ``case_document_path``).
    """
    rs = rule_set(case.rule_set)
    if kind not in rs.documents:
        raise ValidationFailed(f"Jenis dokumen tidak dikenal: {kind}", [FieldProblem("kind", "tidak dikenal", kind)])
    size = upload.size or 0
    if size <= 0:
        raise ValidationFailed("Berkas kosong.", [FieldProblem("document", "berkas kosong")])
    if size > MAX_DOCUMENT_BYTES:
        raise ValidationFailed(
            f"Berkas terlalu besar (maks. {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB).",
            [FieldProblem("document", "terlalu besar", str(size))],
        )
    upload.seek(0)
    ctype = content_type_sniff(upload.read(SNIFF_BYTES))
    upload.seek(0)
    if ctype is None or ctype not in DOCUMENT_TYPES:
        found = ctype or "tidak dikenal"
        raise ValidationFailed(
            f"Jenis berkas tidak diterima: isi berkas dikenali sebagai {found}, bukan PDF atau gambar. "
            "Unggah dokumen sebagai PDF (misalnya simpan/cetak ke PDF dari Word) atau foto/pindaian JPEG, PNG "
            "atau WebP.",
            [FieldProblem("document", "jenis berkas tidak diterima", found)],
        )
    name = upload_name_clean(upload.name) or f"dokumen{DOCUMENT_TYPES[ctype]}"
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        doc = CaseDocument(
            case=case,
            kind=kind,
            title=(title or rs.documents[kind])[:200],
            original_name=name,
            content_type=ctype,
            size=size,
            sha256=digest.hexdigest(),
            uploaded_by=actor,
            uploaded_at=now,
        )
        doc.file.save(doc.original_name, upload, save=False)
        doc.save()
        audit_append(
            action="case.document.add",
            actor=actor,
            object_type="case",
            object_id=case.pk,
            after_digest=doc.sha256,
            data={"document": doc.pk, "kind": kind, "sha256": doc.sha256, "size": size, "name": doc.original_name},
            now=now,
        )
    return doc


def _stage_deadline(
    *, rs: RuleSet, stage: StageRule, case: Case, counted_from: datetime, history: Sequence[CaseStage]
) -> tuple[datetime | None, dict[str, Any], str, int | None, str]:
    """(due, explanation, limit kind, limit value, article) for a stage starting its count at ``counted_from``."""
    if stage.limit is None:
        return None, {}, "", None, ""
    if stage.limit.within:
        for row in reversed(history):
            if row.code in stage.limit.within and row.due_at is not None:
                explanation = {
                    "within": row.code,
                    "due": row.due_at.isoformat(),
                    "steps": [f"Berlangsung dalam masa tahap '{row.code}' (jatuh tempo {row.due_at.isoformat()})."],
                }
                return row.due_at, explanation, "within", None, stage.limit.article
        return None, {"within": None, "steps": ["Tidak ada tahap induk; tanpa batas sendiri."]}, "within", None, ""
    limit = stage.limit.for_origin(case.origin)
    assert limit is not None
    deadline: Deadline = deadline_compute(
        start=counted_from, limit=limit, calendar=rs.calendar, zone=case.time_zone, counting=rs.counting
    )
    return deadline.due, deadline.as_dict(), limit.kind.value, limit.value, limit.article


def _responsible_org_id(*, sector: str, case: Case, rs: RuleSet) -> int | None:
    from linsek.agencies.models import Organisation

    types = rs.gakkumdu_types | rs.court_types
    place = [i for i in (case.region_id, case.district_id, case.regency_id, case.province_id) if i]
    org = (
        Organisation.objects.filter(type__sector=sector, type_id__in=types, jurisdiction__in=place, active=True)
        .order_by("-type__rank", "id")
        .values_list("id", flat=True)
        .first()
    )
    return org


def _open_stage(
    *,
    rs: RuleSet,
    case: Case,
    code: str,
    seq: int,
    started_at: datetime,
    counted_from: datetime,
    actor: Any,
    note: str,
    document: CaseDocument | None,
    history: Sequence[CaseStage],
) -> CaseStage:
    rule = rs.stage(code)
    due, explanation, kind, value, article = _stage_deadline(
        rs=rs, stage=rule, case=case, counted_from=counted_from, history=history
    )
    at_risk = critical = None
    if due is not None:
        moments = threshold_moments(start=counted_from, due=due, percents=rs.at_risk)
        at_risk, critical = moments[rs.at_risk[0]], moments[rs.at_risk[1]]
    stage = CaseStage.objects.create(
        case=case,
        seq=seq,
        code=code,
        sector=rule.sector,
        responsible_org_id=_responsible_org_id(sector=rule.sector, case=case, rs=rs),
        started_at=started_at,
        started_by=actor,
        document=document,
        note=note,
        limit_kind=kind,
        limit_value=value,
        article=article,
        counted_from=counted_from,
        due_at=due,
        explanation=explanation,
        ended_at=started_at if rule.terminal else None,
        ended_by=actor if rule.terminal else None,
        at_risk_at=at_risk,
        critical_at=critical,
        next_alert_at=None if rule.terminal else at_risk,
    )
    if document is not None and document.stage_id is None:
        CaseDocument.objects.filter(pk=document.pk).update(stage=stage)
    return stage


def _case_current_update(case: Case, stage: CaseStage, rs: RuleSet, rule: StageRule) -> None:
    case.stage = stage.code
    if rule.terminal:
        case.status = Case.Status.CLOSED
        case.outcome = rule.outcome
        case.closed_at = stage.started_at
        case.current_started_at = case.current_due_at = case.current_at_risk_at = case.current_critical_at = None
        return
    case.current_started_at = stage.counted_from
    case.current_due_at = stage.due_at
    case.current_at_risk_at, case.current_critical_at = stage.at_risk_at, stage.critical_at


CASE_CURRENT_FIELDS = [
    "stage",
    "status",
    "outcome",
    "closed_at",
    "filed_at",
    "current_started_at",
    "current_due_at",
    "current_at_risk_at",
    "current_critical_at",
]


def case_register(
    *,
    actor: Any,
    origin: str,
    title: str,
    known_at: datetime,
    region: Region,
    now: datetime,
    summary: str = "",
    occurred_at: datetime | None = None,
    tps: PollingStation | None = None,
    origin_reference: str = "",
    report_uuid: uuid_mod.UUID | None = None,
    parties: Iterable[PartyInput] = (),
    articles: Iterable[ArticleInput] = (),
    can_change_result: bool = False,
    rule_set_code: str = DEFAULT_RULE_SET,
    client_uuid: uuid_mod.UUID | None = None,
    document: DocumentInput | None = None,
    note: str = "",
    registered_at: datetime | None = None,
) -> Case:
    """Register a case from a supervisor's finding or from a report; the registration stage is closed at
    once (met or late against Pasal 454(5)/(6)) and the Bawaslu review starts.

    A replay with the same ``client_uuid`` returns the case registered the first time. ``registered_at``
    (default ``now``) records a registration made earlier on paper; it may not lie in the future.
    """
    rs = rule_set(rule_set_code)
    if client_uuid is not None:
        existing = Case.objects.filter(uuid=client_uuid).first()
        if existing is not None:
            return existing
    sector = _actor_sector(actor, rs)
    registration = rs.stage(rs.start_stage)
    first_transition = registration.transition_to(rs.first_stage)
    if first_transition is None or sector not in first_transition.by:
        raise Forbidden("Registrasi temuan/laporan dilakukan oleh Bawaslu.")
    problems: list[FieldProblem] = []
    if origin not in ORIGINS:
        problems.append(FieldProblem("origin", "harus 'finding' (temuan) atau 'report' (laporan)", origin))
    if not title.strip():
        problems.append(FieldProblem("title", "judul wajib diisi"))
    article_list = list(articles)
    for a in article_list:
        if a.article not in rs.articles:
            problems.append(FieldProblem("articles", f"Pasal {a.article} bukan pasal pidana {rs.law}", str(a.article)))
    party_list = list(parties)
    for p in party_list:
        if p.role not in CaseParty.Role.values or not p.name.strip():
            problems.append(FieldProblem("parties", "peran tidak dikenal atau nama kosong", p.role))
    if tps is not None:
        region = tps.village
    if problems:
        raise ValidationFailed("Data perkara tidak lengkap atau tidak sah.", problems)
    _check_moment(known_at, now=now, rs=rs, field="known_at")
    if occurred_at is not None:
        _check_moment(occurred_at, now=now, rs=rs, field="occurred_at")
        if occurred_at > known_at:
            raise ValidationFailed(
                "Waktu kejadian tidak boleh sesudah waktu diketahui.",
                [FieldProblem("occurred_at", "sesudah diketahui")],
            )
    registered_at = registered_at or now
    _check_moment(registered_at, now=now, rs=rs, field="registered_at")
    if registered_at + rs.future_tolerance < known_at:
        raise ValidationFailed(
            "Registrasi tidak boleh sebelum waktu diketahui.", [FieldProblem("registered_at", "sebelum diketahui")]
        )
    with transaction.atomic():
        place = _place(region)
        regency = Region.objects.filter(pk=place["regency_id"]).first() if place["regency_id"] else None
        case = Case.objects.create(
            uuid=client_uuid or uuid_mod.uuid4(),
            number=_next_number(regency=regency, year=registered_at.year),
            rule_set=rs.code,
            rule_version=rs.version,
            origin=origin,
            origin_reference=origin_reference.strip()[:120],
            report_uuid=report_uuid,
            title=title.strip()[:200],
            summary=summary.strip(),
            occurred_at=occurred_at,
            known_at=known_at,
            registered_at=registered_at,
            region=region,
            tps=tps,
            time_zone=region_time_zone(region),
            can_change_result=can_change_result,
            stage=rs.start_stage,
            registered_by=actor,
            registered_org_id=getattr(actor, "organisation_id", None),
            **place,
        )
        CaseParty.objects.bulk_create(
            [
                CaseParty(
                    case=case,
                    role=p.role,
                    name=p.name.strip(),
                    identity_number=p.identity_number,
                    address=p.address,
                    note=p.note,
                )
                for p in party_list
            ]
        )
        CaseArticle.objects.bulk_create(
            [CaseArticle(case=case, article=a.article, paragraph=a.paragraph.strip()) for a in article_list],
            ignore_conflicts=True,
        )
        if report_uuid is not None or (origin == Case.Origin.REPORT and origin_reference):
            CaseReport.objects.create(
                case=case, report_uuid=report_uuid, reference=origin_reference[:120], linked_at=now, linked_by=actor
            )
        doc = None
        if document is not None and document.upload is not None:
            doc = document_store(
                actor=actor, case=case, upload=document.upload, kind="temuan_laporan", now=now, title=document.title
            )
        reg_stage = _open_stage(
            rs=rs,
            case=case,
            code=rs.start_stage,
            seq=1,
            started_at=known_at,
            counted_from=known_at,
            actor=actor,
            note=note,
            document=doc,
            history=[],
        )
        reg_stage.ended_at = registered_at
        reg_stage.ended_by = actor
        reg_stage.met = reg_stage.due_at is None or registered_at <= reg_stage.due_at
        reg_stage.next_alert_at = None
        reg_stage.save(update_fields=["ended_at", "ended_by", "met", "next_alert_at"])
        review = _open_stage(
            rs=rs,
            case=case,
            code=rs.first_stage,
            seq=2,
            started_at=registered_at,
            counted_from=registered_at,
            actor=actor,
            note="",
            document=None,
            history=[reg_stage],
        )
        _case_current_update(case, review, rs, rs.stage(rs.first_stage))
        case.save(update_fields=CASE_CURRENT_FIELDS)
        audit_append(
            action="case.register",
            actor=actor,
            object_type="case",
            object_id=case.pk,
            data={
                "number": case.number,
                "origin": origin,
                "rule_set": f"{rs.code}@{rs.version}",
                "region": region.code,
                "articles": [a.article for a in article_list],
                "registration_met": reg_stage.met,
                "registration_due": reg_stage.due_at.isoformat() if reg_stage.due_at else None,
            },
            now=now,
        )
    return case


def case_transition(
    *,
    actor: Any,
    case: Case,
    to_stage: str,
    now: datetime,
    note: str = "",
    document: DocumentInput | None = None,
    at: datetime | None = None,
) -> CaseStage:
    """Move a case to ``to_stage`` if the rule set allows it from the current stage, the actor's sector may
    make that move, the required document is attached and the note given where the rules ask for one.

    The current stage is closed (met or missed against its due moment), the new one opens with its due
    moment computed in the case's zone. Nothing changes when any check fails.
    """
    rs = rule_set(case.rule_set)
    at = at or now
    sector = _actor_sector(actor, rs)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        history = list(case.stages.order_by("seq"))
        current = next((s for s in history if s.ended_at is None), None)
        current_rule = rs.stage(case.stage)
        transition: Transition | None = current_rule.transition_to(to_stage)
        if current is None or transition is None:
            raise InvalidTransition(current=case.stage, target=to_stage, allowed=current_rule.allowed)
        if sector not in transition.by:
            raise Forbidden(
                f"Transisi '{case.stage}' → '{to_stage}' dilakukan oleh: {', '.join(sorted(transition.by))}."
            )
        _check_moment(at, now=now, rs=rs, field="at")
        if at < current.started_at:
            raise ValidationFailed(
                "Waktu transisi tidak boleh sebelum tahap berjalan dimulai.",
                [FieldProblem("at", f"sebelum {current.started_at.isoformat()}", at.isoformat())],
            )
        if transition.note_required and not note.strip():
            raise ValidationFailed(
                "Transisi ini memerlukan catatan alasan.", [FieldProblem("note", "alasan wajib diisi")]
            )
        doc = _transition_document(actor=actor, case=case, transition=transition, rs=rs, document=document, now=now)
        current.ended_at = at
        current.ended_by = actor
        current.met = current.due_at is None or at <= current.due_at
        if transition.timely_within is not None:
            timely = deadline_compute(
                start=current.started_at,
                limit=transition.timely_within,
                calendar=rs.calendar,
                zone=case.time_zone,
                counting=rs.counting,
            )
            current.exit_timely = at <= timely.due
        current.next_alert_at = None
        current.save(update_fields=["ended_at", "ended_by", "met", "exit_timely", "next_alert_at"])
        counted_from = at
        if transition.count_from:
            earlier = [s for s in history if s.code == transition.count_from]
            if earlier:
                counted_from = earlier[-1].counted_from or earlier[-1].started_at
        new_rule = rs.stage(to_stage)
        stage = _open_stage(
            rs=rs,
            case=case,
            code=to_stage,
            seq=history[-1].seq + 1,
            started_at=at,
            counted_from=counted_from,
            actor=actor,
            note=note.strip(),
            document=doc,
            history=[*history],
        )
        if new_rule.court_visible_from and case.filed_at is None:
            case.filed_at = at
        _case_current_update(case, stage, rs, new_rule)
        case.save(update_fields=CASE_CURRENT_FIELDS)
        audit_append(
            action="case.transition",
            actor=actor,
            object_type="case",
            object_id=case.pk,
            after_digest=doc.sha256 if doc else "",
            data={
                "number": case.number,
                "from": current.code,
                "to": to_stage,
                "at": at.isoformat(),
                "met": current.met,
                "exit_timely": current.exit_timely,
                "document": doc.pk if doc else None,
                "document_sha256": doc.sha256 if doc else None,
                "note": note.strip()[:500],
                "due": stage.due_at.isoformat() if stage.due_at else None,
            },
            now=now,
        )
    return stage


def _transition_document(
    *, actor: Any, case: Case, transition: Transition, rs: RuleSet, document: DocumentInput | None, now: datetime
) -> CaseDocument | None:
    kind = transition.document
    if document is None or (document.upload is None and document.existing_id is None):
        if kind is not None:
            raise MissingDocument(target=transition.to, kind=kind, label=rs.documents[kind])
        return None
    if document.existing_id is not None:
        doc = CaseDocument.objects.filter(case=case, pk=document.existing_id).first()
        if doc is None:
            raise ValidationFailed("Dokumen tidak ditemukan pada perkara ini.", [FieldProblem("document", "tidak ada")])
        if kind is not None and doc.kind != kind:
            raise MissingDocument(target=transition.to, kind=kind, label=rs.documents[kind])
        return doc
    assert document.upload is not None
    return document_store(
        actor=actor, case=case, upload=document.upload, kind=kind or "lainnya", now=now, title=document.title
    )


def case_report_link(
    *,
    actor: Any,
    case: Case,
    now: datetime,
    report_uuid: uuid_mod.UUID | None = None,
    reference: str = "",
    note: str = "",
) -> CaseReport:
    """Link another report to the case (by the incidents module's UUID, or by a reference number)."""
    rs = rule_set(case.rule_set)
    _actor_sector(actor, rs)
    if report_uuid is None and not reference.strip():
        raise ValidationFailed("Sebutkan UUID atau nomor laporan.", [FieldProblem("reference", "kosong")])
    with transaction.atomic():
        existing = CaseReport.objects.filter(case=case).filter(
            Q(report_uuid=report_uuid) if report_uuid else Q(reference=reference.strip())
        )
        if existing.exists():
            return existing.first()  # type: ignore[return-value]
        link = CaseReport.objects.create(
            case=case,
            report_uuid=report_uuid,
            reference=reference.strip()[:120],
            note=note[:255],
            linked_at=now,
            linked_by=actor,
        )
        audit_append(
            action="case.report.link",
            actor=actor,
            object_type="case",
            object_id=case.pk,
            data={"report_uuid": str(report_uuid) if report_uuid else None, "reference": reference.strip()},
            now=now,
        )
    return link


def stage_remaining(stage: CaseStage, *, now: datetime) -> timedelta | None:
    return None if stage.due_at is None else stage.due_at - now
