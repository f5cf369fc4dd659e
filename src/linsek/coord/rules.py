"""Loading and validating the coordination rule files (``coord/rules/*.json``): versioned data with sources.

* ``security_tasks.json`` — the Satgas, the security tasks and the kinds of agency event;
* ``calendar_<code>.json`` — an election/operation calendar: stages with dates and the tasks they bring;
* ``responsibilities.json`` — the seed of the responsibilities matrix (who leads, who supports).

The loader turns the files into frozen objects and refuses a broken file with a message naming the file and
the entry; ``coord.checks`` runs it as a system check. Pure: no ORM (the organisation-type codes are checked
against ``agencies/rules/organisation_types.json``, the same data the registry is seeded from).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

RULES_DIR = Path(__file__).parent / "rules"
ORG_TYPES_FILE = Path(__file__).resolve().parent.parent / "agencies" / "rules" / "organisation_types.json"
STAGE_KINDS = ("operasi", "tahapan", "logistik")
_CODE = re.compile(r"^[a-z][a-z0-9_]{1,47}$")
_REGION = re.compile(r"^\d{2}(\.\d{2}(\.\d{2}(\.\d{4})?)?)?$")


class RuleError(ValueError):
    """A rule file that cannot be used; the message names the file and the entry."""


@dataclass(frozen=True, slots=True)
class Named:
    code: str
    name_id: str
    name_en: str

    def name(self, language: str = "id") -> str:
        return self.name_en if language.startswith("en") else self.name_id


@dataclass(frozen=True, slots=True)
class SecurityTask:
    code: str
    name_id: str
    name_en: str
    satgas: str

    def name(self, language: str = "id") -> str:
        return self.name_en if language.startswith("en") else self.name_id


@dataclass(frozen=True, slots=True)
class EventType:
    code: str
    name_id: str
    name_en: str
    needs_permit: bool
    tasks: tuple[str, ...]

    def name(self, language: str = "id") -> str:
        return self.name_en if language.startswith("en") else self.name_id


@dataclass(frozen=True, slots=True)
class TaskCatalogue:
    version: str
    source: str
    satgas: Mapping[str, Named]
    tasks: Mapping[str, SecurityTask]
    event_types: Mapping[str, EventType]


@dataclass(frozen=True, slots=True)
class StageDef:
    """One stage: ``start`` and ``end`` are local calendar days, both inclusive."""

    code: str
    kind: str
    name_id: str
    name_en: str
    start: date
    end: date
    region_code: str
    tasks: tuple[str, ...]
    source: str
    derived: bool
    note: str

    def name(self, language: str = "id") -> str:
        return self.name_en if language.startswith("en") else self.name_id

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True, slots=True)
class CalendarDoc:
    code: str
    version: str
    name_id: str
    name_en: str
    time_zone: str
    source: str
    stages: tuple[StageDef, ...]
    sha256: str

    def stage(self, code: str) -> StageDef:
        for s in self.stages:
            if s.code == code:
                return s
        raise KeyError(code)


@dataclass(frozen=True, slots=True)
class ResponsibilityDef:
    subject_kind: str  # "stage" or "event_type"
    subject_code: str
    lead: str
    support: tuple[str, ...]
    note: str


@dataclass(frozen=True, slots=True)
class ResponsibilityDoc:
    version: str
    source: str
    entries: tuple[ResponsibilityDef, ...]


def _req(entry: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in entry or entry[key] in (None, ""):
        raise RuleError(f"{where}: '{key}' is missing")
    return entry[key]


def _date(value: Any, where: str) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise RuleError(f"{where}: '{value}' is not a date (YYYY-MM-DD)") from exc


def tasks_parse(doc: Mapping[str, Any], *, name: str = "security_tasks.json") -> TaskCatalogue:
    """Validate the task catalogue: unique codes, every task under a known Satgas, event types naming tasks."""
    satgas: dict[str, Named] = {}
    for i, s in enumerate(doc.get("satgas", [])):
        where = f"{name} satgas[{i}]"
        code = _req(s, "code", where)
        satgas[code] = Named(code, _req(s, "name_id", where), _req(s, "name_en", where))
    tasks: dict[str, SecurityTask] = {}
    for i, t in enumerate(doc.get("tasks", [])):
        where = f"{name} tasks[{i}]"
        code = _req(t, "code", where)
        if not _CODE.match(code) or code in tasks:
            raise RuleError(f"{where}: code '{code}' is malformed or repeated")
        if t.get("satgas") not in satgas:
            raise RuleError(f"{where}: unknown satgas '{t.get('satgas')}'")
        tasks[code] = SecurityTask(code, _req(t, "name_id", where), _req(t, "name_en", where), t["satgas"])
    types: dict[str, EventType] = {}
    for i, e in enumerate(doc.get("event_types", [])):
        where = f"{name} event_types[{i}]"
        code = _req(e, "code", where)
        if not _CODE.match(code) or code in types:
            raise RuleError(f"{where}: code '{code}' is malformed or repeated")
        unknown = [t for t in e.get("tasks", []) if t not in tasks]
        if unknown:
            raise RuleError(f"{where}: unknown tasks {unknown}")
        types[code] = EventType(
            code, _req(e, "name_id", where), _req(e, "name_en", where), bool(e.get("needs_permit")), tuple(e["tasks"])
        )
    if not tasks or not types:
        raise RuleError(f"{name}: needs at least one task and one event type")
    return TaskCatalogue(str(_req(doc, "version", name)), str(_req(doc, "source", name)), satgas, tasks, types)


def calendar_parse(doc: Mapping[str, Any], catalogue: TaskCatalogue, *, name: str, sha256: str = "") -> CalendarDoc:
    """Validate one calendar: dates in order, known kinds and tasks, a source on every stage."""
    code = str(_req(doc, "code", name))
    zone = str(_req(doc, "time_zone", name))
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RuleError(f"{name}: unknown time zone '{zone}'") from exc
    stages: list[StageDef] = []
    seen: set[str] = set()
    for i, s in enumerate(doc.get("stages", [])):
        where = f"{name} stages[{i}]"
        scode = _req(s, "code", where)
        where = f"{name} stage '{scode}'"
        if not _CODE.match(scode) or scode in seen:
            raise RuleError(f"{where}: code is malformed or repeated")
        seen.add(scode)
        kind = _req(s, "kind", where)
        if kind not in STAGE_KINDS:
            raise RuleError(f"{where}: kind '{kind}' is not one of {STAGE_KINDS}")
        start, end = _date(_req(s, "start", where), where), _date(_req(s, "end", where), where)
        if end < start:
            raise RuleError(f"{where}: ends ({end}) before it starts ({start})")
        region = str(s.get("region", ""))
        if region and not _REGION.match(region):
            raise RuleError(f"{where}: region '{region}' is not a Kemendagri code")
        unknown = [t for t in s.get("tasks", []) if t not in catalogue.tasks]
        if unknown:
            raise RuleError(f"{where}: unknown tasks {unknown}")
        stages.append(
            StageDef(
                code=scode,
                kind=kind,
                name_id=_req(s, "name_id", where),
                name_en=_req(s, "name_en", where),
                start=start,
                end=end,
                region_code=region,
                tasks=tuple(s.get("tasks", [])),
                source=_req(s, "source", where),
                derived=bool(s.get("derived", False)),
                note=str(s.get("note", "")),
            )
        )
    if not stages:
        raise RuleError(f"{name}: no stages")
    stages.sort(key=lambda st: (st.start, st.end, st.code))
    return CalendarDoc(
        code=code,
        version=str(_req(doc, "version", name)),
        name_id=str(_req(doc, "name_id", name)),
        name_en=str(_req(doc, "name_en", name)),
        time_zone=zone,
        source=str(_req(doc, "source", name)),
        stages=tuple(stages),
        sha256=sha256,
    )


def responsibilities_parse(
    doc: Mapping[str, Any],
    *,
    org_types: frozenset[str],
    stage_codes: frozenset[str],
    event_types: frozenset[str],
    name: str = "responsibilities.json",
) -> ResponsibilityDoc:
    """Validate the matrix seed: known subjects and organisation types, one lead, no type both lead and support."""
    entries: list[ResponsibilityDef] = []
    seen: set[str] = set()
    for i, e in enumerate(doc.get("entries", [])):
        where = f"{name} entries[{i}]"
        subject = str(_req(e, "subject", where))
        kind, _, code = subject.partition(":")
        known = {"stage": stage_codes, "event_type": event_types}.get(kind)
        if known is None or code not in known:
            raise RuleError(f"{where}: unknown subject '{subject}' (stage:<code> or event_type:<code>)")
        if subject in seen:
            raise RuleError(f"{where}: subject '{subject}' repeated")
        seen.add(subject)
        lead = str(_req(e, "lead", where))
        support = tuple(e.get("support", []))
        unknown = [t for t in (lead, *support) if t not in org_types]
        if unknown:
            raise RuleError(f"{where}: unknown organisation types {unknown}")
        if lead in support:
            raise RuleError(f"{where}: '{lead}' cannot both lead and support")
        entries.append(ResponsibilityDef(kind, code, lead, support, str(e.get("note", ""))))
    return ResponsibilityDoc(str(_req(doc, "version", name)), str(_req(doc, "source", name)), tuple(entries))


def _read(path: Path) -> tuple[dict[str, Any], str]:
    import hashlib

    raw = path.read_bytes()
    try:
        return json.loads(raw), hashlib.sha256(raw).hexdigest()
    except json.JSONDecodeError as exc:
        raise RuleError(f"{path.name}: not valid JSON ({exc})") from exc


@lru_cache(maxsize=1)
def task_catalogue() -> TaskCatalogue:
    doc, _ = _read(RULES_DIR / "security_tasks.json")
    return tasks_parse(doc)


@lru_cache(maxsize=8)
def calendar_file(code: str = "pemilu2024") -> CalendarDoc:
    """The calendar shipped as ``rules/calendar_<code>.json``."""
    path = RULES_DIR / f"calendar_{code}.json"
    if not path.exists():
        raise RuleError(f"no calendar file {path.name}")
    doc, digest = _read(path)
    cal = calendar_parse(doc, task_catalogue(), name=path.name, sha256=digest)
    if cal.code != code:
        raise RuleError(f"{path.name}: code '{cal.code}' does not match the file name")
    return cal


def calendar_codes() -> list[str]:
    return sorted(p.stem.removeprefix("calendar_") for p in RULES_DIR.glob("calendar_*.json"))


def org_type_codes() -> frozenset[str]:
    doc, _ = _read(ORG_TYPES_FILE)
    return frozenset(t["code"] for t in doc["types"])


@lru_cache(maxsize=1)
def responsibilities_file() -> ResponsibilityDoc:
    doc, _ = _read(RULES_DIR / "responsibilities.json")
    stages = frozenset(s.code for code in calendar_codes() for s in calendar_file(code).stages)
    return responsibilities_parse(
        doc, org_types=org_type_codes(), stage_codes=stages, event_types=frozenset(task_catalogue().event_types)
    )


def rules_load_all() -> None:
    """Load every rule file (raises :class:`RuleError` on the first broken one); used by the system check."""
    for fn in (task_catalogue, calendar_file, responsibilities_file):
        fn.cache_clear()
    task_catalogue()
    for code in calendar_codes():
        calendar_file(code)
    responsibilities_file()
