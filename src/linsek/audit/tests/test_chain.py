"""The audit chain detects every kind of tampering done directly in the database."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from linsek.audit.models import AuditEvent
from linsek.audit.services import audit_append, audit_verify
from linsek.audit.tests.tampering import event_forge_after, sql


@pytest.fixture
def chain(db: Any) -> list[AuditEvent]:
    return [audit_append(action="test.write", object_type="thing", object_id=i, data={"n": i}) for i in range(1, 6)]


def test_untouched_chain_verifies(chain: list[AuditEvent]) -> None:
    result = audit_verify()
    assert result.broken is None
    assert result.events == 5
    assert result.head_hash == chain[-1].hash


def test_edited_event_is_named(chain: list[AuditEvent]) -> None:
    sql("UPDATE audit_auditevent SET object_id = %s WHERE seq = %s", ["999", 3])
    broken = audit_verify().broken
    assert broken is not None and broken.seq == 3 and "edited" in broken.reason


def test_deleted_event_is_named(chain: list[AuditEvent]) -> None:
    sql("DELETE FROM audit_auditevent WHERE seq = %s", [2])
    broken = audit_verify().broken
    assert broken is not None and broken.seq == 3


def test_deleted_tail_is_caught_by_the_head(chain: list[AuditEvent]) -> None:
    sql("DELETE FROM audit_auditevent WHERE seq = %s", [5])
    broken = audit_verify().broken
    assert broken is not None and "removed from the end" in broken.reason


def test_reordered_events_are_caught(chain: list[AuditEvent]) -> None:
    sql("UPDATE audit_auditevent SET seq = -1 WHERE seq = 2", [])
    sql("UPDATE audit_auditevent SET seq = 2 WHERE seq = 4", [])
    sql("UPDATE audit_auditevent SET seq = 4 WHERE seq = -1", [])
    broken = audit_verify().broken
    assert broken is not None and broken.seq == 2


def test_inserted_event_is_caught_even_with_a_correct_own_hash(chain: list[AuditEvent]) -> None:
    # Make room at #3, then forge an event there that links correctly to #2 and hashes itself correctly.
    event_forge_after(chain[1])
    broken = audit_verify().broken
    assert broken is not None and broken.seq == 4 and "link" in broken.reason


def test_cli_names_the_first_broken_event(chain: list[AuditEvent]) -> None:
    sql("UPDATE audit_auditevent SET data = %s WHERE seq = %s", ['{"n": 42}', 4])
    with pytest.raises(CommandError, match="#4"):
        call_command("audit", "verify")


def test_canonical_content_is_the_json_dumps_form() -> None:
    """The template writes exactly what ``json.dumps(sort_keys=True, compact, ensure_ascii=False)`` wrote before,
    so chains stored before the template still verify."""
    import json

    from linsek.audit.chain import CANONICAL_FIELDS, canonical, canonical_data, canonical_finish, canonical_text

    samples = [
        {"n": 1},
        {},
        {"z": [1, 2.5, None, True], "a": {"y": "é\u2603", "b": 'quote " and \\ back'}, "ctl": "\n\t\x01\x7f"},
    ]
    for i, data in enumerate(samples):
        event = {
            "seq": 10**12 + i,
            "at": "2024-02-14T07:00:00.000000+00:00",
            "actor_id": None if i == 0 else 42,
            "actor_label": 'Siti Rahayu "SR" \\ ñ' if i == 2 else "system",
            "organisation_id": None if i == 1 else 7,
            "action": "report.submit",
            "object_type": "incidents.report",
            "object_id": str(i),
            "before_digest": "",
            "after_digest": "ab" * 32,
            "data": data,
            "request_id": "r\u0000x" if i == 2 else "",
            "client_addr": "2001:db8::1",
        }
        legacy = json.dumps(
            {f: event[f] for f in CANONICAL_FIELDS},
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
            default=str,
        ).encode("utf-8")
        assert canonical(event) == legacy
        # the appends' way: everything but the seq first (before the chain head is locked), the seq after
        fields: list[Any] = [event[f] for f in CANONICAL_FIELDS[1:]]
        fields[CANONICAL_FIELDS.index("data") - 1] = canonical_data(data)
        assert canonical_finish(canonical_text(None, *fields), 10**12 + i).encode("utf-8") == legacy
