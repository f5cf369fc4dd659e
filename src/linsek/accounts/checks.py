"""System check: refuse to start on a broken policy file."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register


@register()
def policy_file_is_valid(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from linsek.accounts.policy import POLICY_FILE, policy, policy_parse, rules_json_loads

    try:
        policy_parse(rules_json_loads(POLICY_FILE.read_text(encoding="utf-8"), source=POLICY_FILE.name))
    except (ValueError, KeyError, TypeError) as exc:
        policy.cache_clear()
        return [
            Error(f"{POLICY_FILE} is invalid: {exc}", hint="Fix the policy file; see its 'about'.", id="linsek.E001")
        ]
    return []
