"""Appending to and verifying the audit chain."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from linsek.audit.chain import GENESIS, ChainBreak, chain_verify, event_hash
from linsek.audit.models import AuditEvent, AuditHead
from linsek.core.middleware import current_client_addr, current_request_id


def audit_append(
    *,
    action: str,
    actor: Any = None,
    object_type: str = "",
    object_id: str | int = "",
    before_digest: str = "",
    after_digest: str = "",
    data: dict[str, Any] | None = None,
    now: Any = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction (or its own).

    The head row is locked (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite runs every
    transaction IMMEDIATE) so concurrent writers take turns and the chain never forks.
    """
    with transaction.atomic():
        head, _ = AuditHead.objects.select_for_update().get_or_create(id=1, defaults={"seq": 0, "hash": GENESIS})
        at = now or timezone.now()
        fields: dict[str, Any] = {
            "seq": head.seq + 1,
            "at": at.isoformat(timespec="microseconds"),
            "actor_id": getattr(actor, "pk", None),
            "actor_label": (getattr(actor, "get_username", lambda: "")() if actor is not None else "system")[:150],
            "organisation_id": getattr(actor, "organisation_id", None),
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id),
            "before_digest": before_digest,
            "after_digest": after_digest,
            "data": data or {},
            "request_id": current_request_id.get(),
            "client_addr": current_client_addr.get(),
        }
        new_hash = event_hash(head.hash, fields)
        event = AuditEvent.objects.create(**{**fields, "at": at}, prev_hash=head.hash, hash=new_hash)
        head.seq, head.hash = fields["seq"], new_hash
        head.save(update_fields=["seq", "hash"])
    return event


@dataclass(frozen=True, slots=True)
class VerifyResult:
    events: int
    head_hash: str
    broken: ChainBreak | None


def _rows(batch: int = 20_000) -> Any:
    last = 0
    while True:
        chunk: list[dict[str, Any]] = [
            dict(row)
            for row in AuditEvent.objects.filter(seq__gt=last)
            .order_by("seq")
            .values(
                "seq",
                "at",
                "actor_id",
                "actor_label",
                "organisation_id",
                "action",
                "object_type",
                "object_id",
                "before_digest",
                "after_digest",
                "data",
                "request_id",
                "client_addr",
                "prev_hash",
                "hash",
            )[:batch]
        ]
        if not chunk:
            return
        for row in chunk:
            row["at"] = row["at"].isoformat(timespec="microseconds")
            yield row
        last = chunk[-1]["seq"]


def audit_verify() -> VerifyResult:
    """Check the whole chain from genesis; also that the head row matches the last event."""
    count = 0
    last_hash = GENESIS

    def counted() -> Any:
        nonlocal count, last_hash
        for row in _rows():
            count += 1
            last_hash = row["hash"]
            yield row

    broken = chain_verify(counted())
    if broken is None:
        head = AuditHead.objects.filter(id=1).first()
        if head is not None and (head.seq != count or head.hash != last_hash):
            broken = ChainBreak(
                head.seq,
                f"chain head says #{head.seq} but the table ends at #{count} (events were removed from the end)",
            )
    return VerifyResult(events=count, head_hash=last_hash, broken=broken)
