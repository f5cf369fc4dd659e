"""Pure hashing of audit events: the canonical form and the chain rule. No ORM here."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

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


def canonical(event: Mapping[str, Any]) -> bytes:
    """The bytes that are hashed: the fields above as compact JSON with sorted keys."""
    return json.dumps(
        {f: event[f] for f in CANONICAL_FIELDS},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=str,
    ).encode("utf-8")


def event_hash(prev_hash: str, event: Mapping[str, Any]) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + canonical(event)).hexdigest()


def digest(value: Any) -> str:
    """A stable SHA-256 of any JSON-able value (used for before/after digests)."""
    return hashlib.sha256(
        json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode("utf-8")
    ).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainBreak:
    seq: int
    reason: str


def chain_verify(
    events: Iterable[Mapping[str, Any]], *, start_seq: int = 1, start_hash: str = GENESIS
) -> ChainBreak | None:
    """Walk events in order; return the first break (gap, reorder, wrong link, edited content) or None."""
    expected_seq, prev = start_seq, start_hash
    for ev in events:
        if ev["seq"] != expected_seq:
            return ChainBreak(
                ev["seq"], f"expected event #{expected_seq} here, found #{ev['seq']} (deleted, inserted or reordered)"
            )
        if ev["prev_hash"] != prev:
            return ChainBreak(
                ev["seq"],
                "link to the previous event does not match (an earlier event was changed, removed or inserted)",
            )
        if event_hash(prev, ev) != ev["hash"]:
            return ChainBreak(ev["seq"], "content does not match its hash (this event was edited)")
        prev = ev["hash"]
        expected_seq += 1
    return None
