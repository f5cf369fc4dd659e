"""Writes for users, roles and tokens."""

from __future__ import annotations

from django.db import transaction

from linsek.accounts.models import Role
from linsek.accounts.policy import policy


@transaction.atomic
def roles_sync() -> int:
    """Upsert the Role rows from the policy file."""
    defs = policy().roles
    for r in defs:
        Role.objects.update_or_create(
            code=r.code, defaults={"name_id": r.name_id, "name_en": r.name_en, "rank": r.rank}
        )
    return len(defs)
