"""Writes of the situation report: generating (a snapshot), issuing (the frozen official report of a day),
storing renditions, the morning job, and background generation with a "ready" notice.

A snapshot and an issued report are the same thing stored the same way — the canonical content text and its
SHA-256, with an audit event carrying the hash — except that an issued report exists once per region and
period, only after the period has ended, and is what the morning job distributes.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import override

from linsek.audit.services import audit_append
from linsek.coord.access import coord_can
from linsek.coord.calendar_grid import local_date
from linsek.core.errors import FieldProblem, ValidationFailed
from linsek.regions.models import Region
from linsek.reports.content import MAX_RANGE_DAYS, canonical_json, content_hash, region_zone, sitrep_build
from linsek.reports.models import DistributionList, Rendition, SituationReport
from linsek.reports.render import sitrep_render

FORMATS = ("pdf", "xlsx")


def _validate_period(date_from: date, date_to: date) -> None:
    if date_to < date_from:
        raise ValidationFailed(
            _("Tanggal akhir tidak boleh sebelum tanggal awal."), [FieldProblem("date_to", date_to.isoformat())]
        )
    if (date_to - date_from).days + 1 > MAX_RANGE_DAYS:
        raise ValidationFailed(
            _("Rentang laporan paling panjang %(n)s hari.") % {"n": MAX_RANGE_DAYS},
            [FieldProblem("date_to", date_to.isoformat())],
        )


def sitrep_generate(
    *,
    actor: Any,
    region: Region,
    date_from: date,
    date_to: date | None = None,
    now: datetime,
    issue: bool = False,
) -> SituationReport:
    """Build and store a report. ``issue=True``: the day's official, frozen report (once; a second call returns
    the first), allowed only after the period has ended in the region's zone."""
    date_to = date_to or date_from
    _validate_period(date_from, date_to)
    zone = region_zone(region)
    if issue:
        if date_to >= local_date(now, zone):
            raise ValidationFailed(
                _("Laporan tanggal %(d)s baru dapat diterbitkan setelah hari itu berakhir.")
                % {"d": date_to.isoformat()},
                [FieldProblem("date", date_to.isoformat())],
            )
        existing = SituationReport.objects.filter(
            region=region, date_from=date_from, date_to=date_to, status=SituationReport.Status.ISSUED
        ).first()
        if existing is not None:
            return existing
    content = sitrep_build(region=region, date_from=date_from, date_to=date_to, now=now)
    text = canonical_json(content)
    digest = content_hash(text)
    audit = content.get("audit") or {}
    status = SituationReport.Status.ISSUED if issue else SituationReport.Status.GENERATED
    user = actor if getattr(actor, "pk", None) else None
    try:
        with transaction.atomic():
            report = SituationReport.objects.create(
                region=region,
                date_from=date_from,
                date_to=date_to,
                status=status,
                content_json=text,
                content_sha256=digest,
                has_data=bool(content["has_data"]),
                final=bool(content["final"]),
                audit_seq=audit.get("seq"),
                audit_hash=str(audit.get("hash", "")),
                generated_at=now,
                generated_by=user,
                issued_at=now if issue else None,
                issued_by=user if issue else None,
            )
            audit_append(
                action="sitrep.issue" if issue else "sitrep.generate",
                actor=actor,
                object_type="reports.sitrep",
                object_id=report.pk,
                after_digest=digest,
                data={
                    "region": region.code,
                    "from": date_from.isoformat(),
                    "to": date_to.isoformat(),
                    "has_data": report.has_data,
                },
                now=now,
            )
    except IntegrityError:
        # Another worker issued the same day a moment ago: the first one stands.
        issued = SituationReport.objects.filter(
            region=region, date_from=date_from, date_to=date_to, status=SituationReport.Status.ISSUED
        ).first()
        if issued is None:
            raise
        return issued
    return report


def sitrep_verify(report: SituationReport) -> bool:
    """The stored text still hashes to the stored hash, and the audit chain recorded that hash."""
    from linsek.audit.models import AuditEvent

    if content_hash(report.content_json) != report.content_sha256:
        return False
    return AuditEvent.objects.filter(
        object_type="reports.sitrep", object_id=str(report.pk), after_digest=report.content_sha256
    ).exists()


def rendition_get(*, report: SituationReport, fmt: str, language: str, now: datetime) -> Rendition:
    """The stored PDF/XLSX of a report in a language, rendered once from the frozen content."""
    if fmt not in FORMATS:
        raise ValidationFailed(_("Format tidak dikenal."), [FieldProblem("format", fmt)])
    language = "en" if language.startswith("en") else "id"
    found = report.renditions.filter(format=fmt, language=language).first()
    if found is not None:
        return found
    data = sitrep_render(
        report.content_json, fmt=fmt, language=language, content_sha256=report.content_sha256, report=report
    )
    rendition = Rendition(
        report=report,
        format=fmt,
        language=language,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        created_at=now,
    )
    try:
        with transaction.atomic():
            rendition.file.save("r", ContentFile(data), save=False)
            rendition.save()
    except IntegrityError:
        return report.renditions.get(format=fmt, language=language)
    return rendition


def recipients_of(dist: DistributionList) -> list[int]:
    """Named users and the users of named organisations who may read situation reports (active ones)."""
    from django.db.models import Q

    from linsek.accounts.models import User

    users = User.objects.filter(is_active=True).filter(
        Q(pk__in=dist.users.values("pk")) | Q(organisation__in=dist.organisations.values("pk"))
    )
    return sorted({u.pk for u in users.distinct() if coord_can(u, "sitrep.view")})


def _summary_line(report: SituationReport, language: str) -> str:
    import json

    content = json.loads(report.content_json)
    s = content["sections"]
    parts: list[str] = []
    with override(language):
        if not content["has_data"]:
            return _("Tidak ada data untuk tanggal ini.")
        inc = s.get("incidents")
        if inc and inc.get("state") == "ok":
            parts.append(_("%(n)s laporan masuk (sebelumnya %(p)s)") % {"n": inc["total"], "p": inc["previous_total"]})
        kam = s.get("kamtibmas")
        if kam and kam.get("state") == "ok":
            parts.append(
                ", ".join(f"{lv['name_en' if language == 'en' else 'name_id']} {lv['areas']}" for lv in kam["levels"])
            )
        acts = s.get("actions")
        if acts and acts.get("state") == "ok":
            parts.append(_("%(n)s tindak lanjut lewat tenggat") % {"n": acts["overdue_total"]})
        cases = s.get("cases")
        if cases and cases.get("state") == "ok":
            parts.append(_("%(n)s perkara lewat batas waktu") % {"n": cases["counts"]["overdue"]})
    return "; ".join(parts)


def sitrep_send(*, report: SituationReport, dist: DistributionList, now: datetime) -> int:
    """Put the report's notice in the outbox for every recipient of the list (once per report and list)."""
    from django.urls import reverse

    from linsek.notify.services import notification_emit

    recipients = recipients_of(dist)
    if not recipients:
        return 0
    with override(dist.language):
        subject = _("Laporan situasi %(region)s %(date)s") % {
            "region": report.region.name,
            "date": report.date_to.isoformat(),
        }
    body = _summary_line(report, dist.language) + f"\nSHA-256: {report.content_sha256}"
    notification_emit(
        kind="sitrep.daily",
        subject=subject,
        recipients=recipients,
        now=now,
        body=body,
        url=reverse("reports:report", args=[report.pk]) + f"?lang={dist.language}",
        object_type="reports.sitrep",
        object_id=report.pk,
        data={"region": report.region.code, "date": report.date_to.isoformat(), "sha256": report.content_sha256},
        dedupe_key=f"sitrep:{report.uuid}:{dist.pk}",
    )
    return len(recipients)


@dataclass
class MorningResult:
    issued: list[int] = field(default_factory=list)
    sent: int = 0
    waiting: int = 0


def sitrep_morning(*, now: datetime) -> MorningResult:
    """The morning job: once local time has passed ``LINSEK_SITREP_HOUR``, issue yesterday's report for the
    region of every active distribution list (once), pre-render its PDF in the list's language, and send it.

    Safe to run every few minutes and on several workers: issuing and sending are both idempotent.
    """
    hour = int(getattr(settings, "LINSEK_SITREP_HOUR", 6))
    result = MorningResult()
    for dist in DistributionList.objects.filter(active=True).select_related("region").order_by("id"):
        zone = region_zone(dist.region)
        local = now.astimezone(ZoneInfo(zone))
        if local.hour < hour:
            result.waiting += 1
            continue
        day = local.date() - timedelta(days=1)
        report = sitrep_generate(actor=None, region=dist.region, date_from=day, now=now, issue=True)
        if report.issued_at == now:
            result.issued.append(report.pk)
        rendition_get(report=report, fmt="pdf", language=dist.language, now=now)
        result.sent += sitrep_send(report=report, dist=dist, now=now)
    return result


def sitrep_ready_notify(*, report: SituationReport, user_id: int, fmt: str, language: str, now: datetime) -> None:
    """Tell the person who asked for a large report that it is ready (in-app and e-mail)."""
    from django.urls import reverse

    from linsek.notify.services import notification_emit

    with override(language):
        subject = _("Laporan situasi %(region)s %(period)s siap diunduh") % {
            "region": report.region.name,
            "period": report.period_label,
        }
    notification_emit(
        kind="sitrep.ready",
        subject=subject,
        recipients=[user_id],
        now=now,
        body=f"SHA-256: {report.content_sha256}",
        url=reverse("reports:file", args=[report.pk, fmt]) + f"?lang={language}",
        object_type="reports.sitrep",
        object_id=report.pk,
        dedupe_key=f"sitrep-ready:{report.uuid}:{user_id}:{fmt}:{language}",
    )


def sitrep_is_large(region: Region) -> bool:
    return region.tps_count > int(getattr(settings, "LINSEK_SITREP_BACKGROUND_TPS", 20000))
