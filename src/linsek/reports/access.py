"""Who may read which situation report: ``sitrep.view`` and the report's region within, above or below the
viewer's jurisdiction (the coordination room's area rule). Missing and hidden both answer NotFound."""

from __future__ import annotations

from typing import Any

from linsek.coord.access import coord_can, region_in_area, region_q
from linsek.core.errors import Forbidden, NotFound
from linsek.regions.models import Region
from linsek.reports.models import SituationReport


def access_sitrep(*, viewer: Any, report_id: int) -> SituationReport:
    if not coord_can(viewer, "sitrep.view"):
        raise NotFound("laporan situasi tidak ditemukan")
    report = SituationReport.objects.filter(region_q(viewer), pk=report_id).select_related("region").first()
    if report is None:
        raise NotFound("laporan situasi tidak ditemukan")
    return report


def access_sitrep_region(*, viewer: Any, code: str) -> Region:
    """A region the viewer may have a situation report of."""
    if not coord_can(viewer, "sitrep.view"):
        raise NotFound("wilayah tidak ditemukan")
    region = Region.objects.filter(code=code.strip()).defer("boundary").first()
    if region is None or region.level == "village" or not region_in_area(viewer, region.code):
        raise NotFound("wilayah tidak ditemukan")
    return region


def require_issue(viewer: Any) -> None:
    if not coord_can(viewer, "sitrep.issue"):
        raise Forbidden("Anda tidak berwenang menerbitkan laporan situasi")
