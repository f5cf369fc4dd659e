"""Exporting regions and TPS as CSV, XLSX or GeoJSON, streamed (the national TPS list is 820,161 rows).

The CSV and XLSX columns are the import layouts, so an exported file re-imports with every row unchanged.
CSV is written with a BOM so that Excel opens it as UTF-8. ``actor=None`` is the command line (trusted);
a user must hold ``registry.import`` (the capability for bulk import and export of the registry).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from linsek.accounts.policy import user_can
from linsek.core.codes import normalise
from linsek.core.errors import Forbidden, NotFound, ValidationFailed
from linsek.regions.models import PollingStation, Region

FORMATS = ("csv", "xlsx", "geojson")
REGION_HEADER = ("code", "name", "kind", "lat", "lon", "is_island", "time_zone")
TPS_HEADER = (
    "village_code", "number", "address", "voters_male", "voters_female", "voters_total", "lat", "lon",
    "island", "boat_only", "remote", "special", "access_notes",
)  # fmt: skip
CHUNK = 5_000


def export_allowed(actor: Any) -> None:
    """Raise :class:`Forbidden` unless the actor may bulk-export the registry (``None`` is the CLI)."""
    if actor is not None and not user_can(actor, "registry.import"):
        raise Forbidden(_("Anda tidak berwenang mengekspor data registri."))


def region_for_filter(code: str | None) -> Region | None:
    """The region a ``--region`` filter names, or None for everything; unknown codes are NotFound."""
    if not code:
        return None
    region = Region.objects.filter(code=normalise(code)).defer("boundary").first()
    if region is None:
        raise NotFound(_("Wilayah %(code)s tidak ditemukan.") % {"code": code})
    return region


def regions_export(*, out: IO[bytes], fmt: str = "csv", region: str | None = None, actor: Any = None) -> int:
    """Write regions (the given one and everything below it, or all) to ``out``; returns the row count."""
    export_allowed(actor)
    scope = region_for_filter(region)
    qs = Region.objects.order_by("code")
    if scope is not None:
        qs = qs.filter(Q(code=scope.code) | Q(code__startswith=scope.code + "."))
    if fmt == "geojson":
        return _geojson(out, _region_features(qs))
    rows = (
        (code, name, kind, lat, lon, int(is_island), tz)
        for code, name, kind, lat, lon, is_island, tz in _stream(qs.values_list(*REGION_HEADER))
    )
    return table_write(out, fmt, REGION_HEADER, rows, sheet="regions")


def tps_export(*, out: IO[bytes], fmt: str = "csv", region: str | None = None, actor: Any = None) -> int:
    """Write TPS (within a region of any level, or all) to ``out``; returns the row count."""
    export_allowed(actor)
    scope = region_for_filter(region)
    qs = PollingStation.objects.order_by("code")
    if scope is not None:
        qs = qs.filter(**{f"{scope.level}_id": scope.id})
    fields = ("code", "village__code", "number", "address", "voters_male", "voters_female", "voters_total", "lat",
              "lon", "island", "boat_only", "remote", "special", "access_notes")  # fmt: skip
    if fmt == "geojson":
        return _geojson(out, _tps_features(qs.values_list(*fields)))
    rows = (
        (vcode, number, address, m, f, t, lat, lon, island, int(boat), int(remote), special, notes)
        for _code, vcode, number, address, m, f, t, lat, lon, island, boat, remote, special, notes in _stream(
            qs.values_list(*fields)
        )
    )
    return table_write(out, fmt, TPS_HEADER, rows, sheet="tps")


def table_write(out: IO[bytes], fmt: str, header: Sequence[str], rows: Iterable[Sequence[Any]], *, sheet: str) -> int:
    """Write a header and rows as CSV (UTF-8 with BOM) or XLSX (openpyxl write-only: constant memory)."""
    if fmt == "csv":
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
        writer = csv.writer(text)
        writer.writerow(header)
        count = 0
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])
            count += 1
        text.flush()
        text.detach()
        return count
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        worksheet = workbook.create_sheet(sheet)
        worksheet.append(list(header))
        count = 0
        for row in rows:
            worksheet.append(list(row))
            count += 1
        workbook.save(out)
        return count
    raise ValidationFailed(
        _("Format %(fmt)s tidak didukung untuk data ini; pilih csv atau xlsx.") % {"fmt": fmt},
    )


def _stream(qs: QuerySet[Any, Any]) -> Iterator[Any]:
    return qs.iterator(chunk_size=CHUNK)


def _geojson(out: IO[bytes], features: Iterable[dict[str, Any]]) -> int:
    out.write(b'{"type":"FeatureCollection","features":[\n')
    count = 0
    for feature in features:
        if count:
            out.write(b",\n")
        out.write(json.dumps(feature, ensure_ascii=False, separators=(",", ":")).encode())
        count += 1
    out.write(b"\n]}\n")
    return count


def _point(lat: float | None, lon: float | None) -> dict[str, Any] | None:
    return {"type": "Point", "coordinates": [lon, lat]} if lat is not None and lon is not None else None


def _region_features(qs: QuerySet[Region]) -> Iterator[dict[str, Any]]:
    fields = ("code", "name", "level", "kind", "lat", "lon", "boundary", "tps_count", "voters_male",
              "voters_female", "voters_total")  # fmt: skip
    for code, name, level, kind, lat, lon, boundary, tps, m, f, t in _stream(qs.values_list(*fields)):
        geometry = json.loads(boundary) if boundary else _point(lat, lon)
        props = {"code": code, "name": name, "level": level, "kind": kind, "lat": lat, "lon": lon, "tps_count": tps,
                 "voters_male": m, "voters_female": f, "voters_total": t}  # fmt: skip
        yield {"type": "Feature", "geometry": geometry, "properties": props}


def _tps_features(rows: QuerySet[Any, Any]) -> Iterator[dict[str, Any]]:
    for code, vcode, number, address, m, f, t, lat, lon, island, boat, remote, special, notes in _stream(rows):
        props = {"code": code, "village_code": vcode, "number": number, "address": address, "voters_male": m,
                 "voters_female": f, "voters_total": t, "island": island, "boat_only": boat, "remote": remote,
                 "special": special, "access_notes": notes}  # fmt: skip
        yield {"type": "Feature", "geometry": _point(lat, lon), "properties": props}
