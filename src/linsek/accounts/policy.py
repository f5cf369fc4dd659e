"""The access policy: role → capabilities, loaded from ``rules/policy.json`` (versioned data).

Code asks ``user_can(user, "people.phone.all")``; it never tests role names itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

POLICY_FILE = Path(__file__).parent / "rules" / "policy.json"


class PolicyError(ValueError):
    """The policy file is inconsistent (a grant names an unknown role or capability)."""


def rules_json_loads(text: str, *, source: str) -> Any:
    """Parse a rules file (``policy.json``, ``routes.json``), refusing a key written twice in one object.

    ``json.loads`` silently keeps the last of two equal keys, so a second, different rule for the same route
    or role would quietly replace the first one in review; here it is an error naming the key.
    """

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: dict[str, Any] = {}
        for key, value in pairs:
            if key in seen:
                raise PolicyError(f"{source}: key '{key}' appears twice in the same object; keep only one")
            seen[key] = value
        return seen

    return json.loads(text, object_pairs_hook=unique)


@dataclass(frozen=True, slots=True)
class RoleDef:
    code: str
    name_id: str
    name_en: str
    rank: int


@dataclass(frozen=True, slots=True)
class Policy:
    version: str
    roles: tuple[RoleDef, ...]
    capabilities: frozenset[str]
    grants: dict[str, frozenset[str]]
    two_factor_roles: frozenset[str] = frozenset()

    def allowed(self, role_codes: frozenset[str], capability: str) -> bool:
        if capability not in self.capabilities:
            raise PolicyError(f"unknown capability '{capability}': declare it in {POLICY_FILE.name}")
        return any(capability in self.grants.get(code, frozenset()) for code in role_codes)


def policy_parse(raw: dict[str, Any]) -> Policy:
    """Validate the raw policy document and freeze it."""
    roles = tuple(RoleDef(r["code"], r["name_id"], r["name_en"], int(r["rank"])) for r in raw["roles"])
    codes = {r.code for r in roles}
    capabilities = frozenset(raw["capabilities"])
    grants: dict[str, frozenset[str]] = {}
    for role, caps in raw["grants"].items():
        if role not in codes:
            raise PolicyError(f"grant for unknown role '{role}'")
        unknown = set(caps) - capabilities
        if unknown:
            raise PolicyError(f"role '{role}' is granted unknown capabilities: {sorted(unknown)}")
        grants[role] = frozenset(caps)
    missing = codes - grants.keys()
    if missing:
        raise PolicyError(f"roles without a grant line: {sorted(missing)}")
    two_factor = frozenset(raw.get("two_factor_roles", []))
    if two_factor - codes:
        raise PolicyError(f"two_factor_roles names unknown roles: {sorted(two_factor - codes)}")
    return Policy(
        version=str(raw["version"]),
        roles=roles,
        capabilities=capabilities,
        grants=grants,
        two_factor_roles=two_factor,
    )


@lru_cache(maxsize=1)
def policy() -> Policy:
    """The policy in force (read once per process)."""
    return policy_parse(rules_json_loads(POLICY_FILE.read_text(encoding="utf-8"), source=POLICY_FILE.name))


def user_can(user: Any, capability: str) -> bool:
    """Whether an authenticated user holds a capability through any of their roles."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if getattr(user, "is_superuser", False):
        return True
    return policy().allowed(user.role_codes(), capability)
