"""System check: refuse to start on a broken calendar, task catalogue or responsibilities matrix seed."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register


@register()
def coord_rules_are_valid(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from linsek.coord.rules import RULES_DIR, RuleError, rules_load_all

    try:
        rules_load_all()
    except RuleError as exc:
        return [
            Error(
                f"coordination rules in {RULES_DIR} are invalid: {exc}",
                hint="Fix the file and entry named in the message; each file's 'about' explains its shape.",
                id="linsek.E070",
            )
        ]
    return []
