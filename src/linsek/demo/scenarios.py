"""The domain scenarios layered on the Jepara registry: risk, plan, cases, coordination.

Each domain owns its demo function; this module only calls them in dependency order with
the moment each scenario is set in (cases are set in the 2024 election window, when their
statutory deadlines are meaningful).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

# 26 Feb 2024, 10:00 WIB: during the recap at regency level, with cases open at several stages.
CASES_SCENARIO_NOW = datetime(2024, 2, 26, 10, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
GAKKUMDU_DEMO_LOGINS = [
    ("penyidik", "demo-gakkumdu-jepara-24", "command", "Polres Jepara (Sat Reskrim, penyidik Gakkumdu)"),
    ("jaksa", "demo-gakkumdu-jepara-24", "liaison", "Kejari Jepara (jaksa Gakkumdu)"),
    ("panitera", "demo-gakkumdu-jepara-24", "liaison", "PN Jepara"),
]


def demo_scenarios_load(*, now: datetime | None = None, say: Callable[[str], None] = print) -> None:
    """Load the risk assessments, the approved plan, the cases and the coordination record."""
    from linsek.cases.demo import cases_demo_load
    from linsek.coord.demo import coord_demo_load
    from linsek.deploy.demo import deploy_demo_plan
    from linsek.risk.demo import risk_demo_load

    now = now or timezone.now()
    assessed = risk_demo_load(now=now)
    say(f"  risk: {assessed:,} TPS assessed (Bawaslu 2024 indicators)")
    plan = deploy_demo_plan(now=now)
    say(f"  deployment: plan {getattr(plan, 'pk', '-')} generated and approved")
    cases = cases_demo_load(now=CASES_SCENARIO_NOW)
    say(f"  cases: {len(cases)} Gakkumdu cases (scenario date {CASES_SCENARIO_NOW:%d %b %Y %H:%M} WIB)")
    coord = coord_demo_load(now=now)
    say(f"  coordination: {coord}")
