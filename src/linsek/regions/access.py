"""Fetch one region or TPS for a viewer, or NotFound (missing and hidden look the same)."""

from __future__ import annotations

from typing import Any

from linsek.core.codes import normalise
from linsek.core.errors import NotFound
from linsek.regions.models import PollingStation, Region
from linsek.regions.selectors import regions_visible_to, tps_visible_to


def access_region(*, viewer: Any, code: str) -> Region:
    region = regions_visible_to(viewer).filter(code=normalise(code)).first()
    if region is None:
        raise NotFound(f"wilayah '{code}' tidak ditemukan")
    return region


def access_tps(*, viewer: Any, code: str) -> PollingStation:
    tps = tps_visible_to(viewer).select_related("village", "district").filter(code=normalise(code)).first()
    if tps is None:
        raise NotFound(f"TPS '{code}' tidak ditemukan")
    return tps
