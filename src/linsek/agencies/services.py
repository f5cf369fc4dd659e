"""Writes to the agency registry."""

from __future__ import annotations

from django.db import transaction

from linsek.agencies.models import DutyRole, OrganisationType
from linsek.agencies.rules import duty_roles_raw, organisation_types_raw


@transaction.atomic
def taxonomies_sync() -> tuple[int, int]:
    """Upsert organisation types and duty roles from their data files; returns the counts."""
    types = organisation_types_raw()
    for t in types:
        OrganisationType.objects.update_or_create(code=t["code"], defaults={k: v for k, v in t.items() if k != "code"})
    roles = duty_roles_raw()
    for r in roles:
        DutyRole.objects.update_or_create(code=r["code"], defaults={k: v for k, v in r.items() if k != "code"})
    return len(types), len(roles)
