"""System check: refuse to start on a broken incident rule file (taxonomy, routing, escalation, status, intake)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Warning, register


@register()
def incident_rules_are_valid(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from linsek.agencies.rules import organisation_types_raw
    from linsek.incidents.rules import FILES, PARSERS, RuleError, file_document, routing_parse

    errors: list[CheckMessage] = []
    for kind in FILES:
        try:
            if kind == "routing":
                kinds = frozenset(PARSERS["taxonomy"](file_document("taxonomy")).kinds)
                types = frozenset(t["code"] for t in organisation_types_raw())
                routing_parse(file_document(kind), kinds=kinds, types=types)
            else:
                PARSERS[kind](file_document(kind))
        except (RuleError, OSError, ValueError) as exc:
            errors.append(Error(f"incidents/rules/{FILES[kind]}: {exc}", id="linsek.E040"))
    if getattr(settings, "LINSEK_BENCH_AUDIT_OFF", False):
        errors.append(
            Warning("LINSEK_BENCH_AUDIT_OFF is set: new reports are NOT audited (benchmarks only)", id="linsek.W041")
        )
    return errors
