"""Rejected API tokens and permission denials into the audit trail, rate-limited.

Every refusal is worth knowing about, but an attacker who can make the server append one audit event
per bad request could flood the chain (and slow every honest write queued behind its lock). So each
kind of refusal is recorded at most once per :data:`DENIAL_WINDOW` per *key* (client address + reason
for tokens, client address + user for permission denials); the refusals suppressed in between are
counted in Django's cache and carried by the next recorded event as ``suppressed``. Every refusal is
still logged. With the default local-memory cache the limit is per server process.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from django.core.cache import cache

from linsek.audit.services import audit_append
from linsek.core.middleware import current_client_addr

logger = logging.getLogger("linsek.accounts.denials")

DENIAL_WINDOW = 60  # seconds
_SUPPRESSED_TTL = 24 * 3600  # a count older than a day is not worth carrying over


def _cache_key(kind: str, key: str) -> str:
    # Cache keys must be short and printable whatever the client sent.
    return f"linsek:denial:{kind}:{hashlib.sha256(key.encode('utf-8', 'replace')).hexdigest()[:32]}"


def denial_record(
    *,
    action: str,
    key: str,
    actor: Any = None,
    object_type: str = "",
    object_id: str | int = "",
    data: dict[str, Any] | None = None,
) -> bool:
    """Append ``action`` to the audit trail unless one with the same ``key`` was appended within the
    window; returns whether it was appended. The event's data gains ``suppressed``: how many refusals
    with this key were dropped since the previous recorded one."""
    gate = _cache_key(f"{action}:gate", key)
    counter = _cache_key(f"{action}:count", key)
    if not cache.add(gate, 1, timeout=DENIAL_WINDOW):
        if not cache.add(counter, 1, timeout=_SUPPRESSED_TTL):
            try:
                cache.incr(counter)
            except ValueError:  # expired between add and incr
                cache.add(counter, 1, timeout=_SUPPRESSED_TTL)
        return False
    suppressed = int(cache.get(counter) or 0)
    if suppressed:
        cache.delete(counter)
    audit_append(
        action=action,
        actor=actor,
        object_type=object_type,
        object_id=object_id,
        data={**(data or {}), "suppressed": suppressed},
    )
    return True


def token_rejection_record(*, reason: str, prefix: str = "", client: str | None = None) -> bool:
    """A presented API token was refused (``reason`` from ``api_token_authenticate``)."""
    addr = current_client_addr.get() if client is None else client
    logger.warning("api token rejected: %s (client %s, prefix %s)", reason, addr or "-", prefix or "-")
    return denial_record(
        action="auth.token_rejected",
        key=f"{addr}|{reason}",
        object_type="api_token",
        object_id=prefix[:64],
        data={"reason": reason, "client": addr, "prefix": prefix},
    )


def permission_denial_record(*, actor: Any, method: str, path: str, detail: str) -> bool:
    """An authenticated caller was refused an action (403). Keyed by client and user, so one user
    probing many objects makes one event a minute, with the first path and the count of the rest."""
    addr = current_client_addr.get()
    user_id = getattr(actor, "pk", None)
    logger.info("permission denied: user %s %s %s: %s", user_id, method, path[:200], detail[:200])
    return denial_record(
        action="auth.permission_denied",
        key=f"{addr}|{user_id}",
        actor=actor if user_id is not None else None,
        object_type="route",
        object_id=f"{method} {path}"[:64],
        data={"method": method, "path": path[:200], "detail": detail[:200], "client": addr},
    )
