"""Importing the region registry (regions, TPS, boundaries): validate everything, then write all or nothing.

Every import returns an :class:`ImportReport`. Nothing is written when any row has a problem (the report lists
them: file, row, column, value, reason), nor on a dry run. A re-import upserts by code and counts created,
updated and unchanged rows. One ``registry.import`` audit event records each committed import with the file's
name, SHA-256 and counts. The TPS import (national size: 820,161 rows) lives in :mod:`.imports_tps`.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils.translation import gettext as _

from linsek.audit.services import audit_append
from linsek.core.cells import CellError, cell_bool, cell_float, cell_text
from linsek.core.codes import LEVEL_ORDER, CodeError, Level, level_of, normalise, parent_code
from linsek.core.geo import INDONESIA, geojson_bbox
from linsek.core.tabular import (
    Column,
    ImportRejected,
    ImportReport,
    ProblemLog,
    Table,
    code_suggestions,
    header_key,
    table_open,
)
from linsek.regions.bulk import BulkWriter, pg_lock
from linsek.regions.models import Region

__all__ = [
    "ImportReport",
    "Progress",
    "boundaries_import",
    "import_finish",
    "regions_import",
    "tps_import",
]

Progress = Callable[[str, int, int], None]
"""``progress(phase, done, total)``; phases: ``read`` (bytes or rows of the file), ``write``, ``rollups``."""

REGION_TABLE = Region._meta.db_table
REGION_COLUMNS = [
    Column("code", required=True),
    Column("name", required=True),
    Column("kind", ("jenis", "jenis_wilayah", "tipe")),
    Column("lat"),
    Column("lon"),
    Column("is_island", ("kepulauan", "pulau")),
    Column("time_zone", ("zona_waktu", "tz")),
]
_KINDS = {
    Region.Kind.PROVINCE: ("provinsi", "province", "prov"),
    Region.Kind.KABUPATEN: ("kabupaten", "kab", "regency"),
    Region.Kind.KOTA: ("kota", "city", "kota_administrasi"),
    Region.Kind.KECAMATAN: ("kecamatan", "kec", "district", "distrik"),
    Region.Kind.DESA: ("desa", "village", "kampung", "nagari", "gampong"),
    Region.Kind.KELURAHAN: ("kelurahan", "kel", "urban_village"),
}
KIND_OF = {alias: str(kind.value) for kind, aliases in _KINDS.items() for alias in aliases}
KINDS_AT = {
    Level.PROVINCE: ("provinsi",),
    Level.REGENCY: ("kabupaten", "kota"),
    Level.DISTRICT: ("kecamatan",),
    Level.VILLAGE: ("desa", "kelurahan"),
}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def import_finish(report: ImportReport, log: ProblemLog, started: float) -> ImportReport:
    """Copy the problems into the report and stop the clock."""
    report.problems = list(log.kept)
    report.problems_total = log.total
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def import_audit(report: ImportReport, actor: Any) -> None:
    """The one audit event of a committed import, in the import's transaction."""
    audit_append(
        action="registry.import",
        actor=actor,
        object_type=report.kind,
        object_id=report.file,
        after_digest=report.sha256,
        data={
            "kind": report.kind,
            "file": report.file,
            "sha256": report.sha256,
            "rows": report.rows,
            "created": report.created,
            "updated": report.updated,
            "unchanged": report.unchanged,
        },
    )


def default_kind(code: str, level: Level) -> str:
    """Kemendagri convention: regency numbers from 71 are cities, village numbers 1xxx are kelurahan."""
    if level is Level.PROVINCE:
        return "provinsi"
    if level is Level.REGENCY:
        return "kota" if int(code[-2:]) >= 71 else "kabupaten"
    if level is Level.DISTRICT:
        return "kecamatan"
    return "kelurahan" if code[-4] == "1" else "desa"


def regions_import(
    *, path: Path | str, actor: Any = None, dry_run: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Import provinces, regencies, districts and villages (code, name, kind, lat, lon; optional is_island,
    time_zone). The parent comes from the code and must exist already or anywhere in the same file: rows are
    written level by level. Optional columns that the file lacks keep their stored values on update."""
    path = Path(path)
    started = time.perf_counter()
    report = ImportReport(kind="regions", file=path.name, dry_run=dry_run)
    log = ProblemLog(report.file)
    try:
        table = table_open(path, REGION_COLUMNS)
        by_level, known = _regions_scan(table, log, report, progress)
    except ImportRejected as exc:
        log.extend(exc.problems, exc.total)
        return import_finish(report, log, started)
    if log or dry_run:
        return import_finish(report, log, started)
    report.sha256 = file_sha256(path)
    optional = [c for c in ("is_island", "time_zone") if table.has(c)]
    with transaction.atomic():
        pg_lock(share_row_exclusive=[REGION_TABLE])
        for level in LEVEL_ORDER:
            rows = by_level[level]
            if not rows:
                continue
            if progress:
                progress("write", LEVEL_ORDER.index(level), len(LEVEL_ORDER))
            parents = _ids_at(LEVEL_ORDER[LEVEL_ORDER.index(level) - 1]) if level is not Level.PROVINCE else {}
            writer = BulkWriter(
                table=REGION_TABLE,
                columns=[*_REGION_INSERT],
                pg_types=[*_REGION_PG_TYPES],
                update=["name", "kind", "parent_id", "lat", "lon", *optional],
                stage="linsek_stage_region",
                approx=("lat", "lon"),
            )
            with writer.feed() as add:
                for code, name, kind, lat, lon, is_island, tz in rows:
                    pcode = parent_code(code)
                    parent_id = parents[pcode] if pcode else None
                    source = f"impor {report.file}"[:255]
                    add((code, name, level.value, kind, parent_id, lat, lon, tz, is_island, "", 0, 0, 0, 0, source),
                        code in known)  # fmt: skip
            counts = writer.finish()
            report.created += counts.created
            report.updated += counts.updated
        report.unchanged = report.rows - report.created - report.updated
        import_audit(report, actor)
        report.written = True
    return import_finish(report, log, started)


_REGION_INSERT = (
    "code", "name", "level", "kind", "parent_id", "lat", "lon", "time_zone", "is_island", "boundary",
    "tps_count", "voters_male", "voters_female", "voters_total", "source",
)  # fmt: skip
_REGION_PG_TYPES = (
    "text", "text", "text", "text", "bigint", "double precision", "double precision", "text", "boolean", "text",
    "integer", "integer", "integer", "integer", "text",
)  # fmt: skip
RegionRow = tuple[str, str, str, float | None, float | None, bool, str]


def _regions_scan(
    table: Table, log: ProblemLog, report: ImportReport, progress: Progress | None
) -> tuple[dict[Level, list[RegionRow]], set[str]]:
    """Validate every row; returns the rows by level. Region files are small (≤ ~92k rows nationally)."""
    ci = table.columns
    by_level: dict[Level, list[RegionRow]] = {level: [] for level in LEVEL_ORDER}
    first_row: dict[str, int] = {}
    for rowno, cells in table.rows():
        report.rows += 1
        if progress and not report.rows % 5000:
            progress("read", table.position, table.size)
        raw = cells[ci["code"]]
        code = normalise(raw)
        try:
            level = level_of(code)
        except CodeError:
            log.add(
                rowno,
                table.header("code"),
                raw,
                _(
                    "bukan kode wilayah Kemendagri; tulis misalnya 33, 33.20, 33.20.04 atau 33.20.04.2001 "
                    "(format kolom sebagai Teks di Excel)"
                ),
                "bad_code",
            )
            continue
        if code in first_row:
            log.add(
                rowno,
                table.header("code"),
                raw,
                _("kode %(code)s sudah ada di baris %(row)d; setiap wilayah cukup satu baris")
                % {"code": code, "row": first_row[code]},
                "duplicate",
            )
            continue
        first_row[code] = rowno
        row = _region_row(table, rowno, cells, code, level, log)
        if row is not None:
            by_level[level].append(row)
    if report.rows == 0:
        log.add(None, None, None, _("berkas tidak berisi baris data di bawah judul kolom"), "empty")
        return by_level, set()
    known = set(Region.objects.values_list("code", flat=True))
    for code, rowno in first_row.items():
        pcode = parent_code(code)
        if pcode and pcode not in first_row and pcode not in known:
            log.add(
                rowno,
                table.header("code"),
                code,
                _(
                    "wilayah induk %(parent)s tidak ada di registri maupun di berkas ini; tambahkan baris untuk "
                    "%(parent)s atau impor wilayah induknya dulu"
                )
                % {"parent": pcode},
                "unknown_parent",
            )
    return by_level, known


def _region_row(
    table: Table, rowno: int, cells: list[str], code: str, level: Level, log: ProblemLog
) -> RegionRow | None:
    ci = table.columns
    ok = True
    try:
        name = cell_text(cells[ci["name"]], max_length=120)
        if not name:
            raise CellError(_("nama wajib diisi"))
    except CellError as exc:
        log.add(rowno, table.header("name"), cells[ci["name"]], str(exc), "bad_value")
        ok, name = False, ""
    kind_raw = cells[ci["kind"]].strip() if "kind" in ci else ""
    kind = KIND_OF.get(header_key(kind_raw), "") if kind_raw else default_kind(code, level)
    if kind not in KINDS_AT[level]:
        allowed = " / ".join(KINDS_AT[level])
        log.add(
            rowno,
            table.header("kind"),
            kind_raw,
            _("jenis '%(kind)s' tidak cocok untuk kode %(code)s; tulis %(allowed)s atau kosongkan")
            % {"kind": kind_raw, "code": code, "allowed": allowed},
            "bad_kind",
        )
        ok = False
    point = point_parse(table, rowno, cells, log)
    if point is False:
        ok = False
    is_island, tz = False, ""
    if "is_island" in ci:
        try:
            is_island = cell_bool(cells[ci["is_island"]])
        except CellError as exc:
            log.add(rowno, table.header("is_island"), cells[ci["is_island"]], str(exc), "bad_value")
            ok = False
    if "time_zone" in ci and cells[ci["time_zone"]].strip():
        tz = cells[ci["time_zone"]].strip()
        try:
            ZoneInfo(tz)
        except (ValueError, LookupError):
            log.add(
                rowno,
                table.header("time_zone"),
                tz,
                _("zona waktu tidak dikenal; tulis Asia/Jakarta (WIB), Asia/Makassar (WITA) atau Asia/Jayapura (WIT)"),
                "bad_value",
            )
            ok = False
    if not ok:
        return None
    lat, lon = point if isinstance(point, tuple) else (None, None)
    return (code, name, kind, lat, lon, is_island, tz)


def point_parse(table: Table, rowno: int, cells: list[str], log: ProblemLog) -> tuple[float, float] | bool | None:
    """The row's (lat, lon), None when both are empty, False after logging a problem (slow path of the TPS scan)."""
    ci = table.columns
    if "lat" not in ci or "lon" not in ci:
        return None
    values: list[float | None] = []
    for column in ("lat", "lon"):
        try:
            values.append(cell_float(cells[ci[column]]))
        except CellError as exc:
            log.add(rowno, table.header(column), cells[ci[column]], str(exc), "bad_value")
            return False
    lat, lon = values
    if lat is None and lon is None:
        return None
    if lat is None or lon is None:
        missing = "lat" if lat is None else "lon"
        log.add(
            rowno,
            table.header(missing),
            "",
            _("isi lintang dan bujur berdua, atau kosongkan keduanya"),
            "bad_value",
        )
        return False
    if not INDONESIA.contains(lat, lon):
        log.add(
            rowno,
            f"{table.header('lat')}/{table.header('lon')}",
            f"{cells[ci['lat']].strip()}, {cells[ci['lon']].strip()}",
            outside_indonesia_reason(lat, lon),
            "outside_indonesia",
        )
        return False
    return (lat, lon)


def outside_indonesia_reason(lat: float, lon: float) -> str:
    reason = _("koordinat di luar wilayah Indonesia (lintang %(s).1f…%(n).1f, bujur %(w).1f…%(e).1f)") % {
        "s": INDONESIA.south,
        "n": INDONESIA.north,
        "w": INDONESIA.west,
        "e": INDONESIA.east,
    }
    if INDONESIA.contains(lon, lat):
        reason += "; " + _("lintang dan bujur tampaknya tertukar")
    elif INDONESIA.contains(-lat, lon):
        reason += "; " + _("tanda minus lintang tampaknya hilang (di selatan khatulistiwa lintang negatif)")
    elif lat == 0 and lon == 0:
        reason += "; " + _("0, 0 berarti koordinat belum diisi: kosongkan sel bila belum diketahui")
    return reason


def _ids_at(level: Level) -> dict[str, int]:
    return dict(Region.objects.filter(level=level.value).values_list("code", "id"))


# --- Boundaries (GeoJSON) ------------------------------------------------------------------------------------
_CODE_PROPERTIES = ("code", "kode", "kode_wilayah", "kode_kemendagri", "kdepum", "kode_kec", "kode_desa")


def boundaries_import(*, path: Path | str, actor: Any = None, dry_run: bool = False) -> ImportReport:
    """Store district/village boundary polygons from a GeoJSON FeatureCollection in ``Region.boundary``.

    Features are matched to regions by their code property (``code`` or ``kode``); unknown codes, missing or
    non-polygon geometries and shapes outside Indonesia are problems. Nothing is created: only regions that
    exist get a boundary, so import the regions first.
    """
    path = Path(path)
    started = time.perf_counter()
    report = ImportReport(kind="boundaries", file=path.name, dry_run=dry_run)
    log = ProblemLog(report.file)
    features = _features_load(path, log)
    if features is None:
        return import_finish(report, log, started)
    existing = dict(Region.objects.values_list("code", "boundary"))
    sorted_codes = sorted(existing)
    updates: list[tuple[str, str]] = []
    seen: dict[str, int] = {}
    for index, feature in enumerate(features, start=1):
        report.rows += 1
        props = feature.get("properties") if isinstance(feature, dict) else None
        props = props if isinstance(props, dict) else {}
        key = next((k for k in _CODE_PROPERTIES if str(props.get(k) or "").strip()), None)
        if key is None:
            log.add(
                index,
                "properties.code",
                None,
                _("fitur tanpa properti kode (code/kode); tambahkan kode Kemendagri"),
                "missing_code",
            )
            continue
        code = normalise(str(props[key]))
        if code not in existing:
            near = ", ".join(code_suggestions(code, sorted_codes))
            reason = _("kode %(code)s tidak ada di registri wilayah") % {"code": code}
            if near:
                reason += "; " + _("yang terdekat: %(near)s") % {"near": near}
            log.add(index, f"properties.{key}", code, reason, "unknown_region")
            continue
        if code in seen:
            log.add(
                index,
                f"properties.{key}",
                code,
                _("kode ini sudah dipakai fitur ke-%(n)d") % {"n": seen[code]},
                "duplicate",
            )
            continue
        seen[code] = index
        geometry = feature.get("geometry")
        if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            log.add(index, "geometry", code, _("geometri harus Polygon atau MultiPolygon"), "bad_geometry")
            continue
        try:
            box = geojson_bbox(geometry)
        except (TypeError, ValueError, IndexError):
            box = None
        if box is None:
            log.add(index, "geometry", code, _("geometri tanpa titik koordinat yang terbaca"), "bad_geometry")
            continue
        if not (INDONESIA.contains(box.south, box.west) and INDONESIA.contains(box.north, box.east)):
            log.add(index, "geometry", code, outside_indonesia_reason(box.south, box.west), "outside_indonesia")
            continue
        text = json.dumps(geometry, separators=(",", ":"), ensure_ascii=False)
        if text == existing[code]:
            report.unchanged += 1
        else:
            updates.append((text, code))
    if report.rows == 0:
        log.add(None, None, None, _("FeatureCollection tanpa fitur"), "empty")
    if log or dry_run:
        return import_finish(report, log, started)
    report.sha256 = file_sha256(path)
    with transaction.atomic():
        with connection.cursor() as cur:
            cur.executemany(f"UPDATE {REGION_TABLE} SET boundary = %s WHERE code = %s", updates)  # noqa: S608
        report.updated = len(updates)
        import_audit(report, actor)
        report.written = True
    return import_finish(report, log, started)


def _features_load(path: Path, log: ProblemLog) -> list[Any] | None:
    if path.suffix.lower() not in (".geojson", ".json"):
        log.add(
            None, None, path.suffix, _("batas wilayah dibaca dari berkas GeoJSON (.geojson atau .json)"), "file_type"
        )
        return None
    try:
        with path.open("rb") as fh:
            doc = json.load(fh)
    except UnicodeDecodeError:
        log.add(None, None, None, _("pengodean salah: simpan berkas sebagai UTF-8 (di Excel: CSV UTF-8)"), "encoding")
        return None
    except (OSError, ValueError) as exc:
        log.add(
            None,
            None,
            None,
            _("berkas tidak dapat dibaca (%(detail)s): bukan GeoJSON yang sah") % {"detail": exc},
            "unreadable",
        )
        return None
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection" or not isinstance(doc.get("features"), list):
        log.add(None, "type", str(doc.get("type") if isinstance(doc, dict) else type(doc).__name__),
                _("harus GeoJSON FeatureCollection dengan daftar features"), "unreadable")  # fmt: skip
        return None
    return list(doc["features"])


def tps_import(
    *, path: Path | str, actor: Any = None, dry_run: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Import a KPU-style TPS list; see :func:`linsek.regions.imports_tps.tps_import`."""
    from linsek.regions.imports_tps import tps_import as run

    return run(path=path, actor=actor, dry_run=dry_run, progress=progress)
