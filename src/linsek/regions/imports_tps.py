"""Importing a KPU-style TPS list: one streamed pass that validates every row and feeds the bulk writer.

Layout (headers in any case, Indonesian or English): ``village_code`` (kode_desa), ``number`` (no_tps),
``address`` (alamat), ``voters_male`` (laki_laki / L), ``voters_female`` (perempuan / P), ``voters_total``
(jumlah; optional, default L+P), ``lat`` (lintang), ``lon`` (bujur); optional ``island``, ``boat_only``,
``remote``, ``special``, ``access_notes``. The TPS code is the village code plus the number in three digits.

Speed and memory (national file: 820,161 rows): the only state kept while reading is the village lookup
(code → ids and the district's acceptance box) and one dict of ``village index × 1000 + number`` for
duplicates. Rows go to the writer (:mod:`.bulk`) as long as no problem has been seen — on PostgreSQL new rows
are COPY-ed while Python parses, so the server works on the other core — all inside one transaction that
is rolled back if any row has a problem: nothing is written unless every row validated.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from linsek.core.cells import CellError, cell_count, cell_tps_number
from linsek.core.codes import normalise
from linsek.core.geo import INDONESIA
from linsek.core.tabular import (
    Column,
    ImportRejected,
    ImportReport,
    ProblemLog,
    Table,
    missing_column,
    table_open,
)
from linsek.regions.bulk import BulkWriter, pg_analyze, pg_lock, rollups_recompute
from linsek.regions.imports import Progress, file_sha256, import_audit, import_finish, outside_indonesia_reason
from linsek.regions.models import Region
from linsek.regions.tps_checks import (
    TPS_TABLE,
    TpsContext,
    extras_parse,
    outside_district,
    point_slow,
    unknown_village,
    voters_slow,
)

BULK_BYTES = 4 << 20  # from ~60k rows on, PostgreSQL loads without per-row foreign-key triggers (see bulk.py)

TPS_COLUMNS = [
    Column("village_code", required=True),
    Column("number", required=True),
    Column("address"),
    Column("voters_male"),
    Column("voters_female"),
    Column("voters_total"),
    Column("lat"),
    Column("lon"),
    Column("island"),
    Column("boat_only"),
    Column("remote"),
    Column("special"),
    Column("access_notes"),
]
_INSERT = (
    "code", "number", "village_id", "district_id", "regency_id", "province_id", "address", "lat", "lon",
    "voters_male", "voters_female", "voters_total", "island", "boat_only", "remote", "special", "access_notes",
)  # fmt: skip
_PG_TYPES = (
    "text", "integer", "bigint", "bigint", "bigint", "bigint", "text", "double precision", "double precision",
    "integer", "integer", "integer", "text", "boolean", "boolean", "text", "text",
)  # fmt: skip
_ALWAYS_UPDATED = ("number", "village_id", "district_id", "regency_id", "province_id", "voters_male",
                   "voters_female", "voters_total")  # fmt: skip


def tps_import(
    *, path: Path | str, actor: Any = None, dry_run: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Import a TPS list (CSV/XLSX), validated in full; nothing is written if any row has a problem.

    Upserts by TPS code; optional columns the file lacks keep their stored values on update. After writing,
    the roll-ups (TPS and voters per region) are refreshed and one audit event is appended.
    """
    path = Path(path)
    started = time.perf_counter()
    report = ImportReport(kind="tps", file=path.name, dry_run=dry_run)
    log = ProblemLog(report.file)
    try:
        table = table_open(path, TPS_COLUMNS)
        _voter_columns_check(table)
    except ImportRejected as exc:
        log.extend(exc.problems, exc.total)
        return import_finish(report, log, started)
    if dry_run:
        _scan(table, TpsContext.load(), log, report, None, progress)
        return import_finish(report, log, started)
    report.sha256 = file_sha256(path)
    optional = [c for c in ("address", "lat", "lon", "island", "boat_only", "remote", "special", "access_notes")
                if table.has(c)]  # fmt: skip
    fast = path.stat().st_size >= BULK_BYTES
    try:
        with connection.constraint_checks_disabled(), transaction.atomic():
            if not _write(table, log, report, optional, fast, progress):
                transaction.set_rollback(True)
                return import_finish(report, log, started)
            import_audit(report, actor)
            report.written = True
    except IntegrityError as exc:  # only a registry already inconsistent (e.g. a TPS code not matching its village)
        report.created = report.updated = report.unchanged = 0
        log.add(None, None, None, _("basis data menolak penulisan (%(detail)s); tidak ada yang disimpan") % {
            "detail": str(exc).splitlines()[0]}, "integrity")  # fmt: skip
        return import_finish(report, log, started)
    if report.created > 10_000:
        pg_analyze(TPS_TABLE)
    return import_finish(report, log, started)


def _write(
    table: Table, log: ProblemLog, report: ImportReport, optional: list[str], fast: bool, progress: Progress | None
) -> bool:
    """Validate and write inside the caller's transaction; False (caller rolls back) when any row has a problem.

    SQLite: ``constraint_checks_disabled`` (outside any outer transaction) has switched foreign-key
    enforcement off, and ``BEGIN IMMEDIATE`` holds the write lock; PostgreSQL: region and TPS tables are
    locked against other writers (readers go on). Either way every id written was read in this transaction.
    """
    pg_lock(share=[Region._meta.db_table], share_row_exclusive=[TPS_TABLE])
    writer = BulkWriter(
        table=TPS_TABLE,
        columns=_INSERT,
        pg_types=_PG_TYPES,
        update=[*_ALWAYS_UPDATED, *optional],
        stage="linsek_stage_tps",
        fast=fast,
        approx=("lat", "lon"),
    )
    context = TpsContext.load(existing=connection.vendor == "postgresql")
    with writer.feed() as add:
        _scan(table, context, log, report, add, progress)
    if log:
        writer.discard()
        return False
    if progress:
        progress("write", 0, 1)
    counts = writer.finish()
    report.created, report.updated = counts.created, counts.updated
    report.unchanged = report.rows - counts.created - counts.updated
    if progress:
        progress("rollups", 0, 1)
    rollups_recompute()
    return True


def _voter_columns_check(table: Table) -> None:
    has_pair = table.has("voters_male") and table.has("voters_female")
    if has_pair or (table.has("voters_total") and not table.has("voters_male") and not table.has("voters_female")):
        return
    hint = _("(atau hanya kolom jumlah pemilih bila rincian L/P tidak ada)")
    missing = [c for c in TPS_COLUMNS if c.name in ("voters_male", "voters_female") and not table.has(c.name)]
    raise ImportRejected([missing_column(table, c, alternatives=hint) for c in missing])


def _scan(
    table: Table,
    ctx: TpsContext,
    log: ProblemLog,
    report: ImportReport,
    add: Any,
    progress: Progress | None,
) -> None:
    """Validate every row; feed valid rows to ``add`` until the first problem. The common path stays inline."""
    ci = table.columns
    i_code, i_num = ci["village_code"], ci["number"]
    i_addr, i_lat, i_lon = ci.get("address"), ci.get("lat"), ci.get("lon")
    i_m, i_f, i_t = ci.get("voters_male"), ci.get("voters_female"), ci.get("voters_total")
    i_island, i_boat, i_remote = ci.get("island"), ci.get("boat_only"), ci.get("remote")
    i_special, i_notes = ci.get("special"), ci.get("access_notes")
    has_extras = any(i is not None for i in (i_island, i_boat, i_remote, i_special, i_notes))
    has_point = i_lat is not None and i_lon is not None
    villages = ctx.villages
    existing = ctx.existing
    seen: dict[int, int] = {}
    south, west, north, east = INDONESIA.south, INDONESIA.west, INDONESIA.north, INDONESIA.east
    writing = add is not None
    rows = 0
    try:
        for rowno, cells in table.rows():
            rows += 1
            if progress is not None and not rows & 0x3FFF:
                progress("read", table.position, table.size)
            bad = False
            code = cells[i_code].strip()
            village = villages.get(code)
            if village is None:
                code = normalise(code)
                village = villages.get(code)
                if village is None:
                    unknown_village(table, ctx, log, rowno, cells[i_code])
                    bad = True
            try:
                number = int(cells[i_num])
                if not 0 < number < 1000:
                    raise ValueError
            except ValueError:
                try:
                    number = cell_tps_number(cells[i_num])
                except CellError as exc:
                    log.add(rowno, table.header("number"), cells[i_num], str(exc), "bad_number")
                    bad, number = True, 0
            male = female = 0
            voters_ok = True
            if i_m is not None and i_f is not None:
                try:
                    male, female = int(cells[i_m]), int(cells[i_f])
                    if male < 0 or female < 0:
                        raise ValueError
                except ValueError:
                    logged = log.total
                    male, female, bad = voters_slow(table, log, rowno, cells, i_m, i_f, bad)
                    voters_ok = log.total == logged
            if i_t is not None and cells[i_t]:
                try:
                    total = int(cells[i_t])
                    if total < 0:
                        raise ValueError
                except ValueError:
                    try:
                        total = cell_count(cells[i_t])
                    except CellError as exc:
                        log.add(rowno, table.header("voters_total"), cells[i_t], str(exc), "bad_voters")
                        bad, total = True, male + female
                if total < male + female and voters_ok:
                    log.add(
                        rowno,
                        table.header("voters_total"),
                        cells[i_t],
                        _("jumlah pemilih %(t)d lebih kecil dari laki-laki + perempuan (%(m)d + %(f)d = %(s)d)")
                        % {"t": total, "m": male, "f": female, "s": male + female},
                        "bad_voters",
                    )
                    bad = True
            else:
                total = male + female
            lat = lon = None
            if has_point:
                try:
                    lat, lon = float(cells[i_lat]), float(cells[i_lon])  # type: ignore[index]
                except ValueError:
                    lat, lon, bad = point_slow(table, log, rowno, cells, bad)
                if lat is not None and lon is not None:
                    if not (south <= lat <= north and west <= lon <= east):
                        log.add(
                            rowno,
                            f"{table.header('lat')}/{table.header('lon')}",
                            f"{cells[i_lat].strip()}, {cells[i_lon].strip()}",  # type: ignore[index]
                            outside_indonesia_reason(lat, lon),
                            "outside_indonesia",
                        )
                        bad = True
                    elif village is not None:
                        box = village[4]
                        if box is not None and not (box[0] <= lat <= box[2] and box[1] <= lon <= box[3]):
                            outside_district(table, ctx, log, rowno, cells, village, lat, lon)
                            bad = True
            key = 0
            if village is not None and number:
                key = village[5] * 1000 + number
                first = seen.setdefault(key, rowno)
                if first != rowno:
                    log.add(
                        rowno,
                        table.header("number"),
                        cells[i_num],
                        _(
                            "TPS nomor %(n)d di desa %(code)s sudah ada di baris %(row)d; "
                            "nomor TPS dalam satu desa harus unik"
                        )
                        % {"n": number, "code": code, "row": first},
                        "duplicate",
                    )
                    bad = True
            address = cells[i_addr].strip() if i_addr is not None else ""
            if len(address) > 255:
                log.add(rowno, table.header("address"), address, _("alamat lebih dari 255 karakter"), "bad_value")
                bad = True
            extras: tuple[Any, ...] = ("", False, False, "", "")
            if has_extras:
                extras, bad = extras_parse(table, log, rowno, cells, bad)
            if bad:
                writing = False
            elif writing:
                add(
                    (
                        f"{code}.{number:03d}",
                        number,
                        village[0],  # type: ignore[index]
                        village[1],  # type: ignore[index]
                        village[2],  # type: ignore[index]
                        village[3],  # type: ignore[index]
                        address,
                        lat,
                        lon,
                        male,
                        female,
                        total,
                        *extras,
                    ),
                    key in existing,
                )
    except ImportRejected as exc:
        log.extend(exc.problems, exc.total)
    report.rows = rows
    if rows == 0 and not log:
        log.add(None, None, None, _("berkas tidak berisi baris data di bawah judul kolom"), "empty")
    if progress is not None:
        progress("read", table.size, table.size)
