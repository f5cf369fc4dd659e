"""Who may see and change plans, and fetching one plan for a viewer."""

from __future__ import annotations

from typing import Any

from linsek.accounts.policy import user_can
from linsek.core.errors import Forbidden, NotFound
from linsek.deploy.models import Plan


def deploy_can(user: Any, capability: str) -> bool:
    """The capability from ``accounts/rules/policy.json`` (the one policy in force)."""
    return user_can(user, capability)


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
