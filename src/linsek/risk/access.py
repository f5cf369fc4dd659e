"""Who may do what with TPS risk, and fetching one TPS's risk for a viewer.

Capabilities are asked of ``accounts.policy.user_can``. The risk and deploy capabilities are not yet in
``accounts/rules/policy.json`` (lead-owned): until they are, :func:`granted` answers from the app's own
``rules/capabilities.json`` (the lines proposed for the policy file) — by capability, never by role name
in code. Once the policy file declares a capability, it alone decides.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from linsek.accounts.policy import policy, user_can
from linsek.core.errors import Forbidden
from linsek.regions.access import access_tps
from linsek.regions.models import PollingStation

RULES = Path(__file__).parent / "rules" / "capabilities.json"


@lru_cache(maxsize=8)
def _fallback(path: str) -> dict[str, frozenset[str]]:
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    declared = set(raw["capabilities"])
    grants: dict[str, frozenset[str]] = {}
    for role, caps in raw["grants"].items():
        unknown = set(caps) - declared
        if unknown:
            raise ValueError(f"{path}: role '{role}' is granted undeclared capabilities {sorted(unknown)}")
        grants[role] = frozenset(caps)
    return grants


def granted(user: Any, capability: str, rules: Path) -> bool:
    """``user_can`` when the policy declares the capability, else the app's proposed grants."""
    if capability in policy().capabilities:
        return user_can(user, capability)
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "is_superuser", False):
        return True
    grants = _fallback(str(rules))
    if not any(capability in caps for caps in grants.values()):
        raise ValueError(f"unknown capability '{capability}': declare it in {rules.name}")
    return any(capability in grants.get(code, frozenset()) for code in user.role_codes())


def risk_can(user: Any, capability: str) -> bool:
    return granted(user, capability, RULES)


def risk_require(user: Any, capability: str) -> None:
    """Raise Forbidden unless the user holds the capability."""
    if not risk_can(user, capability):
        raise Forbidden(f"tidak berwenang: {capability}")


def access_tps_risk(*, viewer: Any, code: str) -> PollingStation:
    """One TPS for a viewer who may see risk (NotFound if missing or hidden, Forbidden without risk.view)."""
    tps = access_tps(viewer=viewer, code=code)
    risk_require(viewer, "risk.view")
    return tps
