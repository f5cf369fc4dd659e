"""The incident rule sets — taxonomy, routing, escalation, district status, intake limits — as frozen objects.

Defaults are the versioned files in ``incidents/rules/``, each entry with its source. An administrator may
save a newer version as a :class:`~linsek.incidents.models.RuleSet` row; the newest active row of a kind
replaces the file. Parsing is strict: a broken document raises :class:`RuleError` naming the entry, and the
system check (``incidents.checks``) refuses to start on a broken file. Parsers are pure (no ORM).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

RULES_DIR = Path(__file__).parent / "rules"
CLASSIFICATIONS = ("public", "internal", "restricted")
COUNT_FIELDS = ("people", "ballots")
T = TypeVar("T")


class RuleError(ValueError):
    """A rule document that cannot be used; the message names the entry."""


# --- taxonomy ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Kind:
    code: str
    sms: str
    group: str
    name_id: str
    name_en: str
    default_severity: int
    classification: str
    crowd_levels: bool
    counts: tuple[str, ...]
    source: str

    def name(self, language: str = "id") -> str:
        return self.name_en if language.startswith("en") else self.name_id


@dataclass(frozen=True, slots=True)
class CrowdLevel:
    code: str
    name_id: str
    name_en: str
    min_severity: int


@dataclass(frozen=True)
class Taxonomy:
    version: str
    source: str
    kinds: Mapping[str, Kind]
    by_sms: Mapping[str, Kind]
    groups: Mapping[str, tuple[str, str]]
    crowd_levels: Mapping[str, CrowdLevel]


def taxonomy_parse(doc: Mapping[str, Any]) -> Taxonomy:
    try:
        groups = {code: (g["name_id"], g["name_en"]) for code, g in doc["groups"].items()}
        crowd = {
            c["code"]: CrowdLevel(c["code"], c["name_id"], c["name_en"], int(c["min_severity"]))
            for c in doc["crowd_levels"]
        }
        kinds: dict[str, Kind] = {}
        by_sms: dict[str, Kind] = {}
        for raw in doc["kinds"]:
            kind = Kind(
                code=raw["code"],
                sms=raw["sms"].upper(),
                group=raw["group"],
                name_id=raw["name_id"],
                name_en=raw["name_en"],
                default_severity=int(raw["default_severity"]),
                classification=raw["classification"],
                crowd_levels=bool(raw.get("crowd_levels", False)),
                counts=tuple(raw.get("counts", ())),
                source=raw.get("source", doc.get("source", "")),
            )
            where = f"taxonomy kind '{kind.code}'"
            if kind.code in kinds:
                raise RuleError(f"{where}: duplicate code")
            if kind.sms in by_sms or not kind.sms.isalnum():
                raise RuleError(f"{where}: SMS code '{kind.sms}' is duplicate or not alphanumeric")
            if kind.group not in groups:
                raise RuleError(f"{where}: unknown group '{kind.group}'")
            if not 1 <= kind.default_severity <= 4:
                raise RuleError(f"{where}: default_severity must be 1..4")
            if kind.classification not in CLASSIFICATIONS:
                raise RuleError(f"{where}: classification must be one of {CLASSIFICATIONS}")
            if set(kind.counts) - set(COUNT_FIELDS):
                raise RuleError(f"{where}: counts must be among {COUNT_FIELDS}")
            if not kind.source:
                raise RuleError(f"{where}: no source")
            kinds[kind.code] = kind
            by_sms[kind.sms] = kind
        return Taxonomy(str(doc["version"]), str(doc["source"]), kinds, by_sms, groups, crowd)
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, RuleError):
            raise
        raise RuleError(f"taxonomy: {exc!r}") from exc


# --- routing -------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RoutingRule:
    id: str
    kinds: frozenset[str]
    min_severity: int
    crowd_levels: frozenset[str]
    lead: str
    support: tuple[str, ...]
    inform: tuple[str, ...]
    reason_id: str
    reason_en: str
    source: str

    def matches(self, *, kind: str, severity: int, crowd_level: str) -> bool:
        if self.kinds and kind not in self.kinds:
            return False
        if severity < self.min_severity:
            return False
        return not (self.crowd_levels and crowd_level not in self.crowd_levels)


@dataclass(frozen=True)
class RoutingRules:
    version: str
    source: str
    rules: tuple[RoutingRule, ...]


def routing_parse(
    doc: Mapping[str, Any], *, kinds: frozenset[str] | None = None, types: frozenset[str] | None = None
) -> RoutingRules:
    """Parse routing rules; with ``kinds``/``types`` given, every code they use must exist."""
    rules: list[RoutingRule] = []
    seen: set[str] = set()
    try:
        for raw in doc["rules"]:
            match = raw.get("match", {})
            rule = RoutingRule(
                id=raw["id"],
                kinds=frozenset(match.get("kinds", ())),
                min_severity=int(match.get("min_severity", 1)),
                crowd_levels=frozenset(match.get("crowd_levels", ())),
                lead=raw["lead"],
                support=tuple(raw.get("support", ())),
                inform=tuple(raw.get("inform", ())),
                reason_id=raw["reason_id"],
                reason_en=raw["reason_en"],
                source=raw.get("source", ""),
            )
            where = f"routing rule '{rule.id}'"
            if rule.id in seen:
                raise RuleError(f"{where}: duplicate id")
            seen.add(rule.id)
            if not rule.source:
                raise RuleError(f"{where}: no source")
            if kinds is not None and rule.kinds - kinds:
                raise RuleError(f"{where}: unknown kinds {sorted(rule.kinds - kinds)}")
            used = {rule.lead, *rule.support, *rule.inform}
            if types is not None and used - types:
                raise RuleError(f"{where}: unknown organisation types {sorted(used - types)}")
            rules.append(rule)
        if not rules:
            raise RuleError("routing: no rules")
        parsed = RoutingRules(str(doc["version"]), str(doc["source"]), tuple(rules))
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, RuleError):
            raise
        raise RuleError(f"routing: {exc!r}") from exc
    if parsed.rules[-1].kinds or parsed.rules[-1].min_severity > 1 or parsed.rules[-1].crowd_levels:
        raise RuleError(f"routing: the last rule ('{parsed.rules[-1].id}') must match everything (a catch-all)")
    return parsed


# --- escalation, district status, intake limits ------------------------------------------------------------


@dataclass(frozen=True)
class EscalationRules:
    version: str
    source: str
    ack_minutes: Mapping[int, int]
    max_levels: int


def escalation_parse(doc: Mapping[str, Any]) -> EscalationRules:
    try:
        minutes = {int(k): int(v) for k, v in doc["ack_minutes"].items()}
        max_levels = int(doc["max_levels"])
    except (KeyError, TypeError, ValueError) as exc:
        raise RuleError(f"escalation: {exc!r}") from exc
    if set(minutes) != {1, 2, 3, 4}:
        raise RuleError("escalation: ack_minutes needs severities 1, 2, 3 and 4")
    if any(m <= 0 for m in minutes.values()):
        raise RuleError("escalation: every acknowledgement time must be positive")
    if not doc.get("source"):
        raise RuleError("escalation: no source")
    return EscalationRules(str(doc["version"]), str(doc["source"]), minutes, max_levels)


@dataclass(frozen=True, slots=True)
class StatusLevel:
    code: str
    name_id: str
    name_en: str
    colour: str
    min_score: int
    min_severity: int | None
    crowd_levels: frozenset[str]


@dataclass(frozen=True)
class StatusRules:
    version: str
    source: str
    weights: Mapping[int, int]
    levels: tuple[StatusLevel, ...]  # highest first; the last one is the calm default


def status_parse(doc: Mapping[str, Any]) -> StatusRules:
    try:
        weights = {int(k): int(v) for k, v in doc["weights"].items()}
        levels = tuple(
            StatusLevel(
                lv["code"],
                lv["name_id"],
                lv["name_en"],
                lv["colour"],
                int(lv["min_score"]),
                None if lv.get("min_severity") is None else int(lv["min_severity"]),
                frozenset(lv.get("crowd_levels", ())),
            )
            for lv in doc["levels"]
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise RuleError(f"status: {exc!r}") from exc
    if not levels or levels[-1].min_score != 0:
        raise RuleError("status: the last level must be the calm default (min_score 0)")
    if set(weights) != {1, 2, 3, 4}:
        raise RuleError("status: weights need severities 1..4")
    if not doc.get("source"):
        raise RuleError("status: no source")
    return StatusRules(str(doc["version"]), str(doc["source"]), weights, levels)


@dataclass(frozen=True)
class SmsLimits:
    rate_per_sender: int
    rate_window_seconds: int
    thread_hours: int
    reply_max_chars: int
    signature_max_skew_seconds: int


@dataclass(frozen=True)
class IntakeLimits:
    version: str
    description_max_chars: int
    title_max_chars: int
    name_max_chars: int
    future_tolerance_seconds: int
    max_age_days: int
    attachment_max_bytes: int
    attachments_max_count: int
    attachment_types: frozenset[str]
    batch_max: int
    duplicate_radius_m: float
    duplicate_window_minutes: int
    sms: SmsLimits = field(default_factory=lambda: SmsLimits(6, 60, 6, 160, 300))


def intake_parse(doc: Mapping[str, Any]) -> IntakeLimits:
    try:
        limits = IntakeLimits(
            version=str(doc["version"]),
            description_max_chars=int(doc["description_max_chars"]),
            title_max_chars=int(doc["title_max_chars"]),
            name_max_chars=int(doc["name_max_chars"]),
            future_tolerance_seconds=int(doc["future_tolerance_seconds"]),
            max_age_days=int(doc["max_age_days"]),
            attachment_max_bytes=int(doc["attachment_max_bytes"]),
            attachments_max_count=int(doc["attachments_max_count"]),
            attachment_types=frozenset(doc["attachment_types"]),
            batch_max=int(doc["batch_max"]),
            duplicate_radius_m=float(doc["duplicate"]["radius_m"]),
            duplicate_window_minutes=int(doc["duplicate"]["window_minutes"]),
            sms=SmsLimits(**{k: int(v) for k, v in doc["sms"].items()}),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise RuleError(f"intake: {exc!r}") from exc
    if limits.description_max_chars <= 0 or limits.batch_max <= 0 or limits.sms.rate_per_sender <= 0:
        raise RuleError("intake: limits must be positive")
    return limits


# --- loading: file defaults, administrator versions, a short in-process cache ---------------------------------

PARSERS: dict[str, Callable[[Mapping[str, Any]], Any]] = {
    "taxonomy": taxonomy_parse,
    "routing": routing_parse,
    "escalation": escalation_parse,
    "status": status_parse,
    "intake": intake_parse,
}
FILES = {
    "taxonomy": "taxonomy.json",
    "routing": "routing.json",
    "escalation": "escalation.json",
    "status": "status.json",
    "intake": "intake.json",
}
CACHE_SECONDS = 5.0
_cache: dict[str, tuple[float, Any]] = {}
_lock = threading.Lock()


def file_document(kind: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((RULES_DIR / FILES[kind]).read_text(encoding="utf-8"))
    return doc


def document_validate(kind: str, doc: Mapping[str, Any]) -> Any:
    """Parse a document of a kind, cross-checking routing against the taxonomy and the organisation types."""
    if kind == "routing":
        from linsek.agencies.rules import organisation_types_raw

        kinds = frozenset(active_document_parsed("taxonomy").kinds)
        types = frozenset(t["code"] for t in organisation_types_raw())
        return routing_parse(doc, kinds=kinds, types=types)
    return PARSERS[kind](doc)


def active_document(kind: str) -> dict[str, Any]:
    """The document in force: the newest active administrator version, else the file."""
    from django.db import DatabaseError

    from linsek.incidents.models import RuleSet

    try:
        row = RuleSet.objects.filter(kind=kind, active=True).order_by("-id").values("document").first()
    except DatabaseError:  # before migrations (system checks, first start)
        row = None
    return dict(row["document"]) if row else file_document(kind)


def active_document_parsed(kind: str) -> Any:
    return PARSERS[kind](active_document(kind))


def _cached(kind: str) -> Any:
    now = time.monotonic()
    hit = _cache.get(kind)
    if hit is not None and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    with _lock:
        value = document_validate(kind, active_document(kind))
        _cache[kind] = (now, value)
    return value


def rules_cache_clear() -> None:
    """Forget cached rule sets (after an administrator saves one; tests)."""
    _cache.clear()


def taxonomy() -> Taxonomy:
    value: Taxonomy = _cached("taxonomy")
    return value


def routing_rules() -> RoutingRules:
    value: RoutingRules = _cached("routing")
    return value


def escalation_rules() -> EscalationRules:
    value: EscalationRules = _cached("escalation")
    return value


def status_rules() -> StatusRules:
    value: StatusRules = _cached("status")
    return value


def intake_limits() -> IntakeLimits:
    value: IntakeLimits = _cached("intake")
    return value


def intake_limits_nowait() -> IntakeLimits:
    """The cached limits, or the file's when nothing is cached: safe in the event loop (no query)."""
    hit = _cache.get("intake")
    value: IntakeLimits = hit[1] if hit is not None else intake_parse(file_document("intake"))
    return value
