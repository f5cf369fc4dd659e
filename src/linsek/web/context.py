"""Template context shared by every page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from linsek.accounts.policy import user_can

# The domain pages in the main navigation: (url name, label, capability that makes the page useful).
DOMAIN_NAV = [
    ("incidents:dashboard", _("Laporan"), "reports.view"),
    ("incidents:form", _("Lapor"), "reports.submit"),
    ("risk:index", _("Kerawanan"), "risk.view"),
    ("deploy:index", _("Pengamanan"), "deploy.view"),
    ("cases:board", _("Perkara"), "cases.counts"),
    ("coord:home", _("Koordinasi"), "coord.view"),
    ("reports:daily", _("Laporan situasi"), "sitrep.view"),
]


def _domain_nav(request: HttpRequest) -> list[dict[str, Any]]:
    items = []
    for name, label, capability in DOMAIN_NAV:
        if user_can(request.user, capability):
            url = reverse(name)
            items.append(
                {
                    "url": url,
                    "label": label,
                    "current": (request.path.startswith(url) and url != "/laporan/") or request.path == url,
                }
            )
    return items


def site(request: HttpRequest) -> dict[str, Any]:
    """Map tiles, debug flag and the navigation's capability flags (evaluated only when a page asks)."""
    user = getattr(request, "user", None)
    return {
        "LINSEK_MAP_TILES": settings.LINSEK_MAP_TILES,
        "DEBUG": settings.DEBUG,
        "can_import": SimpleLazyObject(lambda: user_can(user, "registry.import")),
        "domain_nav": SimpleLazyObject(lambda: _domain_nav(request)),
    }
