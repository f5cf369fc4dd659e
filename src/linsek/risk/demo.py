"""Demo assessments for the Jepara TPS (``risk_demo_load``), called by ``linsek demo load``.

A realistic mix — about 85% kurang rawan, 12% rawan, 3% sangat rawan or khusus — drawn deterministically
(each TPS's values come from a generator seeded with its code): the special TPS (Rutan, pesantren) are
khusus; the landslide and flood villages of shared/DOMAIN.md §2 are hard to reach and disaster-prone, so
rawan or worse; a few "hot" villages carry campaign and neutrality indicators, as villages do. Loading
twice changes nothing (each demo assessment has a fixed UUID).
"""

from __future__ import annotations

import hashlib
import random
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Q

from linsek.agencies.models import Organisation
from linsek.regions.models import PollingStation, Region
from linsek.risk.catalogue import catalogue_get
from linsek.risk.models import Assessment
from linsek.risk.services import AssessmentInput, assessments_record_many

REGENCY = "33.20"
# shared/DOMAIN.md §2 (news 2023–24); codes as in the demo's jepara_scenario.json.
HAZARD_VILLAGES = {
    "33.20.09.2001": "longsor",  # Tempur (Keling): logistics route through forest
    "33.20.04.2004": "longsor",  # Kuanyar (Mayong)
    "33.20.16.2008": "longsor",  # Jugo (Donorojo)
    "33.20.09.2003": "longsor",  # Kunir (Keling)
    "33.20.04.2016": "longsor",  # Bungu (Mayong)
    "33.20.05.2006": "longsor",  # Somosari/Sumosari (Batealit)
    "33.20.15.2006": "longsor",  # Plajan (Pakis Aji)
    "33.20.16.2001": "banjir",  # Sumberrejo (Donorojo)
}
HOT_VILLAGE_SHARE = 0.09  # villages where campaign/neutrality reports cluster (assumption)
COLLECTED = datetime(2024, 2, 5, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))  # Bawaslu collected 3–8 Feb 2024
NAMESPACE = uuid.UUID("6c1f0b5e-7a64-4f0e-9a59-3f4b8d2c1a20")


def _rng(*parts: object) -> random.Random:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _values(code: str, village: str, hot: bool, special: str) -> dict[str, int]:
    rng = _rng("risk-demo", code)
    v: dict[str, int] = {}

    def maybe(indicator: str, p: float) -> None:
        if rng.random() < p:
            v[indicator] = 1

    # Background: voter-list noise and small logistics/power issues, common and mostly harmless.
    v["V1.1"] = rng.choice([0, 0, 0, 1, 2, 3, 5, 8])
    v["V1.2"] = rng.choice([0, 0, 1, 2, 4, 6, 10])
    v["V1.3"] = rng.choice([0, 0, 0, 1, 2, 4])
    for indicator, p in (
        ("V5.2", 0.04),
        ("V5.4", 0.03),
        ("V7.1", 0.05),
        ("V7.2", 0.08),
        ("V6.3", 0.05),
        ("V6.4", 0.04),
        ("V6.5", 0.06),
        ("V3.3", 0.01),
        ("V4.1", 0.03),
        ("V3.1", 0.03),
    ):
        maybe(indicator, p)
    hazard = HAZARD_VILLAGES.get(village)
    if hazard:
        v["V6.2"] = 1
        if hazard == "longsor" or rng.random() < 0.5:
            v["V6.1"] = 1
        maybe("V5.4", 0.6)
        maybe("V7.1", 0.5)
        maybe("V2.2", 0.15)
    if hot:
        maybe("V3.1", 0.7)
        maybe("V4.1", 0.5)
        maybe("V3.2", 0.25)
        maybe("V6.5", 0.5)
        maybe("V2.1", 0.12)
        maybe("V2.2", 0.12)
    else:
        maybe("V2.1", 0.008)
        maybe("V2.2", 0.006)
    if special:
        v["V6.6"] = 1
    return v


def risk_demo_load(*, now: datetime) -> int:
    """Give every Jepara TPS one demo assessment (idempotent); returns the number created."""
    regency = Region.objects.filter(code=REGENCY).first()
    if regency is None:
        return 0
    stations = list(PollingStation.objects.filter(regency=regency).select_related("village").order_by("code"))
    if not stations:
        return 0
    villages = sorted({t.village.code for t in stations})
    hot = {v for v in villages if _rng("hot", v).random() < HOT_VILLAGE_SHARE and v not in HAZARD_VILLAGES}
    existing = set(
        Assessment.objects.filter(tps__regency=regency, source=Assessment.Source.DEMO).values_list("uuid", flat=True)
    )
    panwas = {
        r.code: o
        for o in Organisation.objects.filter(type_id="panwascam").prefetch_related("jurisdiction")
        for r in o.jurisdiction.all()
    }
    items = []
    for t in stations:
        key = uuid.uuid5(NAMESPACE, t.code)
        if key in existing:
            continue
        rng = _rng("when", t.code)
        items.append(
            AssessmentInput(
                tps=t,
                values=_values(t.code, t.village.code, t.village.code in hot, t.special),
                assessed_at=COLLECTED + timedelta(days=rng.randint(-2, 3), minutes=rng.randint(0, 480)),
                assessor_role=Assessment.AssessorRole.PENGAWAS,
                assessor_organisation=panwas.get(t.district.code) if t.district_id else None,
                note="data demo",
                uuid=key,
            )
        )
    if not items:
        return 0
    assessments_record_many(
        actor=None,
        items=items,
        source=Assessment.Source.DEMO,
        now=now,
        catalogue=catalogue_get(),
        audit_label="risk-demo",
    )
    return len(items)


def demo_hot_villages() -> list[str]:
    """The villages the demo treats as campaign/neutrality hot spots (for the README and tests)."""
    codes = Region.objects.filter(Q(code__startswith=REGENCY + "."), level="village").values_list("code", flat=True)
    return sorted(c for c in codes if _rng("hot", c).random() < HOT_VILLAGE_SHARE and c not in HAZARD_VILLAGES)
