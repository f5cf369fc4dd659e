"""Reads of regions and TPS, always for a viewer.

Regions and TPS are public registry data (KPU publishes its TPS list), so every role with
``regions.view`` sees all of them; the viewer is still passed so that the rule lives here.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from linsek.accounts.policy import user_can
from linsek.core.geo import BBox
from linsek.regions.models import PollingStation, Region


def regions_visible_to(viewer: Any, *, level: str | None = None, parent: Region | None = None) -> QuerySet[Region]:
    """Regions the viewer may see, optionally one level or the children of one region."""
    if not user_can(viewer, "regions.view"):
        return Region.objects.none()
    qs = Region.objects.defer("boundary")
    if level:
        qs = qs.filter(level=level)
    if parent is not None:
        qs = qs.filter(parent=parent)
    return qs.order_by("code")


def tps_visible_to(
    viewer: Any,
    *,
    region: Region | None = None,
    bbox: BBox | None = None,
) -> QuerySet[PollingStation]:
    """TPS the viewer may see, within a region (any level) and/or a lon/lat box."""
    if not user_can(viewer, "regions.view"):
        return PollingStation.objects.none()
    qs = PollingStation.objects.all()
    if region is not None:
        column = {"village": "village", "district": "district", "regency": "regency", "province": "province"}[
            region.level
        ]
        qs = qs.filter(**{column: region})
    if bbox is not None:
        qs = qs.filter(lat__gte=bbox.south, lat__lte=bbox.north, lon__gte=bbox.west, lon__lte=bbox.east)
    return qs.order_by("code")


def region_descendant_ids(region_ids: list[int]) -> set[int]:
    """The given regions and everything below them (codes nest, so a prefix query finds them)."""
    codes = list(Region.objects.filter(id__in=region_ids).values_list("code", flat=True))
    ids = set(region_ids)
    for code in codes:
        ids.update(Region.objects.filter(code__startswith=code + ".").values_list("id", flat=True))
    return ids
