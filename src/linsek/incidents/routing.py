"""Routing: which organisations a report goes to, and why. Pure — plain data in, a decision out, no ORM.

A rule (``rules/routing.json``) names organisation *types*; the directory resolves each type to the
active organisation(s) whose jurisdiction covers the report's place, preferring the most local one
(village over district over regency over province). When no organisation of a type covers the place,
the type's parent types are tried (Panwascam → Bawaslu Kabupaten) and the decision says so. The same
directory finds the next step up for escalation: the organisation's parent, else the parent type.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from linsek.incidents.rules import RoutingRules

ROLE_RANK = {"lead": 0, "escalated": 1, "support": 2, "inform": 3}
ROUTE_MEMO_MAX = 50_000


@dataclass(frozen=True, slots=True)
class Place:
    """Region ids of the report's place at each level (None where unknown); most local first."""

    village_id: int | None
    district_id: int | None
    regency_id: int | None
    province_id: int | None

    def chain(self) -> tuple[int, ...]:
        return tuple(i for i in (self.village_id, self.district_id, self.regency_id, self.province_id) if i)


@dataclass(frozen=True, slots=True)
class Org:
    id: int
    code: str
    name: str
    type: str
    parent_id: int | None
    region_ids: frozenset[int]


@dataclass(frozen=True)
class Directory:
    """Active organisations by type, and each type's parent types (agencies/rules/organisation_types.json)."""

    orgs: Mapping[int, Org]
    by_type: Mapping[str, tuple[Org, ...]]
    type_parents: Mapping[str, tuple[str, ...]]
    type_names: Mapping[str, str] = field(default_factory=dict)
    # Decisions already taken against this directory: intake routes thousands of reports a second to a few
    # hundred distinct places, and a decision depends only on the rules, the report's facts and the place.
    route_memo: dict[tuple[Any, ...], tuple[RoutingRules, RoutingDecision]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def build(
        cls, orgs: Iterable[Org], type_parents: Mapping[str, tuple[str, ...]], type_names: Mapping[str, str]
    ) -> Directory:
        all_orgs = {o.id: o for o in orgs}
        by_type: dict[str, list[Org]] = {}
        for org in sorted(all_orgs.values(), key=lambda o: o.code):
            by_type.setdefault(org.type, []).append(org)
        return cls(all_orgs, {t: tuple(v) for t, v in by_type.items()}, dict(type_parents), dict(type_names))

    def covering(self, type_code: str, place: Place) -> tuple[Org, ...]:
        """Organisations of a type covering the place, the most local level that has any."""
        for region_id in place.chain():
            found = tuple(o for o in self.by_type.get(type_code, ()) if region_id in o.region_ids)
            if found:
                return found
        return ()

    def resolve(self, type_code: str, place: Place) -> tuple[tuple[Org, ...], str | None]:
        """(organisations, the type actually used): the type itself, else its parent types, breadth first."""
        queue, seen = [type_code], {type_code}
        while queue:
            current = queue.pop(0)
            found = self.covering(current, place)
            if found:
                return found, current
            for parent in self.type_parents.get(current, ()):
                if parent not in seen:
                    seen.add(parent)
                    queue.append(parent)
        return (), None


@dataclass(frozen=True, slots=True)
class Assignment:
    org_id: int
    org_name: str
    role: str  # lead | support | inform | escalated
    type: str
    requested_type: str

    def as_dict(self) -> dict[str, object]:
        return {
            "org_id": self.org_id,
            "org": self.org_name,
            "role": self.role,
            "type": self.type,
            "requested_type": self.requested_type,
        }


@dataclass(frozen=True)
class RoutingDecision:
    rule_id: str
    rules_version: str
    reason_id: str
    reason_en: str
    source: str
    assignments: tuple[Assignment, ...]
    notes: tuple[str, ...]

    @cached_property
    def lead(self) -> Assignment | None:
        return next((a for a in self.assignments if a.role == "lead"), None)

    def as_dict(self) -> dict[str, object]:
        """The form stored on the report (``Report.routing``) and shown to people."""
        return {
            "rule": self.rule_id,
            "version": self.rules_version,
            "reason_id": self.reason_id,
            "reason_en": self.reason_en,
            "source": self.source,
            "assignments": [a.as_dict() for a in self.assignments],
            "notes": list(self.notes),
        }


def route(
    *, kind: str, severity: int, crowd_level: str, place: Place, rules: RoutingRules, directory: Directory
) -> RoutingDecision:
    """The first matching rule's lead, support and inform types, resolved to concrete organisations."""
    key = (id(rules), kind, severity, crowd_level, place)
    hit = directory.route_memo.get(key)
    if hit is not None and hit[0] is rules:
        return hit[1]
    decision = _route(
        kind=kind, severity=severity, crowd_level=crowd_level, place=place, rules=rules, directory=directory
    )
    if len(directory.route_memo) >= ROUTE_MEMO_MAX:
        directory.route_memo.clear()
    directory.route_memo[key] = (rules, decision)
    return decision


def _route(
    *, kind: str, severity: int, crowd_level: str, place: Place, rules: RoutingRules, directory: Directory
) -> RoutingDecision:
    rule = next(r for r in rules.rules if r.matches(kind=kind, severity=severity, crowd_level=crowd_level))
    chosen: dict[int, Assignment] = {}
    notes: list[str] = []

    def assign(type_code: str, role: str, *, only_one: bool) -> None:
        orgs, used = directory.resolve(type_code, place)
        type_name = directory.type_names.get(type_code, type_code)
        if not orgs or used is None:
            notes.append(f"Tidak ada {type_name} yang mencakup lokasi ini")
            return
        if used != type_code:
            used_name = directory.type_names.get(used, used)
            notes.append(f"{type_name} tidak mencakup lokasi ini; diteruskan ke {used_name}")
        for org in orgs[:1] if only_one else orgs:
            previous = chosen.get(org.id)
            if previous is None or ROLE_RANK[role] < ROLE_RANK[previous.role]:
                chosen[org.id] = Assignment(org.id, org.name, role, org.type, type_code)

    assign(rule.lead, "lead", only_one=True)
    for type_code in rule.support:
        assign(type_code, "support", only_one=False)
    for type_code in rule.inform:
        assign(type_code, "inform", only_one=False)
    ordered = tuple(sorted(chosen.values(), key=lambda a: (ROLE_RANK[a.role], a.org_name)))
    return RoutingDecision(
        rule.id, rules.version, rule.reason_id, rule.reason_en, rule.source, ordered, tuple(dict.fromkeys(notes))
    )


def escalation_target(*, org_id: int, place: Place, directory: Directory, exclude: Iterable[int] = ()) -> Org | None:
    """One step up from an organisation: its active parent, else an organisation of a parent type covering the place."""
    excluded = set(exclude)
    org = directory.orgs.get(org_id)
    if org is None:
        return None
    if org.parent_id is not None and org.parent_id in directory.orgs and org.parent_id not in excluded:
        return directory.orgs[org.parent_id]
    for parent_type in directory.type_parents.get(org.type, ()):
        orgs, _used = directory.resolve(parent_type, place)
        for candidate in orgs:
            if candidate.id not in excluded and candidate.id != org_id:
                return candidate
    return None
