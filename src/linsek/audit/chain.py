"""Pure hashing of audit events: the canonical form, the chain rule and the walk that checks it. No ORM here.

An event's hash is ``SHA-256(prev_hash ‖ canonical content)``; the canonical content is the JSON object of
:data:`CANONICAL_FIELDS` with sorted keys, compact separators, non-ASCII kept as UTF-8 (``json.dumps(...,
sort_keys=True, separators=(",", ":"), ensure_ascii=False)``). :func:`canonical_text` is the only place that
builds it: appends (single and batch) and verification all call it. It writes the object from a template
instead of sorting a 13-key dict for every event, because verification runs it ten million times; the output is
byte-identical to the ``json.dumps`` form (``test_chain`` proves it), so chains written before stay valid.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from json.encoder import encode_basestring  # the C encoder behind ensure_ascii=False
from typing import Any

import orjson

GENESIS = "0" * 64
CANONICAL_FIELDS = (
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
)
# The template in canonical_text writes the keys in this (sorted) order, seq last.
assert tuple(sorted(CANONICAL_FIELDS)) == (
    "action",
    "actor_id",
    "actor_label",
    "after_digest",
    "at",
    "before_digest",
    "client_addr",
    "data",
    "object_id",
    "object_type",
    "organisation_id",
    "request_id",
    "seq",
)

_DATA_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
_json_loads = json.loads


def canonical_data(data: Any) -> str:
    """The canonical JSON of an event's ``data`` (sorted keys, compact, UTF-8)."""
    return _DATA_ENCODER.encode(data)


def canonical_data_from_json(text: str) -> str:
    """The canonical JSON of ``data`` as read back from the database (any JSON spelling of the same value)."""
    return _DATA_ENCODER.encode(_json_loads(text))


def _n(value: int | None) -> str:
    return "null" if value is None else str(value)


def canonical_text(
    seq: int | None,
    at: str,
    actor_id: int | None,
    actor_label: str,
    organisation_id: int | None,
    action: str,
    object_type: str,
    object_id: str,
    before_digest: str,
    after_digest: str,
    data_json: str,
    request_id: str,
    client_addr: str,
) -> str:
    """The canonical content of one event, as text; the one function that builds it.

    ``at`` is the ISO time in UTC with microseconds (``2024-02-14T07:00:00.000000+00:00``) and ``data_json``
    the output of :func:`canonical_data`; string fields must be ``str`` and ids ``int`` or ``None`` (the
    append path normalises them, the database returns them so). With ``seq=None`` it stops before the seq (the
    last key): appends build that much before they lock the chain head row and add the seq under the lock
    (:func:`canonical_finish`), so that the lock, which concurrent writers wait for, is held briefly.
    """
    s = encode_basestring
    head = (
        f'{{"action":{s(action)},"actor_id":{_n(actor_id)},"actor_label":{s(actor_label)},'
        f'"after_digest":{s(after_digest)},"at":{s(at)},"before_digest":{s(before_digest)},'
        f'"client_addr":{s(client_addr)},"data":{data_json},"object_id":{s(object_id)},'
        f'"object_type":{s(object_type)},"organisation_id":{_n(organisation_id)},'
        f'"request_id":{s(request_id)},"seq":'
    )
    return head if seq is None else f"{head}{seq}}}"  # the end as canonical_finish writes it


def canonical_finish(head: str, seq: int) -> str:
    """The canonical content from ``canonical_text(None, …)`` and the event's seq."""
    return f"{head}{seq}}}"


def chained_hash(prev_hash: str, text: str) -> str:
    return hashlib.sha256((prev_hash + text).encode("utf-8")).hexdigest()


def canonical(event: Mapping[str, Any]) -> bytes:
    """The bytes that are hashed, for an event given as a mapping of :data:`CANONICAL_FIELDS`."""
    return _canonical_of(event).encode("utf-8")


def _canonical_of(event: Mapping[str, Any]) -> str:
    return canonical_text(
        event["seq"],
        event["at"],
        event["actor_id"],
        event["actor_label"],
        event["organisation_id"],
        event["action"],
        event["object_type"],
        event["object_id"],
        event["before_digest"],
        event["after_digest"],
        canonical_data(event["data"]),
        event["request_id"],
        event["client_addr"],
    )


def event_hash(prev_hash: str, event: Mapping[str, Any]) -> str:
    return chained_hash(prev_hash, _canonical_of(event))


def digest(value: Any) -> str:
    """A stable SHA-256 of any JSON-able value (used for before/after digests)."""
    return hashlib.sha256(
        json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode("utf-8")
    ).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainBreak:
    seq: int
    reason: str


def gap_break(expected_seq: int, found_seq: int) -> ChainBreak:
    return ChainBreak(
        found_seq, f"expected event #{expected_seq} here, found #{found_seq} (deleted, inserted or reordered)"
    )


def link_break(seq: int) -> ChainBreak:
    return ChainBreak(
        seq, "link to the previous event does not match (an earlier event was changed, removed or inserted)"
    )


def edit_break(seq: int) -> ChainBreak:
    return ChainBreak(seq, "content does not match its hash (this event was edited)")


@dataclass(frozen=True, slots=True)
class RangeWalk:
    """What one walk over consecutive stored events found: its ends (for joining walks) and its first break."""

    count: int
    first_seq: int | None
    first_prev_hash: str
    last_seq: int | None
    last_hash: str
    broken: ChainBreak | None


# A stored event as the verifier reads it: the CANONICAL_FIELDS in their declared order (``at`` already as
# canonical text, ``data`` as stored JSON text), then prev_hash and hash.
StoredRow = Sequence[Any]


def rows_walk(batches: Iterable[Sequence[StoredRow]]) -> RangeWalk:
    """Walk stored events in ``seq`` order and stop at the first break.

    The first row is taken as the start: its own ``seq`` and ``prev_hash`` are not judged here (the caller
    joins walks and checks them against what precedes), only its content. Every later row must follow with
    the next ``seq``, link to the previous hash, and hash to its stored hash.

    Speed (this runs for every stored event): ``data`` is parsed with orjson, and the canonical JSON of recent
    ``data`` texts is remembered (logins, reads and denials repeat the same few). orjson reads integers beyond
    64 bits as floats, so a mismatch is re-checked with the standard parser before an event is called edited.
    """
    sha256, text_of = hashlib.sha256, canonical_text
    encode = _DATA_ENCODER.encode
    fast_loads = orjson.loads
    seen: dict[str, str] = {}
    count = 0
    first_seq: int | None = None
    first_prev = prev = ""
    expected = 0
    for rows in batches:
        for seq, at, actor_id, label, org_id, action, otype, oid, before, after, data, rid, addr, prev_hash, h in rows:
            if first_seq is None:
                first_seq, first_prev, prev, expected = seq, prev_hash, prev_hash, seq
            count += 1
            if seq != expected:
                return RangeWalk(count, first_seq, first_prev, seq, h, gap_break(expected, seq))
            if prev_hash != prev:
                return RangeWalk(count, first_seq, first_prev, seq, h, link_break(seq))
            data_json = seen.get(data)
            if data_json is None:
                try:
                    data_json = encode(fast_loads(data))
                except (ValueError, TypeError):
                    data_json = canonical_data_from_json(data)
                if len(seen) >= 1024:
                    seen.clear()
                seen[data] = data_json
            text = text_of(seq, at, actor_id, label, org_id, action, otype, oid, before, after, data_json, rid, addr)
            # = chained_hash(prev, text), written out: this line runs for every stored event
            if sha256((prev + text).encode("utf-8")).hexdigest() != h:
                text = text_of(
                    seq, at, actor_id, label, org_id, action, otype, oid, before, after,
                    canonical_data_from_json(data), rid, addr,
                )  # fmt: skip
                if sha256((prev + text).encode("utf-8")).hexdigest() != h:
                    return RangeWalk(count, first_seq, first_prev, seq, h, edit_break(seq))
            prev = h
            expected += 1
    return RangeWalk(count, first_seq, first_prev, expected - 1 if first_seq is not None else None, prev, None)


def walks_join(
    walks: Iterable[RangeWalk], *, start_seq: int = 1, start_hash: str = GENESIS
) -> tuple[int, str, ChainBreak | None]:
    """Join walks over consecutive seq ranges (in order) into the verdict one walk from genesis would give.

    Returns (events seen, last hash, first break). Each walk's first row is judged here against the end of
    the walk before it, exactly as a single walk would have judged it, so the first break is named alike.
    """
    expected, prev, count = start_seq, start_hash, 0
    for walk in walks:
        if walk.first_seq is None:
            continue
        if walk.first_seq != expected:
            return count + 1, prev, gap_break(expected, walk.first_seq)
        if walk.first_prev_hash != prev:
            return count + 1, prev, link_break(walk.first_seq)
        count += walk.count
        if walk.broken is not None:
            return count, prev, walk.broken
        prev, expected = walk.last_hash, (walk.last_seq or 0) + 1
    return count, prev, None
