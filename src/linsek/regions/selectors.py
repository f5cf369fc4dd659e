"""Reads of regions and TPS, always for a viewer.

Regions and TPS are public registry data (KPU publishes its TPS list), so every role with
``regions.view`` sees all of them; the viewer is still passed so that the rule lives here.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, QuerySet, When

from linsek.accounts.policy import user_can
from linsek.core.codes import LEVEL_ORDER, normalise
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


# --- Map layers, breadcrumbs and search (added for the web UI) ---------------------------------------------
# The map reads plain tuples (``values_list``), never model instances: 3,490 TPS of a regency must be served
# in a few milliseconds, and the national view reads the roll-up columns of 514 regencies or 7,277 districts
# instead of 820,161 TPS rows.

TpsLayerRow = tuple[str, float | None, float | None, int]
AreaLayerRow = tuple[str, str, float | None, float | None, int, int, int, int]


def regions_within(viewer: Any, *, level: str, ancestor: Region | None = None) -> QuerySet[Region]:
    """Regions of one level under an ancestor of any level (codes nest: a prefix query), or the whole country."""
    qs = regions_visible_to(viewer, level=level)
    if ancestor is not None:
        qs = qs.filter(code__startswith=ancestor.code + ".")
    return qs


def tps_layer_rows(viewer: Any, *, region: Region) -> list[TpsLayerRow]:
    """(code, lat, lon, voters_total) of every TPS in a region, in code order, as plain tuples."""
    rows: list[TpsLayerRow] = list(
        tps_visible_to(viewer, region=region).values_list("code", "lat", "lon", "voters_total")
    )
    return rows


def area_layer_rows(viewer: Any, *, level: str, ancestor: Region | None = None) -> list[AreaLayerRow]:
    """(code, name, lat, lon, tps_count, voters_male, voters_female, voters_total) per region of a level.

    Reads the roll-up columns only (kept by ``rollups_refresh``), so its cost follows the number of
    regions, never the number of TPS.
    """
    rows: list[AreaLayerRow] = list(
        regions_within(viewer, level=level, ancestor=ancestor).values_list(
            "code", "name", "lat", "lon", "tps_count", "voters_male", "voters_female", "voters_total"
        )
    )
    return rows


def boundary_rows(viewer: Any, *, parent: Region | None = None, level: str | None = None) -> list[tuple[str, str, str]]:
    """(code, name, boundary GeoJSON text) of the children of a region (or of one level), where a boundary is loaded."""
    if not user_can(viewer, "regions.view"):
        return []
    qs = Region.objects.exclude(boundary="")
    if parent is not None:
        qs = qs.filter(parent=parent)
    if level:
        qs = qs.filter(level=level)
    rows: list[tuple[str, str, str]] = list(qs.order_by("code").values_list("code", "name", "boundary"))
    return rows


def region_ancestors(viewer: Any, *, region: Region) -> list[Region]:
    """The region's ancestors from the province down (for breadcrumbs), in one query."""
    codes: list[str] = []
    code = region.code
    while "." in code:
        code = code.rsplit(".", 1)[0]
        codes.append(code)
    if not codes:
        return []
    return list(regions_visible_to(viewer).filter(code__in=codes).only("code", "name", "level", "kind"))


def region_level_counts(viewer: Any, *, region: Region | None = None) -> dict[str, int]:
    """How many regions of each level lie under a region (or in the whole registry), in one grouped query."""
    qs = regions_visible_to(viewer)
    if region is not None:
        qs = qs.filter(code__startswith=region.code + ".")
    grouped = qs.order_by().values_list("level").annotate(n=Count("id")).values_list("level", "n")
    return dict(grouped)


def region_children_with_counts(viewer: Any, *, parent: Region | None) -> QuerySet[Region]:
    """Children of a region (or the provinces) with their roll-ups and the number of their own children."""
    qs = regions_visible_to(viewer, level=None if parent is not None else "province", parent=parent)
    return qs.annotate(children_count=Count("children"))


def registry_search(viewer: Any, *, query: str, limit: int = 10) -> tuple[list[Region], list[PollingStation]]:
    """Regions and TPS whose code starts with the query (dotted or not) or whose name contains it.

    A query that names a village and a number ("Pelemkerep 3") finds that TPS too.
    """
    text = " ".join(query.split())[:80]
    if len(text) < 2:
        return [], []
    code = normalise(text)
    regions_qs = regions_visible_to(viewer)
    tps_qs = tps_visible_to(viewer).select_related("village").defer("village__boundary")
    if all(ch.isdigit() or ch == "." for ch in code):
        return (
            list(regions_qs.filter(code__startswith=code).order_by("code")[:limit]),
            list(tps_qs.filter(code__startswith=code)[:limit]),
        )
    level_rank = Case(*(When(level=lv.value, then=i) for i, lv in enumerate(LEVEL_ORDER)), default=9)
    regions = list(regions_qs.filter(name__icontains=text).order_by(level_rank, "code")[:limit])
    name, _, number = text.rpartition(" ")
    if not (name and number.isdigit()):
        return regions, []
    return regions, list(tps_qs.filter(village__name__icontains=name, number=int(number))[:limit])
