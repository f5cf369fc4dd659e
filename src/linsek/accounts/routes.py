"""The route × role matrix, loaded from ``rules/routes.json`` (versioned data): who may reach a route at all.

Every Django URL name and every /api/v1 operation maps to a rule — ``public``, ``login``, ``staff``,
``signature`` or capabilities of ``policy.json`` — optionally per HTTP method. :func:`route_verdict` is the one
decision; ``linsek.accounts.route_gate`` applies it before any view runs, and the ASGI lanes outside Django
(the intake lane, the live stream) ask it for their ``asgi:`` entries. Object-level need-to-know stays in the
``access_*`` functions and selectors: the matrix only decides whether the door opens.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from linsek.accounts.policy import POLICY_FILE, Policy, PolicyError, policy, rules_json_loads, user_can

ROUTES_FILE = Path(__file__).parent / "rules" / "routes.json"
KINDS = frozenset({"public", "login", "staff", "signature", "capability"})
METHODS = frozenset({"GET", "POST", "PUT", "PATCH", "DELETE"})
ANSWERS = frozenset({"page", "json"})


class Verdict(enum.Enum):
    ALLOW = "allow"
    LOGIN = "login"  # anonymous: send to the login page (pages) or answer 401 (JSON)
    FORBID = "forbid"  # signed in, but the rule is not met: 403
    METHOD = "method"  # the route has no rule for this method: 405


@dataclass(frozen=True, slots=True)
class Rule:
    """``kind`` is one of :data:`KINDS`; for ``capability`` the caller needs any one of ``capabilities``."""

    kind: str
    capabilities: tuple[str, ...] = ()

    def label(self) -> str:
        return " | ".join(self.capabilities) if self.kind == "capability" else self.kind


@dataclass(frozen=True, slots=True)
class RouteEntry:
    name: str
    rules: dict[str, Rule]  # HTTP method → rule; "*" for every method
    answer: str = "page"
    refuse: str = "forbidden"  # "not_found" (listed in hidden_as_missing): 404 as for a hidden object, not 403

    def rule_for(self, method: str) -> Rule | None:
        method = method.upper()
        if method in ("HEAD", "OPTIONS"):
            method = "GET"
        return self.rules.get(method) or self.rules.get("*")

    def methods(self) -> tuple[str, ...]:
        """The methods the entry names (``("*",)`` when one rule covers all)."""
        return tuple(self.rules)


@dataclass(frozen=True, slots=True)
class RouteMatrix:
    version: str
    routes: dict[str, RouteEntry]
    namespaces: dict[str, RouteEntry]

    def entry(self, name: str) -> RouteEntry | None:
        """The entry of a URL name: its own, else its namespace's (``admin:…`` → ``namespaces.admin``)."""
        found = self.routes.get(name)
        if found is not None:
            return found
        namespace = name.split(":", 1)[0] if ":" in name else ""
        return self.namespaces.get(namespace)


def _rule_parse(raw: Any, where: str, pol: Policy) -> Rule:
    if isinstance(raw, str):
        if raw in KINDS - {"capability"}:
            return Rule(raw)
        raw = [raw]
    if not isinstance(raw, list) or not raw or not all(isinstance(c, str) for c in raw):
        raise PolicyError(f"{where}: a rule is a kind, a capability or a list of capabilities, not {raw!r}")
    unknown = sorted(set(raw) - pol.capabilities)
    if unknown:
        raise PolicyError(f"{where}: unknown capabilities {unknown}: declare them in {POLICY_FILE.name}")
    return Rule("capability", tuple(raw))


def _entry_parse(name: str, raw: Any, pol: Policy) -> RouteEntry:
    answer = "json" if name.startswith("api:") else "page"
    access = raw
    if isinstance(raw, dict):
        access = raw.get("access")
        answer = raw.get("answer", answer)
        if answer not in ANSWERS:
            raise PolicyError(f"{name}: answer must be one of {sorted(ANSWERS)}")
    if isinstance(access, dict):
        if not access or not set(access) <= METHODS | {"*"}:
            raise PolicyError(f"{name}: methods must be among {sorted(METHODS)} or '*'")
        rules = {method: _rule_parse(rule, f"{name} {method}", pol) for method, rule in access.items()}
    else:
        rules = {"*": _rule_parse(access, name, pol)}
    return RouteEntry(name, rules, answer)


def routes_parse(raw: dict[str, Any], pol: Policy) -> RouteMatrix:
    """Validate the raw matrix against the policy (every capability must exist there) and freeze it."""
    routes = {name: _entry_parse(name, value, pol) for name, value in raw["routes"].items()}
    hidden = raw.get("hidden_as_missing", {}).get("routes", [])
    unknown = sorted(set(hidden) - routes.keys())
    if unknown:
        raise PolicyError(f"hidden_as_missing names routes without an entry: {unknown}")
    for name in hidden:
        routes[name] = dataclasses.replace(routes[name], refuse="not_found")
    namespaces = {ns: _entry_parse(f"{ns}:*", value, pol) for ns, value in raw.get("namespaces", {}).items()}
    return RouteMatrix(str(raw["version"]), routes, namespaces)


@lru_cache(maxsize=1)
def route_matrix() -> RouteMatrix:
    """The matrix in force (read once per process)."""
    return routes_parse(rules_json_loads(ROUTES_FILE.read_text(encoding="utf-8"), source=ROUTES_FILE.name), policy())


def rule_verdict(user: Any, rule: Rule) -> Verdict:
    """Whether ``user`` (a User, AnonymousUser or None) passes one rule."""
    if rule.kind in ("public", "signature"):
        return Verdict.ALLOW
    if user is None or not getattr(user, "is_authenticated", False):
        return Verdict.LOGIN
    if rule.kind == "login":
        return Verdict.ALLOW
    if rule.kind == "staff":
        return Verdict.ALLOW if getattr(user, "is_staff", False) else Verdict.FORBID
    return Verdict.ALLOW if any(user_can(user, c) for c in rule.capabilities) else Verdict.FORBID


def route_verdict(user: Any, name: str, method: str) -> tuple[Verdict, Rule | None]:
    """The gate's decision for a URL name and method. A route missing from the matrix is refused (fail closed)."""
    entry = route_matrix().entry(name)
    if entry is None:
        return (Verdict.FORBID if getattr(user, "is_authenticated", False) else Verdict.LOGIN), None
    rule = entry.rule_for(method)
    if rule is None:
        return Verdict.METHOD, None
    return rule_verdict(user, rule), rule


def route_allows(user: Any, name: str, method: str) -> bool:
    """Whether the matrix lets ``user`` through (for the ASGI lanes outside Django: ``asgi:…`` entries)."""
    return route_verdict(user, name, method)[0] is Verdict.ALLOW
