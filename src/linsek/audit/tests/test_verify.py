"""Batch appends, and the multi-process verifier naming the same first break as one walk, also at range edges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from linsek.audit.models import AuditEvent, AuditHead
from linsek.audit.services import audit_append, audit_append_batch, audit_verify
from linsek.audit.tests.tampering import event_forge_after, sql


def test_batch_and_single_appends_form_one_chain(db: Any) -> None:
    audit_append(action="test.one", object_type="thing", object_id=1, data={"ü": "ñ"})
    head = audit_append_batch(
        [
            {"action": "test.batch", "actor_id": 5, "actor_label": "petugas", "organisation_id": 3, "object_id": n}
            for n in range(300)
        ],
        now=datetime(2024, 2, 14, 7, 0, tzinfo=timezone(timedelta(hours=7))),  # WIB: stored and hashed in UTC
    )
    # A zero fraction of a second: SQLite stores the time without it, the hash has ".000000".
    last = audit_append(action="test.two", now=datetime(2024, 2, 14, 1, 0, 0, tzinfo=UTC))
    assert head[0] == 301
    assert last.seq == 302 and last.prev_hash == head[1] and last.pk is not None
    stored = AuditEvent.objects.get(seq=2)
    assert stored.at == datetime(2024, 2, 14, 0, 0, tzinfo=UTC) and stored.actor_label == "petugas"
    assert stored.object_id == "0" and stored.data == {}
    result = audit_verify()
    assert result.broken is None and result.events == 302 and result.head_hash == last.hash
    assert AuditHead.objects.get(id=1).hash == last.hash == AuditEvent.objects.get(seq=302).hash


def test_data_beyond_json_numbers_and_types_verifies_alike_on_both_databases(db: Any) -> None:
    """Integers past 64 bits (read back by the fast parser as floats) and values JSON has no type for (a UUID,
    a date: stored as their text) are stored, read and verified the same way on SQLite and PostgreSQL."""
    import uuid

    marker = uuid.UUID("12345678-1234-5678-1234-567812345678")
    audit_append(action="test.big", data={"n": 2**70, "u": marker, "on": datetime(2024, 2, 14, tzinfo=UTC)})
    stored = AuditEvent.objects.get(action="test.big")
    assert stored.data == {"n": 2**70, "u": str(marker), "on": "2024-02-14 00:00:00+00:00"}
    assert audit_verify().broken is None


@pytest.fixture
def chain10(transactional_db: Any) -> list[AuditEvent]:
    # Committed (transactional_db): the forked verifier processes open their own connections.
    return [audit_append(action="test.write", object_type="thing", object_id=i, data={"n": i}) for i in range(1, 11)]


def _both() -> tuple[Any, Any]:
    """(parallel, single) verdicts; with 10 events and 2 workers the ranges are #1–#5 and #6–#10."""
    return audit_verify(workers=2).broken, audit_verify(workers=1).broken


def test_parallel_verify_of_an_untouched_chain(chain10: list[AuditEvent]) -> None:
    result = audit_verify(workers=2)
    assert result.broken is None and result.events == 10 and result.head_hash == chain10[-1].hash


@pytest.mark.parametrize("seq", [5, 6])
def test_edit_at_the_range_boundary(chain10: list[AuditEvent], seq: int) -> None:
    sql("UPDATE audit_auditevent SET actor_label = %s WHERE seq = %s", ["mallory", seq])
    parallel, single = _both()
    assert parallel == single
    assert parallel is not None and parallel.seq == seq and "edited" in parallel.reason


def test_delete_at_the_range_boundary(chain10: list[AuditEvent]) -> None:
    sql("DELETE FROM audit_auditevent WHERE seq = %s", [6])
    parallel, single = _both()
    assert parallel == single
    assert parallel is not None and parallel.seq == 7 and "expected event #6" in parallel.reason


def test_reorder_across_the_range_boundary(chain10: list[AuditEvent]) -> None:
    sql("UPDATE audit_auditevent SET seq = -1 WHERE seq = 5", [])
    sql("UPDATE audit_auditevent SET seq = 5 WHERE seq = 6", [])
    sql("UPDATE audit_auditevent SET seq = 6 WHERE seq = -1", [])
    parallel, single = _both()
    assert parallel == single
    assert parallel is not None and parallel.seq == 5 and "link" in parallel.reason


def test_insert_at_the_range_boundary(chain10: list[AuditEvent]) -> None:
    # Shift #6..#10 up by one and forge a new #6 that links to #5 and hashes itself correctly.
    event_forge_after(chain10[4])
    parallel, single = _both()
    assert parallel == single
    # With 11 rows the ranges are #1–#6 and #7–#11: the first row of the second range (old #6) no longer links.
    assert parallel is not None and parallel.seq == 7 and "link" in parallel.reason


def test_events_past_the_head_are_caught(chain10: list[AuditEvent]) -> None:
    AuditHead.objects.filter(id=1).update(seq=9, hash=chain10[8].hash)
    broken = audit_verify(workers=2).broken
    assert broken is not None and "past the head" in broken.reason
