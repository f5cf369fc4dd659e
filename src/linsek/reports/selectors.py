"""Reads of situation reports for a viewer."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from linsek.coord.access import coord_can, region_q
from linsek.regions.models import Region
from linsek.reports.models import SituationReport


def sitreps_visible_to(
    viewer: Any, *, region: Region | None = None, issued_only: bool = False
) -> QuerySet[SituationReport]:
    if not coord_can(viewer, "sitrep.view"):
        return SituationReport.objects.none()
    qs = SituationReport.objects.filter(region_q(viewer)).select_related("region").defer("content_json")
    if region is not None:
        qs = qs.filter(region=region)
    if issued_only:
        qs = qs.filter(status=SituationReport.Status.ISSUED)
    return qs.order_by("-date_to", "-generated_at")


def sitrep_regions_for(viewer: Any) -> list[Region]:
    """Regions (province, regency, district) a viewer may pick for a report: their jurisdiction and below."""
    if not coord_can(viewer, "sitrep.view"):
        return []
    qs = Region.objects.filter(level__in=["province", "regency", "district"]).defer("boundary")
    return list(_regions(viewer, qs))


def _regions(viewer: Any, qs: QuerySet[Region]) -> QuerySet[Region]:
    from django.db.models import Q

    from linsek.coord.access import viewer_area_codes

    codes = viewer_area_codes(viewer)
    if codes is None:
        return qs.filter(level__in=["province", "regency"]).order_by("code")[:600]
    q = Q(pk__in=[])
    for code in codes:
        q |= Q(code=code) | Q(code__startswith=code + ".")
    return qs.filter(q).order_by("code")[:600]


def issued_for(region: Region, day: Any) -> SituationReport | None:
    return SituationReport.objects.filter(
        region=region, date_from=day, date_to=day, status=SituationReport.Status.ISSUED
    ).first()
