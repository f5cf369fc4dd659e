"""The demo plan (``deploy_demo_plan``), called by ``linsek demo load`` after the risk demo.

Some police are on leave, sick or on another duty over voting day (deterministic by person, ~4%), then
Polres Jepara's plan is generated with the default patterns and approved (the demo's approved version);
a second call changes nothing.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime

from linsek.agencies.models import Person
from linsek.deploy.models import Availability, Plan
from linsek.deploy.pool import pool_rules
from linsek.deploy.services import plan_approve, plan_generate
from linsek.regions.models import Region

REGENCY = "33.20"
ABSENT_SHARE = 0.04
KINDS = [Availability.Kind.LEAVE, Availability.Kind.SICK, Availability.Kind.OTHER_DUTY]


def _draw(key: str) -> float:
    return int.from_bytes(hashlib.sha256(f"absent|{key}".encode()).digest()[:8], "big") / 2**64


def deploy_demo_plan(*, now: datetime) -> Plan | None:
    """Absences for the demo's police, then an approved plan for Jepara (idempotent)."""
    regency = Region.objects.filter(code=REGENCY).first()
    if regency is None:
        return None
    existing = Plan.objects.filter(scope=regency).order_by("-version").first()
    if existing is not None:
        return existing
    kinds = pool_rules().unit_kinds
    people = Person.objects.filter(organisation__type_id__in=[t for t, k in kinds.items() if k in ("polsek", "polres")])
    rows = []
    for pid, key in people.order_by("id").values_list("id", "key"):
        x = _draw(key)
        if x < ABSENT_SHARE:
            rows.append(
                Availability(
                    person_id=pid,
                    kind=KINDS[int(x * 1000) % 3],
                    start=date(2024, 2, 12),
                    end=date(2024, 2, 16),
                    note="data demo",
                    created_at=now,
                )
            )
    Availability.objects.bulk_create(rows)
    plan = plan_generate(actor=None, regency=regency, now=now, mode="full", label="Rencana demo Pemilu 2024")
    return plan_approve(actor=None, plan=plan, now=now)
