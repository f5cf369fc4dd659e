"""Tampering done directly in the database, as an intruder with SQL access would: shared by the chain tests."""

from __future__ import annotations

from typing import Any

from django.db import connection

from linsek.audit.chain import event_hash
from linsek.audit.models import AuditEvent


def sql(statement: str, params: list[Any]) -> None:
    with connection.cursor() as cur:
        cur.execute(statement, params)


def event_forge_after(previous: AuditEvent) -> AuditEvent:
    """Shift every event after ``previous`` up by one and forge, in the gap, an event that links to ``previous``
    and hashes its own content correctly: only the next event's broken link can give it away."""
    seq = previous.seq + 1
    sql("UPDATE audit_auditevent SET seq = seq + 1000000 WHERE seq >= %s", [seq])
    sql("UPDATE audit_auditevent SET seq = seq - 999999 WHERE seq >= 1000000", [])
    fields = {
        "seq": seq,
        "at": previous.at.isoformat(timespec="microseconds"),
        "actor_id": None,
        "actor_label": "x",
        "organisation_id": None,
        "action": "forged",
        "object_type": "",
        "object_id": "",
        "before_digest": "",
        "after_digest": "",
        "data": {},
        "request_id": "",
        "client_addr": "",
    }
    return AuditEvent.objects.create(
        **{**fields, "at": previous.at}, prev_hash=previous.hash, hash=event_hash(previous.hash, fields)
    )
