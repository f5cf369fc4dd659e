"""The TPS import's knowledge of the registry (:class:`TpsContext`) and the slow paths of its row check.

The common row is checked inline in :func:`linsek.regions.imports_tps._scan`; whatever goes wrong is handed
to a function here, which composes the problem a person reads (with the closest codes, the distance from the
district, a hint that latitude and longitude look swapped…). None of these run for a valid row.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.utils.translation import gettext as _

from linsek.core.cells import CellError, cell_bool, cell_count, cell_float, cell_text
from linsek.core.codes import normalise
from linsek.core.geo import BBox, geojson_bbox
from linsek.core.tabular import ProblemLog, Table, code_suggestions, header_key
from linsek.regions.models import PollingStation, Region

TPS_TABLE = PollingStation._meta.db_table
KM_PER_DEGREE = 111.32
MARGIN_BOUNDARY_KM = 5.0  # a TPS this far outside its district's drawn boundary box is a typo, not a border case
MARGIN_POINTS_KM = 10.0  # without a boundary only village centres are known: allow more
SPECIAL = {
    "": "",
    "biasa": "",
    "lapas": "lapas",
    "rutan": "lapas",
    "lapas_rutan": "lapas",
    "prison": "lapas",
    "rumah_sakit": "rumah_sakit",
    "rs": "rumah_sakit",
    "hospital": "rumah_sakit",
    "pesantren": "pesantren",
    "pondok_pesantren": "pesantren",
    "ponpes": "pesantren",
    "relokasi": "relokasi",
    "relocation": "relokasi",
    "lainnya": "lainnya",
    "other": "lainnya",
}

VillageInfo = tuple[int, int, int, int, "tuple[float, float, float, float] | None", int]
"""(village id, district id, regency id, province id, district acceptance box (s, w, n, e) or None, index)"""


@dataclass
class TpsContext:
    """What validation needs from the database, loaded once: compact enough for the whole country."""

    villages: dict[str, VillageInfo]
    districts: dict[int, tuple[str, str, BBox | None]]  # id → (code, name, box without margin)
    existing: set[int] = field(default_factory=set)  # village index × 1000 + number of each stored TPS code
    _sorted: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, *, existing: bool = False) -> TpsContext:
        r = Region._meta.db_table
        points: dict[int, list[tuple[float, float]]] = {}
        rows: list[tuple[str, int, int, int, int]] = []
        with connection.cursor() as cur:
            cur.execute(
                f"""SELECT v.code, v.id, v.lat, v.lon, d.id, g.id, g.parent_id
                    FROM {r} v JOIN {r} d ON d.id = v.parent_id JOIN {r} g ON g.id = d.parent_id
                    WHERE v.level = 'village' AND d.level = 'district' AND g.parent_id IS NOT NULL"""  # noqa: S608
            )
            for code, vid, lat, lon, did, gid, pid in cur.fetchall():
                rows.append((code, vid, did, gid, pid))
                if lat is not None and lon is not None:
                    points.setdefault(did, []).append((lat, lon))
            cur.execute(f"SELECT id, code, name, lat, lon FROM {r} WHERE level = 'district'")  # noqa: S608
            district_rows = cur.fetchall()
        with_boundary = dict(Region.objects.filter(level="district").exclude(boundary="").values_list("id", "boundary"))
        districts: dict[int, tuple[str, str, BBox | None]] = {}
        boxes: dict[int, tuple[float, float, float, float] | None] = {}
        for did, code, name, lat, lon in district_rows:
            raw, margin = boundary_box(with_boundary.get(did)), MARGIN_BOUNDARY_KM
            if raw is None:
                pts = points.get(did, [])
                if lat is not None and lon is not None:
                    pts = [*pts, (lat, lon)]
                margin = MARGIN_POINTS_KM
                if pts:
                    lats, lons = [p[0] for p in pts], [p[1] for p in pts]
                    raw = BBox(min(lons), min(lats), max(lons), max(lats))
            districts[did] = (code, name, raw)
            if raw is None:
                boxes[did] = None
            else:
                dlat = margin / KM_PER_DEGREE
                dlon = margin / (KM_PER_DEGREE * max(0.2, math.cos(math.radians((raw.south + raw.north) / 2))))
                boxes[did] = (raw.south - dlat, raw.west - dlon, raw.north + dlat, raw.east + dlon)
        villages = {
            code: (vid, did, gid, pid, boxes.get(did), index) for index, (code, vid, did, gid, pid) in enumerate(rows)
        }
        stored: set[int] = set()
        if existing:  # keyed like the file's rows; from the stored codes, the upsert key
            with connection.cursor() as cur:
                cur.execute(f"SELECT code FROM {TPS_TABLE}")  # noqa: S608
                for (code,) in cur:
                    village = villages.get(code[:13])
                    if village is not None and len(code) == 17 and code[14:].isdigit():
                        stored.add(village[5] * 1000 + int(code[14:]))
        return cls(villages, districts, stored)

    def sorted_codes(self) -> list[str]:
        if not self._sorted:
            self._sorted = sorted(self.villages)
        return self._sorted


def boundary_box(text: str | None) -> BBox | None:
    if not text:
        return None
    try:
        geometry = json.loads(text)
        return geojson_bbox(geometry) if isinstance(geometry, dict) else None
    except (ValueError, TypeError, IndexError):
        return None


def voters_slow(
    table: Table, log: ProblemLog, rowno: int, cells: list[str], i_m: int, i_f: int, bad: bool
) -> tuple[int, int, bool]:
    values = []
    for column, index in (("voters_male", i_m), ("voters_female", i_f)):
        try:
            values.append(cell_count(cells[index]))
        except CellError as exc:
            log.add(rowno, table.header(column), cells[index], str(exc), "bad_voters")
            values.append(0)
            bad = True
    return values[0], values[1], bad


def point_slow(
    table: Table, log: ProblemLog, rowno: int, cells: list[str], bad: bool
) -> tuple[float | None, float | None, bool]:
    values: list[float | None] = []
    for column in ("lat", "lon"):
        index = table.columns[column]
        try:
            values.append(cell_float(cells[index]))
        except CellError as exc:
            log.add(rowno, table.header(column), cells[index], str(exc), "bad_value")
            return None, None, True
    lat, lon = values
    if (lat is None) != (lon is None):
        missing = "lat" if lat is None else "lon"
        log.add(
            rowno, table.header(missing), "", _("isi lintang dan bujur berdua, atau kosongkan keduanya"), "bad_value"
        )
        return None, None, True
    return lat, lon, bad


def extras_parse(
    table: Table, log: ProblemLog, rowno: int, cells: list[str], bad: bool
) -> tuple[tuple[Any, ...], bool]:
    """The optional access columns (island, boat_only, remote, special, access_notes) of one row."""
    ci = table.columns
    boat, remote, special = False, False, ""
    texts = {"island": "", "access_notes": ""}
    for column, max_length in (("island", 80), ("access_notes", 255)):
        if column in ci:
            try:
                texts[column] = cell_text(cells[ci[column]], max_length=max_length)
            except CellError as exc:
                log.add(rowno, table.header(column), cells[ci[column]], str(exc), "bad_value")
                bad = True
    island, notes = texts["island"], texts["access_notes"]
    for column in ("boat_only", "remote"):
        if column in ci:
            try:
                value = cell_bool(cells[ci[column]])
            except CellError as exc:
                log.add(rowno, table.header(column), cells[ci[column]], str(exc), "bad_value")
                bad, value = True, False
            if column == "boat_only":
                boat = value
            else:
                remote = value
    if "special" in ci:
        raw = cells[ci["special"]]
        found = SPECIAL.get(header_key(raw))
        if found is None:
            log.add(
                rowno,
                table.header("special"),
                raw,
                _(
                    "jenis TPS khusus tidak dikenal; tulis lapas, rumah_sakit, pesantren, relokasi, lainnya "
                    "atau kosongkan"
                ),
                "bad_value",
            )
            bad = True
        else:
            special = found
    return (island, boat, remote, special, notes), bad


def unknown_village(table: Table, ctx: TpsContext, log: ProblemLog, rowno: int, raw: str) -> None:
    code = normalise(raw)
    if not log.wants_detail:
        log.add(rowno, table.header("village_code"), raw, "", "unknown_village")
        return
    if not ctx.villages:
        reason = _("registri belum berisi desa; impor wilayah (linsek import regions) sebelum TPS")
    else:
        reason = _("kode desa %(code)s tidak ada di registri wilayah") % {"code": code or "(kosong)"}
        near = code_suggestions(code, ctx.sorted_codes()) if code else []
        if near:
            reason += "; " + _("yang terdekat: %(near)s") % {"near": ", ".join(near)}
    log.add(rowno, table.header("village_code"), raw, reason, "unknown_village")


def outside_district(
    table: Table,
    ctx: TpsContext,
    log: ProblemLog,
    rowno: int,
    cells: list[str],
    village: VillageInfo,
    lat: float,
    lon: float,
) -> None:
    dcode, dname, raw = ctx.districts[village[1]]
    km = 0.0
    if raw is not None:
        dy = max(raw.south - lat, 0.0, lat - raw.north) * KM_PER_DEGREE
        dx = max(raw.west - lon, 0.0, lon - raw.east) * KM_PER_DEGREE * math.cos(math.radians(lat))
        km = math.hypot(dx, dy)
    reason = _(
        "koordinat sekitar %(km).0f km di luar Kecamatan %(name)s (%(code)s), kecamatan desa ini; periksa lintang/bujur"
    ) % {"km": km, "name": dname, "code": dcode}
    if raw is not None:
        box = village[4]
        assert box is not None
        if box[0] <= lon <= box[2] and box[1] <= lat <= box[3]:
            reason += "; " + _("lintang dan bujur tampaknya tertukar")
        elif box[0] <= -lat <= box[2] and box[1] <= lon <= box[3]:
            reason += "; " + _("tanda minus lintang tampaknya hilang")
    ci = table.columns
    log.add(
        rowno,
        f"{table.header('lat')}/{table.header('lon')}",
        f"{cells[ci['lat']].strip()}, {cells[ci['lon']].strip()}",
        reason,
        "outside_district",
    )
