"""Inbound SMS/WhatsApp: authenticate the gateway's request, limit floods, thread by sender, make reports.

A message in the short format (``intake.parse``) becomes a report through the same writer as every
other channel, its UUID derived from the provider's message id — a provider that retries a webhook
gets the same report and the same reply. Unknown senders are accepted as public reports needing
verification; a registered sender's user and default TPS apply. A text that is not in the format joins
the sender's open report of the last hours as a follow-up (threading), or is answered with the format.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from linsek.audit.services import audit_append
from linsek.core.errors import DomainError
from linsek.incidents.models import Report
from linsek.incidents.rules import intake_limits, taxonomy
from linsek.incidents.services import report_follow_up_from_sender, reports_submit
from linsek.incidents.submission import Actor
from linsek.intake.gateways import phone_normalise
from linsek.intake.models import InboundMessage, RegisteredSender
from linsek.intake.parse import help_text, message_parse

MESSAGE_NAMESPACE = uuid.UUID("6f1c0f9e-3b7e-5d2a-9c41-8a0e2f4b7d10")
TEXT_MAX = 1600  # ten SMS segments


class WebhookUnauthenticated(DomainError):
    code = "unauthenticated"


class WebhookForbidden(DomainError):
    code = "forbidden"


class RateLimited(DomainError):
    code = "throttled"


def signature_expected(*, secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=`` + HMAC-SHA256 over ``<timestamp>.<body>`` with the shared secret."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={mac}"


def webhook_verify(*, timestamp: str | None, signature: str | None, body: bytes, now: datetime) -> None:
    """401 without a signature, 403 with a wrong or stale one (replays outside the skew window)."""
    if not timestamp or not signature:
        raise WebhookUnauthenticated("X-Linsek-Timestamp dan X-Linsek-Signature wajib")
    secret = settings.LINSEK_SMS_WEBHOOK_SECRET
    if not secret:
        raise WebhookForbidden("webhook belum dikonfigurasi (LINSEK_SMS_WEBHOOK_SECRET kosong)")
    try:
        sent_at = int(timestamp)
    except ValueError as exc:
        raise WebhookForbidden("X-Linsek-Timestamp harus detik Unix") from exc
    if abs(now.timestamp() - sent_at) > intake_limits().sms.signature_max_skew_seconds:
        raise WebhookForbidden("stempel waktu terlalu jauh dari waktu server")
    if not hmac.compare_digest(signature_expected(secret=secret, timestamp=timestamp, body=body), signature):
        raise WebhookForbidden("tanda tangan tidak cocok")


@dataclass(frozen=True)
class InboundResult:
    outcome: str
    reply: str
    reference: str | None


def _kinds_for_help() -> dict[str, str]:
    return {k.sms: k.name_id.split(" /")[0] for k in taxonomy().kinds.values()}


def inbound_message_handle(*, channel: str, provider_id: str, sender: str, text: str, now: datetime) -> InboundResult:
    """Take one inbound text; the reply is returned (the provider sends it back to the sender)."""
    limits = intake_limits().sms
    phone = phone_normalise(sender)[:20]
    provider_id = provider_id.strip()[:100]
    if not phone or not provider_id:
        raise WebhookForbidden("'from' dan 'id' wajib")
    repeat = InboundMessage.objects.filter(channel=channel, provider_id=provider_id).first()
    if repeat is not None:  # the provider retried: same answer, nothing new
        return InboundResult("repeat", repeat.reply, f"L{repeat.report_id}" if repeat.report_id else None)
    window_start = now - timedelta(seconds=limits.rate_window_seconds)
    recent = InboundMessage.objects.filter(sender=phone, received_at__gt=window_start).count()
    if recent >= limits.rate_per_sender:
        raise RateLimited(
            f"terlalu banyak pesan: paling banyak {limits.rate_per_sender} per {limits.rate_window_seconds} detik"
        )

    registered = RegisteredSender.objects.filter(phone=phone, active=True).select_related("user", "default_tps").first()
    parsed = message_parse(text[:TEXT_MAX])
    help_reply = help_text(_kinds_for_help(), limit=limits.reply_max_chars)
    outcome, reply, report_id = "help", help_reply, None

    if parsed.kind == "report":
        kind = taxonomy().by_sms.get(parsed.kind_code or "")
        tps = parsed.tps or (registered.default_tps.code if registered and registered.default_tps else None)
        if kind is None:
            outcome, reply = "invalid", f"Kode jenis '{parsed.kind_code}' tidak dikenal. {help_reply}"
        elif tps is None and not (registered and registered.default_region_id):
            outcome, reply = "invalid", f"Kode TPS wajib. {help_reply}"
        else:
            user = registered.user if registered and registered.user_id else None
            actor = (
                Actor(
                    user.pk,
                    user.get_username(),
                    user.organisation_id,
                    channel,
                    trusted=user.organisation_id is not None,
                )
                if user is not None
                else Actor(None, "", None, channel, trusted=False)
            )
            raw = {
                "uuid": str(uuid.uuid5(MESSAGE_NAMESPACE, f"{channel}:{provider_id}")),
                "kind": kind.code,
                "description": parsed.text,
                "reporter_phone": phone,
            }
            if parsed.crowd_level:
                raw["crowd_level"] = parsed.crowd_level
            if tps:
                raw["tps"] = tps
            elif registered and registered.default_region_id:
                raw["region"] = registered.default_region.code  # type: ignore[union-attr]
            if registered and registered.name:
                raw["reporter_name"] = registered.name
            result = reports_submit(actor=actor, items=[raw], now=now)[0]
            if result.result in ("created", "replayed"):
                report_id = result.report_id
                lead = result.body.get("lead")
                outcome = "created"
                reply = f"Laporan diterima, nomor L{report_id}." + (f" Diteruskan ke {lead}." if lead else "")
            else:
                first = (result.body.get("detail") or [{}])[0]
                message = first.get("msg", "laporan tidak dapat diterima") if isinstance(first, dict) else str(first)
                outcome, reply = "invalid", f"Laporan ditolak: {message}"[: limits.reply_max_chars]
    elif parsed.kind == "error":
        outcome, reply = "invalid", f"{parsed.error}. {help_reply}"[: limits.reply_max_chars * 2]
    elif parsed.kind == "other" and parsed.text:
        thread_start = now - timedelta(hours=limits.thread_hours)
        open_report = (
            Report.objects.filter(
                reporter_phone=phone,
                received_at__gte=thread_start,
                status__in=("new", "acknowledged", "verified", "in_handling"),
            )
            .order_by("-received_at")
            .values_list("id", flat=True)
            .first()
        )
        if open_report is not None:
            report_follow_up_from_sender(
                report_id=open_report, sender_label=f"{channel}:{phone[-4:]}", text=parsed.text, now=now
            )
            outcome, report_id, reply = "appended", open_report, f"Tambahan untuk laporan L{open_report} diterima."

    with transaction.atomic():
        message = InboundMessage.objects.create(
            channel=channel,
            provider_id=provider_id,
            sender=phone,
            text=text[:TEXT_MAX],
            received_at=now,
            outcome=outcome,
            report_id=report_id,
            reply=reply,
        )
        audit_append(
            action=f"intake.{channel}",
            actor=registered.user if registered and registered.user_id else None,
            object_type="intake.inbound",
            object_id=message.pk,
            data={"outcome": outcome, "report": report_id, "sender": phone[-4:]},
            now=now,
        )
    return InboundResult(outcome, reply, f"L{report_id}" if report_id else None)
