"""``/api/v1/regions`` and ``/api/v1/tps``: the public registry of areas and polling stations.

Thin: parse and validate the input, call the selectors/access functions, shape the output. Codes are
accepted dotted (``33.20.04``) or undotted (``332004``, as spreadsheets write them).
"""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema

from linsek.api.auth import require, viewer_of
from linsek.api.errors import error_responses
from linsek.api.fields import BBoxText, CodeText, SearchText, bbox_parse
from linsek.api.pagination import Page, PageParams, page_build
from linsek.core.codes import CodeError, Level, level_of, normalise, split_tps_code
from linsek.core.errors import FieldProblem, NotFound, ValidationFailed
from linsek.regions.access import access_region, access_tps
from linsek.regions.models import PollingStation, Region
from linsek.regions.selectors import regions_visible_to, tps_visible_to

router = Router()

# The levels a region filter of /tps accepts, most specific first.
TPS_REGION_FILTERS: tuple[tuple[str, Level], ...] = (
    ("village", Level.VILLAGE),
    ("district", Level.DISTRICT),
    ("regency", Level.REGENCY),
)


def code_parent(code: str) -> str | None:
    """The code one level up (codes nest), without a query: ``33.20.04`` → ``33.20``."""
    return code.rsplit(".", 1)[0] if "." in code else None


# --- schemas ------------------------------------------------------------------------------------------------


class RegionOut(Schema):
    code: str = Field(examples=["33.20.04"])
    name: str
    level: Level
    kind: str = Field(description="provinsi, kabupaten, kota, kecamatan, desa or kelurahan")
    parent: str | None = Field(None, description="code of the parent region; null for a province")
    lat: float | None = None
    lon: float | None = None
    is_island: bool
    tps_count: int
    voters_male: int
    voters_female: int
    voters_total: int

    @staticmethod
    def resolve_parent(obj: Region) -> str | None:
        return code_parent(obj.code)


class RegionDetailOut(RegionOut):
    boundary: dict[str, Any] | None = Field(None, description="GeoJSON geometry, only with ?boundary=1")

    @staticmethod
    def resolve_boundary(obj: Region) -> dict[str, Any] | None:
        # Set by the route only when asked for: reading ``obj.boundary`` would load the deferred column.
        value: dict[str, Any] | None = getattr(obj, "boundary_geojson", None)
        return value


class RegionPage(Page):
    items: list[RegionOut]


class TpsOut(Schema):
    code: str = Field(examples=["33.20.04.2001.001"])
    number: int
    village: str = Field(description="village code")
    district: str = Field(description="district (kecamatan) code")
    regency: str = Field(description="regency code")
    address: str
    lat: float | None = None
    lon: float | None = None
    voters_male: int
    voters_female: int
    voters_total: int
    island: str = Field(description="island name; empty on the mainland")
    boat_only: bool
    remote: bool
    special: str = Field(description="special TPS kind (lapas, rumah_sakit, pesantren, relokasi, lainnya) or empty")
    access_notes: str

    # The ancestors are read off the TPS code (village code + 3 digits): no join per row.
    @staticmethod
    def resolve_village(obj: PollingStation) -> str:
        return obj.code.rsplit(".", 1)[0]

    @staticmethod
    def resolve_district(obj: PollingStation) -> str:
        return obj.code[:8]

    @staticmethod
    def resolve_regency(obj: PollingStation) -> str:
        return obj.code[:5]


class TpsDetailOut(TpsOut):
    village_name: str
    district_name: str

    @staticmethod
    def resolve_village_name(obj: PollingStation) -> str:
        return obj.village.name

    @staticmethod
    def resolve_district_name(obj: PollingStation) -> str:
        return obj.district.name


class TpsPage(Page):
    items: list[TpsOut]


class RegionFilters(Schema):
    level: Level | None = Field(None, description="only regions of this level")
    parent: CodeText | None = Field(None, description="only the children of this region (code)")
    q: SearchText | None = Field(None, description="name contains, or code starts with")


class RegionDetailParams(Schema):
    boundary: bool = Field(False, description="include the boundary polygon (GeoJSON), when loaded")


class TpsFilters(Schema):
    regency: CodeText | None = Field(None, description="regency code, e.g. 33.20")
    district: CodeText | None = Field(None, description="district code, e.g. 33.20.04")
    village: CodeText | None = Field(None, description="village code, e.g. 33.20.04.2001")
    bbox: BBoxText | None = None


# --- input resolution ---------------------------------------------------------------------------------------


def level_name(level: Level) -> str:
    """The level as Indonesians name it, for messages."""
    names = {
        Level.PROVINCE: gettext("provinsi"),
        Level.REGENCY: gettext("kabupaten/kota"),
        Level.DISTRICT: gettext("kecamatan"),
        Level.VILLAGE: gettext("desa/kelurahan"),
    }
    return names[level]


def region_from_path(viewer: Any, code: str) -> Region:
    """The region a path names, or NotFound (malformed, missing and hidden look the same)."""
    clean = normalise(code)
    try:
        level_of(clean)
    except CodeError:
        raise NotFound(gettext("wilayah '%(code)s' tidak ditemukan") % {"code": code[:40]}) from None
    return access_region(viewer=viewer, code=clean)


def region_from_filter(viewer: Any, raw: str, *, field: str, level: Level | None = None) -> Region:
    """The region a query filter names; a 422 naming the field when the code is malformed or unknown."""
    code = normalise(raw)

    def problem(message: str) -> ValidationFailed:
        return ValidationFailed(message, [FieldProblem(f"query.{field}", message, value=raw)])

    try:
        actual = level_of(code)
    except CodeError:
        raise problem(gettext("'%(code)s' bukan kode wilayah Kemendagri") % {"code": raw}) from None
    if level is not None and actual != level:
        raise problem(
            gettext("'%(code)s' adalah kode %(actual)s, bukan %(level)s")
            % {"code": code, "actual": level_name(actual), "level": level_name(level)}
        )
    try:
        return access_region(viewer=viewer, code=code)
    except NotFound:
        raise problem(gettext("wilayah '%(code)s' tidak ditemukan") % {"code": code}) from None


def region_boundary(region: Region) -> dict[str, Any] | None:
    """The stored GeoJSON geometry (a Feature's geometry is taken out), or None when absent or unreadable."""
    if not region.boundary:
        return None
    try:
        data = json.loads(region.boundary)
    except ValueError:
        return None
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    return data if isinstance(data, dict) else None


def tps_filtered(viewer: Any, filters: TpsFilters) -> QuerySet[PollingStation]:
    """TPS for the filters: the most specific region filter goes to the selector; the others must contain it."""
    chosen: list[Region] = []
    for field, level in TPS_REGION_FILTERS:
        raw = getattr(filters, field)
        if raw is not None:
            chosen.append(region_from_filter(viewer, raw, field=field, level=level))
    bbox = bbox_parse(filters.bbox) if filters.bbox is not None else None
    region = chosen[0] if chosen else None
    qs = tps_visible_to(viewer, region=region, bbox=bbox)
    if region is not None and any(not region.code.startswith(other.code + ".") for other in chosen[1:]):
        return qs.none()  # e.g. a village of another district: nothing matches both
    return qs


# --- routes -------------------------------------------------------------------------------------------------

ERRORS = error_responses(401, 403, 422)


@router.get(
    "/regions",
    response={200: RegionPage, **ERRORS},
    operation_id="regions_list",
    summary="List regions",
    tags=["regions"],
)
def regions_list(request: HttpRequest, filters: Query[RegionFilters], page: Query[PageParams]) -> dict[str, Any]:
    """Provinces, regencies, districts and villages with their roll-ups (TPS and voters), in code order."""
    viewer = viewer_of(request)
    require(viewer, "regions.view")
    parent = region_from_filter(viewer, filters.parent, field="parent") if filters.parent is not None else None
    qs = regions_visible_to(viewer, level=filters.level.value if filters.level else None, parent=parent)
    if filters.q:
        code = normalise(filters.q)
        text_match = Q(name__icontains=filters.q)
        qs = (
            qs.filter(text_match | Q(code__startswith=code))
            if code.replace(".", "").isdigit()
            else qs.filter(text_match)
        )
    return page_build(request, qs, page)


@router.get(
    "/regions/{code}",
    response={200: RegionDetailOut, **error_responses(401, 403, 404, 422)},
    operation_id="region_get",
    summary="One region with its roll-ups",
    tags=["regions"],
)
def region_get(request: HttpRequest, code: str, params: Query[RegionDetailParams]) -> Region:
    """A region by code: TPS count, voters (male/female/total), centroid, kind, parent; boundary on request."""
    region = region_from_path(viewer_of(request), code)
    if params.boundary:
        region.boundary_geojson = region_boundary(region)  # type: ignore[attr-defined]
    return region


@router.get(
    "/regions/{code}/children",
    response={200: RegionPage, **error_responses(401, 403, 404, 422)},
    operation_id="region_children",
    summary="The regions one level below a region",
    tags=["regions"],
)
def region_children(request: HttpRequest, code: str, page: Query[PageParams]) -> dict[str, Any]:
    """Districts of a regency, villages of a district, …; a village has none (its TPS are under /tps)."""
    viewer = viewer_of(request)
    region = region_from_path(viewer, code)
    return page_build(request, regions_visible_to(viewer, parent=region), page)


@router.get(
    "/tps",
    response={200: TpsPage, **ERRORS},
    operation_id="tps_list",
    summary="List polling stations (TPS)",
    tags=["tps"],
)
def tps_list(request: HttpRequest, filters: Query[TpsFilters], page: Query[PageParams]) -> dict[str, Any]:
    """TPS in code order, filtered by regency, district, village and/or a bounding box (all combine)."""
    viewer = viewer_of(request)
    require(viewer, "regions.view")
    return page_build(request, tps_filtered(viewer, filters), page)


@router.get(
    "/tps/{code}",
    response={200: TpsDetailOut, **error_responses(401, 403, 404, 422)},
    operation_id="tps_get",
    summary="One polling station (TPS)",
    tags=["tps"],
)
def tps_get(request: HttpRequest, code: str) -> PollingStation:
    """A TPS by code (``33.20.04.2001.001`` or ``3320042001001``): place, voters, access notes."""
    try:
        village, number = split_tps_code(code)
    except CodeError:
        raise NotFound(gettext("TPS '%(code)s' tidak ditemukan") % {"code": code[:40]}) from None
    return access_tps(viewer=viewer_of(request), code=f"{village}.{number:03d}")
