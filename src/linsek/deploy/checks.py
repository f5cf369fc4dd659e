"""System check: the shipped default patterns and pool rules must load against the indicator catalogue."""

from __future__ import annotations

import json
from typing import Any

from django.core.checks import CheckMessage, Error, register

from linsek.deploy.patterns import PatternError, default_patterns_raw, pattern_set_parse
from linsek.deploy.pool import POOL_FILE, PoolRulesError, pool_rules


@register("linsek")
def deploy_rules_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    try:
        from linsek.risk.catalogue import CatalogueError, catalogue_get

        ranks = {c.code: c.rank for c in catalogue_get().categories}
    except (CatalogueError, KeyError, StopIteration):
        return []  # the catalogue check reports it
    try:
        pattern_set_parse(default_patterns_raw(), ranks=ranks)
    except PatternError as exc:
        problems.extend(
            Error(f"deploy/rules/patterns_default.json {f}: {m}", id="linsek.E311") for f, m in exc.problems
        )
    except (OSError, json.JSONDecodeError) as exc:
        problems.append(Error(f"deploy/rules/patterns_default.json unreadable: {exc}", id="linsek.E311"))
    try:
        pool_rules()
    except (PoolRulesError, OSError, json.JSONDecodeError) as exc:
        problems.append(Error(f"{POOL_FILE.name}: {exc}", id="linsek.E312"))
    return problems
