"""Reading an assessment file (CSV or XLSX) into checked rows, with a row-level problem report.

Layout (one row per TPS assessment; header names are case-insensitive, Indonesian or English):

=============  ===========================================================================
``tps``        TPS code, dotted or not (``33.20.04.2001.001``) — required
``tanggal``    when assessed: ``2024-02-05``, ``2024-02-05 10:30`` or ``05/02/2024`` (WIB); empty = now
``penilai``    the assessor's registry key (``id:<NRP>`` or ``org:<organisation>:<name>``); optional
``instansi``   the assessor's organisation code (``panwascam-mayong``); optional
``peran``      pengawas | bhabinkamtibmas | babinsa | lainnya (default pengawas)
``catatan``    free text, optional
``V1.1`` …     one column per indicator of the catalogue: ``ya``/``tidak`` (or 1/0) or a count
=============  ===========================================================================

Every indicator column must be present; an unknown column that looks like an indicator code is
reported with the nearest known codes. The whole file is checked before anything is written.

The shared import engine (``core.tabular``: streaming readers, ``Problem``, ``ImportRejected``) is
being written elsewhere; until it lands this module keeps its own small reader (whole file in memory:
an assessment file is one regency, a few thousand rows) with the same problem shape.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from linsek.core.errors import DomainError
from linsek.risk.catalogue import Catalogue
from linsek.risk.scoring import values_check

MAX_ROWS = 200_000
INDICATOR_LIKE = re.compile(r"^[vV]\d+(\.\d+)?$")
ALIASES = {
    "tps": "tps",
    "kode_tps": "tps",
    "kode tps": "tps",
    "tps_code": "tps",
    "tanggal": "assessed_at",
    "waktu": "assessed_at",
    "assessed_at": "assessed_at",
    "date": "assessed_at",
    "penilai": "assessor",
    "assessor": "assessor",
    "instansi": "organisation",
    "organisation": "organisation",
    "organisasi": "organisation",
    "peran": "role",
    "role": "role",
    "catatan": "note",
    "note": "note",
}
ROLES = {"pengawas", "bhabinkamtibmas", "babinsa", "lainnya"}


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem of an import: where (file, row, column), the value found, and why it is refused."""

    file: str
    row: int  # 1 = the header row; 0 = the file as a whole
    column: str
    value: str
    reason: str

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file, "row": self.row, "column": self.column, "value": self.value, "reason": self.reason}


class ImportRejected(DomainError):
    """Nothing was written: the file has problems (every one listed)."""

    code = "import_rejected"

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"impor ditolak: {len(problems)} masalah; tidak ada data yang ditulis")
        self.problems = problems


@dataclass
class AssessmentRow:
    row: int
    tps_code: str
    assessed_at: datetime | None
    assessor_key: str
    organisation_code: str
    role: str
    note: str
    values: dict[str, int]


@dataclass
class ParsedFile:
    rows: list[AssessmentRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def _cells(data: bytes, filename: str) -> Iterator[list[Any]]:
    """Rows of the first sheet (XLSX) or of the CSV (UTF-8, UTF-8 with BOM, or Windows-1252; , or ;)."""
    if filename.lower().endswith((".xlsx", ".xlsm")):
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        yield from (list(r) for r in sheet.to_python(skip_empty_area=False))
        return
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252")
    sample = text[:4096]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    yield from csv.reader(io.StringIO(text), delimiter=delimiter)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_when(value: Any, zone: ZoneInfo) -> datetime | None:
    """A cell → an aware datetime (local wall time in ``zone``); None when empty; ValueError when unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime.combine(value, time(12, 0), tzinfo=zone)
    text = str(value).strip()
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%d/%m/%Y %H:%M"):
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=zone)
        except ValueError:
            pass
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
        try:
            return datetime.combine(datetime.strptime(text, fmt).date(), time(12, 0), tzinfo=zone)
        except ValueError:
            pass
    raise ValueError(text)


def assessments_file_parse(data: bytes, filename: str, catalogue: Catalogue, *, zone: ZoneInfo) -> ParsedFile:
    """Check the layout and every cell; TPS and assessors are resolved later against the registry."""
    out = ParsedFile()

    def problem(row: int, column: str, value: Any, reason: str) -> None:
        out.problems.append(Problem(filename, row, column, _text(value)[:120], reason))

    if not data.strip():
        problem(0, "", "", "berkas kosong")
        return out
    try:
        rows = _cells(data, filename)
        header_raw = next(rows, None)
    except Exception as exc:
        problem(
            0, "", "", f"berkas tidak dapat dibaca sebagai {'XLSX' if filename.lower().endswith('x') else 'CSV'}: {exc}"
        )
        return out
    if not header_raw or not any(_text(c) for c in header_raw):
        problem(1, "", "", "baris judul kolom kosong")
        return out
    known = {ind.code for ind in catalogue.indicators}
    columns: list[tuple[int, str]] = []  # (index, field or indicator code)
    for i, cell in enumerate(header_raw):
        name = _text(cell)
        if not name:
            continue
        key = ALIASES.get(name.lower())
        if key:
            columns.append((i, key))
        elif name.upper() in known:
            columns.append((i, name.upper()))
        else:
            close = difflib.get_close_matches(name.upper(), sorted(known), n=3, cutoff=0.5)
            hint = f"; mungkin: {', '.join(close)}" if close else ""
            what = (
                "indikator tidak dikenal di katalog " + catalogue.key
                if INDICATOR_LIKE.match(name)
                else "kolom tidak dikenal"
            )
            problem(1, name, name, what + hint)
    present = {c for _, c in columns}
    if not present:
        out.problems.clear()
        problem(
            1, "", _text(header_raw[0])[:40], "tidak ada kolom yang dikenali: bukan berkas penilaian (lihat tata letak)"
        )
        return out
    if "tps" not in present:
        problem(1, "tps", "", "kolom wajib 'tps' (kode TPS) tidak ada")
    for code in sorted(known - present):
        problem(1, code, "", f"kolom indikator {code} tidak ada (setiap indikator katalog harus ada)")
    if out.problems:
        return out
    seen: dict[tuple[str, str], int] = {}
    for number, raw in enumerate(rows, start=2):
        if number - 1 > MAX_ROWS:
            problem(number, "", "", f"lebih dari {MAX_ROWS} baris: pecah berkas per kabupaten")
            break
        cells = {name: (raw[i] if i < len(raw) else None) for i, name in columns}
        if not any(_text(v) for v in cells.values()):
            continue  # blank line
        tps = _text(cells.get("tps"))
        if not tps:
            problem(number, "tps", "", "kode TPS kosong")
        try:
            when = parse_when(cells.get("assessed_at"), zone)
        except ValueError:
            problem(number, "tanggal", cells.get("assessed_at"), "tanggal tidak terbaca (contoh: 2024-02-05)")
            when = None
        role = _text(cells.get("role")).lower() or "pengawas"
        if role not in ROLES:
            problem(number, "peran", role, f"peran harus salah satu dari: {', '.join(sorted(ROLES))}")
        values, value_problems = values_check(catalogue, {c: cells[c] for c in known})
        for vp in value_problems:
            problem(number, vp.code, vp.value, vp.reason)
        dup = (tps, when.isoformat() if when else "")
        if tps and dup in seen:
            problem(number, "tps", tps, f"TPS yang sama dengan tanggal yang sama sudah ada di baris {seen[dup]}")
        seen[dup] = number
        out.rows.append(
            AssessmentRow(
                row=number,
                tps_code=tps,
                assessed_at=when,
                assessor_key=_text(cells.get("assessor")),
                organisation_code=_text(cells.get("organisation")),
                role=role,
                note=_text(cells.get("note"))[:255],
                values=values,
            )
        )
    if not out.rows and not out.problems:
        problem(0, "", "", "berkas tidak berisi baris data")
    return out
