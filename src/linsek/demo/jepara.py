"""``demo_load``: write the Jepara demo (regions, TPS, organisations, people, one login per role).

The rows come from the pure plan (``plan.py``, ``staffing.py``, ``personnel.py``); this module only upserts them by
their natural keys (region and TPS code, organisation code, person key, username), in bulk and in
one transaction, and reports what it created and changed. Loading twice changes nothing. Fields
the demo does not own (a region's imported boundary, a user's changed password, roles an
administrator added) are left alone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from django.db import models, transaction

from linsek.accounts.models import Role, User
from linsek.accounts.services import roles_sync
from linsek.agencies.models import ContactPoint, Organisation, Person
from linsek.agencies.rules import organisation_types_raw
from linsek.agencies.services import taxonomies_sync
from linsek.audit.services import audit_append
from linsek.demo.facts import JeparaFacts, jepara_facts
from linsek.demo.personnel import PersonPlan, people_plan
from linsek.demo.plan import RegionPlan, TpsPlan, regions_plan, tps_plan
from linsek.demo.staffing import OrgPlan, UserPlan, organisations_plan, users_plan
from linsek.regions.models import PollingStation, Region
from linsek.regions.services import rollups_refresh

M = TypeVar("M", bound=models.Model)
_BATCH = 2000


class DemoError(ValueError):
    """The demo cannot be loaded as asked (e.g. an unknown district code)."""


@dataclass(frozen=True, slots=True)
class DemoLogin:
    username: str
    password: str
    role: str
    organisation: str
    person: str
    created: bool  # False: the user existed, so its password was left as it was


@dataclass(slots=True)
class DemoSummary:
    districts: int
    villages: int
    tps: int
    voters_total: int
    voters_male: int
    voters_female: int
    organisations: int
    people: int
    people_by_sector: dict[str, int]
    logins: list[DemoLogin]
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)

    @property
    def rows_created(self) -> int:
        return sum(self.created.values())

    @property
    def rows_updated(self) -> int:
        return sum(self.updated.values())


def _chunks(items: Sequence[str], size: int = _BATCH) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _upsert(
    model: type[M],
    key_field: str,
    rows: dict[str, dict[str, Any]],
    *,
    label: str,
    summary: DemoSummary,
) -> dict[str, int]:
    """Create missing rows and update changed ones (only the given fields); returns key → id."""
    fields = sorted(next(iter(rows.values())).keys()) if rows else []
    keys = list(rows)
    existing: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(keys):
        for row in model._default_manager.filter(**{f"{key_field}__in": chunk}).values("id", key_field, *fields):
            existing[row[key_field]] = row
    to_create: list[M] = []
    to_update: list[M] = []
    for key, values in rows.items():
        old = existing.get(key)
        if old is None:
            to_create.append(model(**{key_field: key}, **values))
        elif any(old[f] != values[f] for f in fields):
            to_update.append(model(id=old["id"], **{key_field: key}, **values))
    if to_create:
        model._default_manager.bulk_create(to_create, batch_size=_BATCH)
    if to_update:
        model._default_manager.bulk_update(to_update, fields, batch_size=_BATCH)
    summary.created[label] += len(to_create)
    summary.updated[label] += len(to_update)
    ids = {key: row["id"] for key, row in existing.items()}
    if to_create:
        for chunk in _chunks([k for k in keys if k not in ids]):
            ids.update(model._default_manager.filter(**{f"{key_field}__in": chunk}).values_list(key_field, "id"))
    return ids


def _regions_write(plan: list[RegionPlan], summary: DemoSummary) -> dict[str, int]:
    ids: dict[str, int] = {}
    for level in ("province", "regency", "district", "village"):
        rows = {
            r.code: {
                "name": r.name,
                "level": r.level,
                "kind": r.kind,
                "parent_id": ids[r.parent_code] if r.parent_code else None,
                "lat": r.lat,
                "lon": r.lon,
                "is_island": r.is_island,
                "time_zone": r.time_zone,
                "source": r.source,
            }
            for r in plan
            if r.level == level
        }
        ids.update(_upsert(Region, "code", rows, label="regions", summary=summary))
    return ids


def _tps_write(
    plan: list[TpsPlan], region_ids: dict[str, int], regions: list[RegionPlan], summary: DemoSummary
) -> None:
    parent = {r.code: r.parent_code for r in regions}
    rows: dict[str, dict[str, Any]] = {}
    for t in plan:
        regency = parent[t.district_code]
        assert regency is not None
        province = parent[regency]
        assert province is not None
        rows[t.code] = {
            "number": t.number,
            "village_id": region_ids[t.village_code],
            "district_id": region_ids[t.district_code],
            "regency_id": region_ids[regency],
            "province_id": region_ids[province],
            "address": t.address,
            "lat": t.lat,
            "lon": t.lon,
            "voters_male": t.voters_male,
            "voters_female": t.voters_female,
            "voters_total": t.voters_total,
            "island": t.island,
            "boat_only": t.boat_only,
            "remote": t.remote,
            "special": t.special,
            "access_notes": t.access_notes,
        }
    _upsert(PollingStation, "code", rows, label="tps", summary=summary)


def _organisations_write(plan: list[OrgPlan], region_ids: dict[str, int], summary: DemoSummary) -> dict[str, int]:
    ids: dict[str, int] = {}
    by_code = {o.code: o for o in plan}

    def depth(o: OrgPlan) -> int:
        return 0 if o.parent_code is None else 1 + depth(by_code[o.parent_code])

    for level in sorted({depth(o) for o in plan}):
        rows = {
            o.code: {
                "name": o.name,
                "short_name": o.short_name,
                "type_id": o.type,
                "parent_id": ids[o.parent_code] if o.parent_code else None,
                "address": o.address,
                "active": True,
            }
            for o in plan
            if depth(o) == level
        }
        ids.update(_upsert(Organisation, "code", rows, label="organisations", summary=summary))

    # Jurisdictions: add the missing links; links an administrator added are kept.
    through = Organisation.jurisdiction.through
    org_ids = [ids[o.code] for o in plan]
    have = set(through.objects.filter(organisation_id__in=org_ids).values_list("organisation_id", "region_id"))
    want = {(ids[o.code], region_ids[c]) for o in plan for c in o.jurisdiction}
    missing = sorted(want - have)
    through.objects.bulk_create([through(organisation_id=o, region_id=r) for o, r in missing], batch_size=_BATCH)
    summary.created["jurisdictions"] += len(missing)

    # Contact points, keyed by (organisation, kind, label).
    existing = {
        (c.organisation_id, c.kind, c.label): c for c in ContactPoint.objects.filter(organisation_id__in=org_ids)
    }
    create: list[ContactPoint] = []
    update: list[ContactPoint] = []
    for o in plan:
        for c in o.contacts:
            old = existing.get((ids[o.code], c.kind, c.label))
            if old is None:
                create.append(ContactPoint(organisation_id=ids[o.code], kind=c.kind, value=c.value, label=c.label))
            elif old.value != c.value:
                old.value = c.value
                update.append(old)
    ContactPoint.objects.bulk_create(create, batch_size=_BATCH)
    ContactPoint.objects.bulk_update(update, ["value"], batch_size=_BATCH)
    summary.created["contacts"] += len(create)
    summary.updated["contacts"] += len(update)
    return ids


def _people_write(
    plan: list[PersonPlan], org_ids: dict[str, int], region_ids: dict[str, int], summary: DemoSummary
) -> dict[str, int]:
    rows = {
        p.key: {
            "organisation_id": org_ids[p.org_code],
            "full_name": p.full_name,
            "rank": p.rank,
            "position": p.position,
            "phone": p.phone,
            "duty_role_id": p.duty_role,
            "home_region_id": region_ids[p.home_region_code] if p.home_region_code else None,
            "active": True,
        }
        for p in plan
    }
    return _upsert(Person, "key", rows, label="people", summary=summary)


def _users_write(
    plan: list[UserPlan],
    person_ids: dict[str, int],
    org_ids: dict[str, int],
    org_names: dict[str, str],
    people: dict[str, PersonPlan],
    summary: DemoSummary,
) -> list[DemoLogin]:
    """Create missing demo users (with their demo password); keep an existing user's password."""
    roles = {r.code: r for r in Role.objects.all()}
    logins: list[DemoLogin] = []
    for u in plan:
        person = people[u.person_key]
        want = {
            "person_id": person_ids[u.person_key],
            "organisation_id": org_ids[u.org_code],
            "is_staff": u.is_staff,
            "is_superuser": u.is_staff,
            "is_active": True,
            "first_name": person.full_name.split(",")[0][:150],
        }
        user = User.objects.filter(username=u.username).first()
        created = user is None
        if user is None:
            user = User(username=u.username, email=f"{u.username}@linsek-demo.example", **want)
            user.set_password(u.password)
            user.save()
            summary.created["users"] += 1
        elif any(getattr(user, k) != v for k, v in want.items()):
            for k, v in want.items():
                setattr(user, k, v)
            user.save(update_fields=list(want))
            summary.updated["users"] += 1
        if not user.roles.filter(code=u.role).exists():
            user.roles.add(roles[u.role])
            if not created:
                summary.updated["users"] += 1
        logins.append(DemoLogin(u.username, u.password, u.role, org_names[u.org_code], person.full_name, created))
    return logins


def _restrict(facts: JeparaFacts, districts: list[str] | None) -> list[str]:
    all_codes = [d.code for d in facts.districts]
    if districts is None:
        return all_codes
    unknown = sorted(set(districts) - set(all_codes))
    if unknown:
        raise DemoError(f"unknown Jepara district code(s) {', '.join(unknown)}; known: {', '.join(all_codes)}")
    return sorted(set(districts))


@transaction.atomic
def demo_load(*, districts: list[str] | None = None, now: datetime | None = None) -> DemoSummary:
    """Create or update the Jepara demo; ``districts`` limits it to some kecamatan codes (e.g. for tests).

    The province, the regency and every organisation above kecamatan level are always loaded.
    Deterministic: the same data files give the same rows, and a second load changes nothing.
    """
    facts = jepara_facts()
    loaded = set(_restrict(facts, districts))
    taxonomies_sync()
    roles_sync()

    regions = [r for r in regions_plan(facts) if r.level in ("province", "regency") or _district_of(r.code) in loaded]
    tps = tps_plan(facts)
    orgs = organisations_plan(facts)
    people = people_plan(facts, tps)
    tps = [t for t in tps if t.district_code in loaded]
    orgs = [o for o in orgs if o.district_code is None or o.district_code in loaded]
    people = [p for p in people if p.district_code is None or p.district_code in loaded]
    users = users_plan(facts, districts=sorted(loaded))

    summary = DemoSummary(
        districts=sum(1 for r in regions if r.level == "district"),
        villages=sum(1 for r in regions if r.level == "village"),
        tps=len(tps),
        voters_total=sum(t.voters_total for t in tps),
        voters_male=sum(t.voters_male for t in tps),
        voters_female=sum(t.voters_female for t in tps),
        organisations=len(orgs),
        people=len(people),
        people_by_sector={},
        logins=[],
    )
    sector_of = {t["code"]: t["sector"] for t in organisation_types_raw()}
    type_of = {o.code: o.type for o in orgs}
    summary.people_by_sector = dict(Counter(sector_of[type_of[p.org_code]] for p in people))

    region_ids = _regions_write(regions, summary)
    _tps_write(tps, region_ids, regions, summary)
    org_ids = _organisations_write(orgs, region_ids, summary)
    person_ids = _people_write(people, org_ids, region_ids, summary)
    summary.logins = _users_write(
        users, person_ids, org_ids, {o.code: o.name for o in orgs}, {p.key: p for p in people}, summary
    )
    rollups_refresh()
    audit_append(
        action="demo.load",
        object_type="region",
        object_id=facts.scenario["regency"]["code"],
        data={
            "districts": sorted(loaded),
            "counts": {
                "districts": summary.districts,
                "villages": summary.villages,
                "tps": summary.tps,
                "voters": summary.voters_total,
                "organisations": summary.organisations,
                "people": summary.people,
            },
            "created": dict(summary.created),
            "updated": dict(summary.updated),
        },
        now=now,
    )
    return summary


def _district_of(code: str) -> str:
    return ".".join(code.split(".")[:3])
