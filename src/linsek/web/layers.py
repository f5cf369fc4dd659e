"""JSON layers of the map (session auth, GET only): TPS points, per-area aggregates, boundaries.

Rows are arrays, not objects (``fields`` names the columns once): Jepara's 3,490 TPS weigh ~150 kB
instead of ~300 kB, and are read with ``values_list`` — no model instances — so that the layer is
served in a few milliseconds.
"""

from __future__ import annotations

from typing import Any

import orjson
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET

from linsek.core.codes import LEVEL_ORDER, Level
from linsek.core.errors import FieldProblem, ValidationFailed
from linsek.regions.access import access_region
from linsek.regions.models import Region
from linsek.regions.selectors import area_layer_rows, boundary_rows, tps_layer_rows
from linsek.web.errors import json_error, json_response, layer
from linsek.web.maps import TPS_POINTS_MAX, child_level, tps_statuses

LEVELS = [lv.value for lv in LEVEL_ORDER]
# Levels that may be listed for the whole country at once (7,277 districts at most; never 83,731 villages).
NATIONAL_AREA_LEVELS = {Level.PROVINCE.value, Level.REGENCY.value, Level.DISTRICT.value}
NATIONAL_BOUNDARY_LEVELS = {Level.PROVINCE.value, Level.REGENCY.value}


def _region_param(request: HttpRequest, name: str, *, required: bool) -> Region | None:
    code = request.GET.get(name, "").strip()
    if not code:
        if required:
            raise ValidationFailed(
                _("Parameter '%(name)s' wajib diisi.") % {"name": name},
                [FieldProblem(name, _("kode wilayah, mis. 33.20"))],
            )
        return None
    return access_region(viewer=request.user, code=code)


def _level_param(request: HttpRequest, *, default: str | None) -> str | None:
    level = request.GET.get("level", "").strip() or default
    if level is not None and level not in LEVELS:
        raise ValidationFailed(
            _("Tingkat '%(level)s' tidak dikenal.") % {"level": level},
            [FieldProblem("level", _("salah satu dari: %(levels)s") % {"levels": ", ".join(LEVELS)}, level)],
        )
    return level


@require_GET
@gzip_page
@layer
def tps_layer(request: HttpRequest) -> HttpResponse:
    """TPS of a region as points: ``{"fields": [code, lat, lon, voters, status], "rows": [...]}``."""
    region = _region_param(request, "region", required=True)
    assert region is not None
    if region.tps_count > TPS_POINTS_MAX:
        below = child_level(region.level)
        return json_error(
            400,
            "too_many_points",
            _(
                "Wilayah %(name)s memiliki %(count)s TPS, terlalu banyak untuk digambar sebagai titik "
                "(batas %(max)s). Gunakan lapisan agregat per wilayah."
            )
            % {"name": region.name, "count": region.tps_count, "max": TPS_POINTS_MAX},
            areas=f"{reverse('web:layer-areas')}?parent={region.code}&level={below}",
        )
    rows: list[list[Any]] = []
    missing = 0
    for code, lat, lon, voters in tps_layer_rows(request.user, region=region):
        if lat is None or lon is None:
            missing += 1
            continue
        rows.append([code, round(lat, 5), round(lon, 5), voters, 0])
    return json_response(
        {
            "region": region.code,
            "fields": ["code", "lat", "lon", "voters", "status"],
            "statuses": tps_statuses(),
            "rows": rows,
            "missing_coordinates": missing,
        }
    )


@require_GET
@gzip_page
@layer
def areas_layer(request: HttpRequest) -> HttpResponse:
    """Per-region aggregates of one level (under ``parent`` or nationally), from the roll-up columns."""
    parent = _region_param(request, "parent", required=False)
    level = _level_param(request, default=child_level(parent.level) if parent else Level.REGENCY.value)
    if level is None:
        raise ValidationFailed(_("Desa tidak memiliki wilayah di bawahnya."), [FieldProblem("parent", "village")])
    if parent is not None and LEVELS.index(level) <= LEVELS.index(parent.level):
        raise ValidationFailed(
            _("Tingkat '%(level)s' harus di bawah tingkat wilayah induk.") % {"level": level},
            [FieldProblem("level", _("harus di bawah %(parent)s") % {"parent": parent.level}, level)],
        )
    if parent is None and level not in NATIONAL_AREA_LEVELS:
        raise ValidationFailed(
            _("Tingkat desa hanya dapat diminta di dalam satu wilayah induk."),
            [FieldProblem("parent", _("wajib untuk tingkat desa"))],
        )
    rows = [
        [code, name, None if lat is None else round(lat, 5), None if lon is None else round(lon, 5), n, m, f, t]
        for code, name, lat, lon, n, m, f, t in area_layer_rows(request.user, level=level, ancestor=parent)
    ]
    return json_response(
        {
            "parent": parent.code if parent else None,
            "level": level,
            "fields": ["code", "name", "lat", "lon", "tps", "voters_male", "voters_female", "voters"],
            "rows": rows,
        }
    )


@require_GET
@gzip_page
@layer
def boundaries_layer(request: HttpRequest) -> HttpResponse:
    """GeoJSON FeatureCollection of the children's boundaries (``parent``) or of one national level."""
    parent = _region_param(request, "parent", required=False)
    level = None
    if parent is None:
        level = _level_param(request, default=Level.PROVINCE.value)
        if level not in NATIONAL_BOUNDARY_LEVELS:
            raise ValidationFailed(
                _("Batas tingkat ini hanya dapat diminta di dalam satu wilayah induk."),
                [FieldProblem("parent", _("wajib untuk tingkat kecamatan dan desa"))],
            )
    features = []
    for code, name, text in boundary_rows(request.user, parent=parent, level=level):
        try:
            geometry = orjson.loads(text)
        except orjson.JSONDecodeError:
            continue  # a broken boundary must not take the whole map down; the import validates them
        if isinstance(geometry, dict) and geometry.get("type") == "Feature":
            geometry = geometry.get("geometry")
        if not isinstance(geometry, dict):
            continue
        features.append({"type": "Feature", "geometry": geometry, "properties": {"code": code, "name": name}})
    return json_response({"type": "FeatureCollection", "features": features})
