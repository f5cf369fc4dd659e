"""System check: refuse to start on broken organisation-type or duty-role data files."""

from __future__ import annotations

from typing import Any

from django.core.checks import CheckMessage, Error, register

from linsek.core.codes import Level


@register()
def agency_taxonomies_are_valid(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    from linsek.agencies.models import OrganisationType
    from linsek.agencies.rules import RULES_DIR, duty_roles_raw, organisation_types_raw

    errors: list[CheckMessage] = []
    sectors = set(OrganisationType.Sector.values)
    levels = {lv.value for lv in Level}
    try:
        types = organisation_types_raw()
        roles = duty_roles_raw()
    except (ValueError, KeyError, OSError) as exc:
        return [Error(f"agency rule files in {RULES_DIR} cannot be read: {exc}", id="linsek.E010")]
    codes = [t["code"] for t in types]
    if len(codes) != len(set(codes)):
        errors.append(Error("organisation_types.json has duplicate codes", id="linsek.E011"))
    for t in types:
        if t["sector"] not in sectors or t["level"] not in levels:
            errors.append(Error(f"organisation type '{t['code']}': unknown sector or level", id="linsek.E012"))
        for parent in t.get("parent_types", []):
            if parent not in codes:
                errors.append(
                    Error(f"organisation type '{t['code']}': unknown parent type '{parent}'", id="linsek.E013")
                )
    for r in roles:
        if r["sector"] not in sectors:
            errors.append(Error(f"duty role '{r['code']}': unknown sector '{r['sector']}'", id="linsek.E014"))
    return errors
