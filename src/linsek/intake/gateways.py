"""Outgoing SMS/WhatsApp behind one small interface, and its notify channels.

``Gateway.send(to, text, channel)`` returns the provider's message id or raises :class:`GatewayError`
(the notify worker retries). ``ConsoleGateway`` appends JSON lines to ``$LINSEK_VAR/sms-outbox.jsonl``
(the demo and tests); ``HttpGateway`` posts to a generic provider JSON API::

    POST {LINSEK_SMS_GATEWAY_URL}   Authorization: Bearer {token}
    {"to": "6281…", "text": "…", "channel": "sms" | "whatsapp", "sender": "LINSEK", "reference": "<uuid>"}
    → 2xx {"id": "<provider message id>"}; 429/5xx are retried, other 4xx are permanent.

``channels_register`` adds ``sms`` and ``whatsapp`` channels to notify's channel table (the user's
person phone is the address), so escalations and routings reach field officers without a data plan.
"""

from __future__ import annotations

import json
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import httpx
from django.conf import settings


class GatewayError(Exception):
    """The provider did not take the message; ``permanent`` when retrying cannot help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Gateway(Protocol):
    def send(self, *, to: str, text: str, channel: str = "sms", reference: str = "") -> str: ...


class ConsoleGateway:
    """Writes each message as a JSON line to a file (thread-safe append); for the demo and tests."""

    _lock = threading.Lock()

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or Path(settings.VAR_DIR) / "sms-outbox.jsonl"

    def send(self, *, to: str, text: str, channel: str = "sms", reference: str = "") -> str:
        message_id = uuid.uuid4().hex
        line = {
            "id": message_id,
            "to": to,
            "text": text,
            "channel": channel,
            "reference": reference,
            "at": datetime.now(UTC).isoformat(),
        }
        with self._lock, self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
        return message_id


class HttpGateway:
    """A generic provider's JSON API (see the module docstring)."""

    def __init__(self, url: str, token: str, *, sender: str = "LINSEK", timeout: float = 10.0) -> None:
        if not url:
            raise ValueError("LINSEK_SMS_GATEWAY_URL is empty")
        self.url, self.token, self.sender, self.timeout = url, token, sender, timeout

    def send(self, *, to: str, text: str, channel: str = "sms", reference: str = "") -> str:
        payload = {"to": to, "text": text, "channel": channel, "sender": self.sender, "reference": reference}
        try:
            response = httpx.post(
                self.url, json=payload, headers={"Authorization": f"Bearer {self.token}"}, timeout=self.timeout
            )
        except httpx.HTTPError as exc:
            raise GatewayError(f"provider unreachable: {exc}") from exc
        if response.status_code == 429 or response.status_code >= 500:
            raise GatewayError(f"provider answered {response.status_code}")
        if response.status_code >= 400:
            raise GatewayError(f"provider refused: {response.status_code} {response.text[:200]}", permanent=True)
        try:
            message_id = str(response.json()["id"])
        except (ValueError, KeyError, TypeError) as exc:
            raise GatewayError(f"provider answer without an id: {response.text[:200]}") from exc
        return message_id


def gateway_default() -> Gateway:
    if settings.LINSEK_SMS_GATEWAY == "http":
        return HttpGateway(
            settings.LINSEK_SMS_GATEWAY_URL, settings.LINSEK_SMS_GATEWAY_TOKEN, sender=settings.LINSEK_SMS_SENDER
        )
    return ConsoleGateway()


def phone_normalise(raw: str) -> str:
    """Indonesian numbers as E.164 digits without '+': 0812… → 62812…, +62812… → 62812…."""
    digits = "".join(ch for ch in raw if ch.isdigit())
    if digits.startswith("0"):
        digits = "62" + digits[1:]
    return digits


class TextChannel:
    """notify channel: the notification's subject (and link) as a text to the user's person phone."""

    related: tuple[str, ...] = ("user__person",)  # read with each delivery: the phone number

    def __init__(self, code: str, gateway: Gateway | None = None) -> None:
        self.code = code
        self._gateway = gateway

    @property
    def gateway(self) -> Gateway:
        return self._gateway or gateway_default()

    def send(self, delivery: Any) -> str:
        from linsek.notify.channels import DeliveryFailed

        person = getattr(delivery.user, "person", None)
        phone = phone_normalise(getattr(person, "phone", "") or "")
        if not phone:
            return "skipped"
        n = delivery.notification
        text = n.subject if not n.url else f"{n.subject} {settings.LINSEK_SITE_URL.rstrip('/')}{n.url}"
        try:
            self.gateway.send(to=phone, text=text[:320], channel=self.code, reference=str(n.uuid))
        except GatewayError as exc:
            raise DeliveryFailed(str(exc)) from exc
        return "sent"


def channels_register() -> None:
    """Add the ``sms`` and ``whatsapp`` channels to notify's channel table (when the notify app is installed)."""
    try:
        from linsek.notify.channels import CHANNELS
    except ImportError:  # notify not installed
        return
    for code in ("sms", "whatsapp"):
        CHANNELS.setdefault(code, TextChannel(code))
