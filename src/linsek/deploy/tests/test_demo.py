"""The demo: Jepara TPS get categories with explanations, and an approved plan covers them with named teams."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from django.utils import timezone

from linsek.demo.jepara import demo_load
from linsek.deploy.demo import deploy_demo_plan
from linsek.deploy.models import Plan, PostStation
from linsek.regions.models import PollingStation
from linsek.risk.demo import HAZARD_VILLAGES, risk_demo_load
from linsek.risk.models import Assessment, TpsRisk

pytestmark = pytest.mark.slow


def test_demo_categories_and_plan(db: Any) -> None:
    now = timezone.now()
    demo_load(districts=["33.20.04", "33.20.06", "33.20.10"], now=now)
    created = risk_demo_load(now=now)
    assert created == PollingStation.objects.count() > 500
    assert risk_demo_load(now=now) == 0  # loading twice changes nothing
    counts = Counter(TpsRisk.objects.values_list("category", flat=True))
    total = sum(counts.values())
    assert 0.70 < counts["kurang_rawan"] / total < 0.95
    assert counts["rawan"] > 0 and counts["sangat_rawan"] + counts["khusus"] > 0
    special = TpsRisk.objects.filter(tps__special="lapas")
    assert special.exists() and set(special.values_list("category", flat=True)) == {"khusus"}
    hazard = TpsRisk.objects.filter(tps__village__code__in=list(HAZARD_VILLAGES))
    assert hazard.exists() and not hazard.filter(category="kurang_rawan").exists()
    assert all(a.explanation["contributions"] for a in Assessment.objects.filter(category="rawan")[:20])
    plan = deploy_demo_plan(now=now)
    assert plan is not None and plan.status == Plan.Status.APPROVED
    assert PostStation.objects.filter(plan=plan).count() == PollingStation.objects.exclude(lat=None).count()
    assert plan.summary["police_assigned"] > 0 and plan.summary["lower_bound"] <= plan.summary["police_needed"]
    assert deploy_demo_plan(now=now) == plan
