"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from linsek.accounts.policy import user_can


def site(request: HttpRequest) -> dict[str, Any]:
    """Map tiles, debug flag and the navigation's capability flags (evaluated only when a page asks)."""
    user = getattr(request, "user", None)
    return {
        "LINSEK_MAP_TILES": settings.LINSEK_MAP_TILES,
        "DEBUG": settings.DEBUG,
        "can_import": SimpleLazyObject(lambda: user_can(user, "registry.import")),
    }
