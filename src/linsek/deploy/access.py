"""Who may see and change plans, and fetching one plan for a viewer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from linsek.core.errors import Forbidden, NotFound
from linsek.deploy.models import Plan
from linsek.risk.access import granted

RULES = Path(__file__).parent / "rules" / "capabilities.json"


def deploy_can(user: Any, capability: str) -> bool:
    """``accounts.policy.user_can`` once the lead declares the capability; until then ``rules/capabilities.json``."""
    return granted(user, capability, RULES)


def deploy_require(user: Any, capability: str) -> None:
    if not deploy_can(user, capability):
        raise Forbidden(f"tidak berwenang: {capability}")


def access_plan(*, viewer: Any, plan_id: int) -> Plan:
    """A plan the viewer may see; missing and hidden answer the same NotFound."""
    if not deploy_can(viewer, "deploy.view"):
        raise NotFound(f"rencana #{plan_id} tidak ditemukan")
    plan = Plan.objects.select_related("scope").filter(id=plan_id).first()
    if plan is None:
        raise NotFound(f"rencana #{plan_id} tidak ditemukan")
    return plan
