"""Who may do what with TPS risk, and fetching one TPS's risk for a viewer.

Capabilities are asked of ``accounts.policy.user_can`` (declared in ``accounts/rules/policy.json``),
by capability, never by role name in code.
"""

from __future__ import annotations

from typing import Any

from linsek.accounts.policy import user_can
from linsek.core.errors import Forbidden
from linsek.regions.access import access_tps
from linsek.regions.models import PollingStation


def risk_can(user: Any, capability: str) -> bool:
    """The capability from ``accounts/rules/policy.json`` (the one policy in force)."""
    return user_can(user, capability)


def risk_require(user: Any, capability: str) -> None:
    """Raise Forbidden unless the user holds the capability."""
    if not risk_can(user, capability):
        raise Forbidden(f"tidak berwenang: {capability}")


def access_tps_risk(*, viewer: Any, code: str) -> PollingStation:
    """One TPS for a viewer who may see risk (NotFound if missing or hidden, Forbidden without risk.view)."""
    tps = access_tps(viewer=viewer, code=code)
    risk_require(viewer, "risk.view")
    return tps
