"""System check: the server refuses to start on a broken indicator catalogue."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register

from linsek.risk.catalogue import RULES_DIR, CatalogueError, catalogues_read


@register("linsek")
def risk_catalogues_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    try:
        found = catalogues_read(RULES_DIR)
    except CatalogueError as exc:
        return [
            Error(
                f"indicator catalogue {exc.path}: {problem}",
                hint="fix the file (see risk/catalogue.py)",
                id="linsek.E301",
            )
            for problem in exc.problems
        ]
    if not found:
        return [Error(f"no indicator catalogue in {RULES_DIR}", id="linsek.E302")]
    return []
