"""The SMS/WhatsApp webhook: ``POST /laporan/masuk/<sms|whatsapp>/`` from the gateway provider.

Request (JSON): ``{"id": "<provider message id>", "from": "+62812…", "text": "LAPOR …"}`` with headers
``X-Linsek-Timestamp: <unix seconds>`` and ``X-Linsek-Signature: sha256=<hex HMAC-SHA256 of
"<timestamp>.<body>" with LINSEK_SMS_WEBHOOK_SECRET>``. Answer: 200 ``{"reply", "reference", "outcome"}``
(the provider texts ``reply`` back); 401 unsigned, 403 badly signed or stale, 429 too many from one
sender, 400 malformed. No session, so no CSRF: the signature is the authentication.
"""

from __future__ import annotations

import orjson
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from linsek.core.errors import DomainError
from linsek.intake.services import (
    RateLimited,
    WebhookForbidden,
    WebhookUnauthenticated,
    inbound_message_handle,
    webhook_verify,
)

STATUS = {WebhookUnauthenticated: 401, WebhookForbidden: 403, RateLimited: 429}


def _answer(status: int, body: dict[str, object]) -> HttpResponse:
    return HttpResponse(orjson.dumps(body), status=status, content_type="application/json")


@csrf_exempt
@require_POST
def webhook(request: HttpRequest, channel: str) -> HttpResponse:
    now = timezone.now()
    try:
        webhook_verify(
            timestamp=request.headers.get("X-Linsek-Timestamp"),
            signature=request.headers.get("X-Linsek-Signature"),
            body=request.body,
            now=now,
        )
        try:
            payload = orjson.loads(request.body)
            sender, text, provider_id = str(payload["from"]), str(payload["text"]), str(payload["id"])
        except (orjson.JSONDecodeError, KeyError, TypeError):
            return _answer(400, {"detail": "body must be JSON with id, from and text", "code": "bad_request"})
        result = inbound_message_handle(channel=channel, provider_id=provider_id, sender=sender, text=text, now=now)
    except DomainError as exc:
        status = STATUS.get(type(exc), 400)
        response = _answer(status, {"detail": exc.message, "code": exc.code})
        if status == 401:
            response["WWW-Authenticate"] = 'HMAC realm="linsek-webhook"'
        if status == 429:
            response["Retry-After"] = "60"
        return response
    return _answer(200, {"reply": result.reply, "reference": result.reference, "outcome": result.outcome})
