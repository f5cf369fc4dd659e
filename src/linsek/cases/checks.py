"""System check: refuse to start on a broken case rule set, articles file or holiday file."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register


@register()
def case_rules_are_valid(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from linsek.cases.rules import RULES_DIR, RuleError, rule_sets, rule_sets_load

    try:
        rule_sets_load(RULES_DIR)
    except RuleError as exc:
        rule_sets.cache_clear()
        return [
            Error(
                f"case rules in {RULES_DIR} are invalid: {exc}",
                hint="Fix the rule file named in the message; see the 'about' of each file.",
                id="linsek.E060",
            )
        ]
    return []
