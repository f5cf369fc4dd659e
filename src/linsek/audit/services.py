"""Appending to and verifying the audit chain.

Appends: :func:`audit_append_batch` is the one writer (``audit_append`` is a batch of one). It locks the chain
head once and stores the whole batch with one multi-row INSERT (``unnest`` of arrays on PostgreSQL, a constant
statement that the server prepares once; ``VALUES`` lists on SQLite), so the per-event cost is one template, one
JSON dump of ``data`` and one SHA-256. Each event's canonical content (:func:`linsek.audit.chain.canonical_text`)
is built before the head is locked; under the lock only the seq is written in and the hash taken.

Verification streams raw rows (a server-side cursor on PostgreSQL, ``fetchmany`` on SQLite; ``at`` is
formatted by the database) through :func:`linsek.audit.chain.rows_walk`. Large chains are split into seq ranges
walked by forked processes, one per core; the parent joins the ranges in order, so the first broken event is
named exactly as one walk would name it.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db import connection, connections, transaction
from django.utils import timezone

from linsek.audit.chain import (
    CANONICAL_FIELDS,
    GENESIS,
    ChainBreak,
    RangeWalk,
    StoredRow,
    canonical_data,
    canonical_finish,
    canonical_text,
    chained_hash,
    rows_walk,
    walks_join,
)
from linsek.audit.models import AuditEvent, AuditHead
from linsek.core.middleware import current_client_addr, current_request_id

_EVENT_TABLE = AuditEvent._meta.db_table
_HEAD_TABLE = AuditHead._meta.db_table
_COLUMNS = (*CANONICAL_FIELDS, "prev_hash", "hash")
_PG_TYPES = (
    "int8",
    "timestamptz",
    "int8",
    "text",
    "int8",
    "text",
    "text",
    "text",
    "text",
    "text",
    "jsonb",
    "text",
    "text",
    "text",
    "text",
)
SQLITE_ROWS_PER_STATEMENT = 2_000  # 15 columns × 2,000 = 30,000 bound parameters, under SQLite's 32,766
FETCH_ROWS = 20_000
PARALLEL_MIN_EVENTS = 200_000  # below this one process is faster than forking
MAX_WORKERS = 8  # each is a database connection (and, on PostgreSQL, a server process)


def _insert_sql_pg() -> str:
    columns = ", ".join(_COLUMNS)
    # The timestamp is one parameter for the whole batch; every other column is an array unnested row-wise.
    arrays = ", ".join(
        f"%b::{t if t != 'jsonb' else 'text'}[]" for c, t in zip(_COLUMNS, _PG_TYPES, strict=True) if c != "at"
    )
    names = ", ".join(c for c in _COLUMNS if c != "at")
    select = ", ".join(
        "%s::timestamptz" if c == "at" else (f"u.{c}::jsonb" if c == "data" else f"u.{c}") for c in _COLUMNS
    )
    return (
        f"WITH head AS (UPDATE {_HEAD_TABLE} SET seq = %s, hash = %s WHERE id = 1) "  # noqa: S608 (names from metadata)
        f"INSERT INTO {_EVENT_TABLE} ({columns}) SELECT {select} FROM unnest({arrays}) AS u({names})"
    )


_PG_INSERT = _insert_sql_pg()


def _head_lock(cursor: Any) -> tuple[int, str]:
    """The chain's tip, locked until the transaction ends (created at genesis on first use)."""
    lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""  # SQLite transactions are IMMEDIATE
    select = f"SELECT seq, hash FROM {_HEAD_TABLE} WHERE id = 1{lock}"  # noqa: S608
    cursor.execute(select)
    row = cursor.fetchone()
    if row is None:
        cursor.execute(
            f"INSERT INTO {_HEAD_TABLE} (id, seq, hash) VALUES (1, 0, %s) ON CONFLICT (id) DO NOTHING",  # noqa: S608
            [GENESIS],
        )
        cursor.execute(select)
        row = cursor.fetchone()
    return int(row[0]), str(row[1])


def _text(value: Any, default: str = "") -> str:
    if value is None:
        return default
    return value if type(value) is str else str(value)


def _id(value: Any) -> int | None:
    return None if value is None else int(value)


def audit_append_batch(events: Sequence[Mapping[str, Any]], *, now: datetime | None = None) -> tuple[int, str]:
    """Append events to the chain in the caller's transaction (or its own), locking the chain head once.

    Each event maps ``action`` and optionally ``actor_id``, ``actor_label`` (default ``"system"``),
    ``organisation_id``, ``object_type``, ``object_id``, ``before_digest``, ``after_digest``, ``data``,
    ``request_id`` and ``client_addr``. All share the time ``now`` (stored and hashed in UTC). Returns the new
    head (seq, hash).
    """
    rows, _at = _append(events, now=now)
    return (rows[-1][0], rows[-1][-1]) if rows else (0, GENESIS)


def _append(events: Sequence[Mapping[str, Any]], *, now: datetime | None) -> tuple[list[tuple[Any, ...]], datetime]:
    """The one append path: canonical content and hash per event, one INSERT per batch. Returns the rows
    (the columns of :data:`_COLUMNS` without ``at``, ``data`` as stored) and the UTC time."""
    at = (now or timezone.now()).astimezone(UTC)
    if not events:
        return [], at
    at_text = at.isoformat(timespec="microseconds")
    postgres = connection.vendor == "postgresql"
    # Everything but the seq, the previous hash and the hash is built before the chain head is locked: the
    # lock is held until the caller commits, and concurrent writers (several server processes) wait for it.
    prepared: list[tuple[str, tuple[Any, ...]]] = []
    for event in events:
        actor_id, org_id = _id(event.get("actor_id")), _id(event.get("organisation_id"))
        label = _text(event.get("actor_label"), "system")[:150]
        action = _text(event["action"])
        object_type, object_id = _text(event.get("object_type")), str(event.get("object_id", ""))
        before, after = _text(event.get("before_digest")), _text(event.get("after_digest"))
        request_id, client_addr = _text(event.get("request_id")), _text(event.get("client_addr"))
        data = event.get("data") or {}
        data_json = canonical_data(data)
        head = canonical_text(
            None,
            at_text,
            actor_id,
            label,
            org_id,
            action,
            object_type,
            object_id,
            before,
            after,
            data_json,
            request_id,
            client_addr,
        )
        # Stored as the canonical JSON on both databases (jsonb on PostgreSQL, text on SQLite): one encoding,
        # and what cannot be encoded is refused (or stringified) alike everywhere.
        fields = (
            actor_id, label, org_id, action, object_type, object_id, before, after, data_json, request_id, client_addr,
        )  # fmt: skip
        prepared.append((head, fields))
    # No savepoint inside the caller's transaction: a failed append dooms the whole write, as it should.
    with transaction.atomic(savepoint=False):
        cursor = connection.cursor()
        seq, prev = _head_lock(cursor)
        rows: list[tuple[Any, ...]] = []
        for head, fields in prepared:
            seq += 1
            new_hash = chained_hash(prev, canonical_finish(head, seq))
            rows.append((seq, *fields, prev, new_hash))
            prev = new_hash
        if postgres:
            import psycopg  # server-side binding: the constant statement is prepared once per connection

            columns = [list(col) for col in zip(*rows, strict=True)]
            with psycopg.Cursor(connection.connection) as raw:
                raw.execute(_PG_INSERT, [seq, prev, at, *columns])
        else:
            _insert_sqlite(cursor, rows, connection.ops.adapt_datetimefield_value(at))
            cursor.execute(f"UPDATE {_HEAD_TABLE} SET seq = %s, hash = %s WHERE id = 1", [seq, prev])  # noqa: S608
    return rows, at


def _insert_sqlite(cursor: Any, rows: list[tuple[Any, ...]], at: Any) -> None:
    head = f"INSERT INTO {_EVENT_TABLE} ({', '.join(_COLUMNS)}) VALUES "  # noqa: S608
    one = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
    for start in range(0, len(rows), SQLITE_ROWS_PER_STATEMENT):
        chunk = rows[start : start + SQLITE_ROWS_PER_STATEMENT]
        params: list[Any] = []
        for row in chunk:
            params.append(row[0])
            params.append(at)
            params.extend(row[1:])
        cursor.execute(head + ", ".join([one] * len(chunk)), params)


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
    Returns the stored event, built from what was written (``at`` exactly as hashed; ``data`` the caller's).
    """
    label = "system" if actor is None else getattr(actor, "get_username", lambda: "")()
    event = {
        "action": action,
        "actor_id": getattr(actor, "pk", None),
        "actor_label": label,
        "organisation_id": getattr(actor, "organisation_id", None),
        "object_type": object_type,
        "object_id": object_id,
        "before_digest": before_digest,
        "after_digest": after_digest,
        "data": data,
        "request_id": current_request_id.get(),
        "client_addr": current_client_addr.get(),
    }
    rows, at = _append([event], now=now)
    row = rows[0]
    stored = AuditEvent(
        seq=row[0],
        at=at,
        **{name: row[i] for i, name in enumerate(_COLUMNS[2:10], start=1)},
        data=data or {},
        request_id=row[10],
        client_addr=row[11],
        prev_hash=row[12],
        hash=row[13],
    )
    stored._state.adding = False
    stored._state.db = connection.alias
    return stored


# --- verification ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VerifyResult:
    events: int
    head_hash: str
    broken: ChainBreak | None


def _select_sql(vendor: str) -> str:
    if vendor == "postgresql":
        at = """to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')"""
        data = "data::text"
    else:  # Django stores naive UTC text, without the fraction when it is zero
        at = "replace(at, ' ', 'T') || CASE WHEN length(at) = 19 THEN '.000000+00:00' ELSE '+00:00' END"
        data = "data"
    columns = ", ".join(at if c == "at" else data if c == "data" else c for c in _COLUMNS)
    return f"SELECT {columns} FROM {_EVENT_TABLE} WHERE seq >= %s AND seq <= %s ORDER BY seq"  # noqa: S608


def _batches(lo: int, hi: int) -> Generator[Sequence[StoredRow], None, None]:
    """Raw rows with ``lo <= seq <= hi`` in seq order, FETCH_ROWS at a time, without ORM objects."""
    sql = _select_sql(connection.vendor)
    if connection.vendor == "postgresql":
        with transaction.atomic():  # a server-side cursor lives in a transaction
            connection.ensure_connection()
            with connection.connection.cursor(name="linsek_audit_verify") as cur:
                cur.itersize = FETCH_ROWS
                cur.execute(sql, [lo, hi])
                while rows := cur.fetchmany(FETCH_ROWS):
                    yield rows
        return
    with connection.cursor() as cur:
        cur.execute(sql, [lo, hi])
        while rows := cur.fetchmany(FETCH_ROWS):
            yield rows


def _walk(bounds: tuple[int, int]) -> RangeWalk:
    batches = _batches(*bounds)
    try:
        return rows_walk(batches)
    finally:
        batches.close()  # leaves the cursor's transaction now, also when the walk stopped early


def _walk_in_child(bounds: tuple[int, int]) -> RangeWalk:
    try:
        return _walk(bounds)
    finally:
        connections.close_all()


def _ranges(lo: int, hi: int, parts: int) -> list[tuple[int, int]]:
    size = -(-(hi - lo + 1) // parts)
    return [(start, min(start + size - 1, hi)) for start in range(lo, hi + 1, size)]


def audit_verify(*, workers: int | None = None) -> VerifyResult:
    """Check the whole chain from genesis; also that the head row matches the last event.

    The head, the lowest and the highest seq are read in one statement (one snapshot); events appended while
    the check runs lie above that and are left for the next run. ``workers`` forces the number of processes
    (default: one per core, at most :data:`MAX_WORKERS`, for chains of :data:`PARALLEL_MIN_EVENTS` or more;
    always one inside a transaction, whose rows other processes cannot see).
    """
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT (SELECT seq FROM {_HEAD_TABLE} WHERE id = 1), (SELECT hash FROM {_HEAD_TABLE} WHERE id = 1), "  # noqa: S608
            f"(SELECT min(seq) FROM {_EVENT_TABLE}), (SELECT max(seq) FROM {_EVENT_TABLE})"
        )
        head_seq, head_hash, lo, hi = cur.fetchone()
    if lo is None:
        count, last_hash, broken = 0, GENESIS, None
    else:
        if workers is None:
            workers = min(os.cpu_count() or 1, MAX_WORKERS) if hi - lo + 1 >= PARALLEL_MIN_EVENTS else 1
        if connection.in_atomic_block:
            workers = 1  # other processes would not see this transaction's rows
        ranges = _ranges(lo, hi, max(1, workers))
        if len(ranges) == 1:
            walks = [_walk(ranges[0])]
        else:
            connections.close_all()  # forked children must open their own connections
            with multiprocessing.get_context("fork").Pool(len(ranges)) as pool:
                walks = pool.map(_walk_in_child, ranges, chunksize=1)
        count, last_hash, broken = walks_join(walks)
    if broken is None and head_seq is not None and (head_seq != count or head_hash != last_hash):
        reason = (
            f"chain head says #{head_seq} but the table ends at #{count} (events were removed from the end)"
            if head_seq > count
            else f"chain head says #{head_seq} but the table ends at #{count} (events were added past the head)"
            if head_seq < count
            else f"chain head #{head_seq} does not match the last event's hash (the head or the last event changed)"
        )
        broken = ChainBreak(head_seq, reason)
    return VerifyResult(events=count, head_hash=last_hash, broken=broken)
