"""Reading import files (CSV and XLSX) row by row, and reporting what is wrong with them.

The readers stream: a CSV is decoded line by line (so the row where UTF-8 decoding fails is known), an XLSX
sheet is walked with python-calamine. Headers are matched case-insensitively, ignoring spaces and punctuation,
and through aliases (``kode_desa`` = ``village_code``, ``lintang`` = ``lat`` …), because KPU, the police and
the regency government each name their columns differently. Everything a person must fix is a
:class:`Problem` (file, row, column, value, reason); the reasons say what is wrong and what to do about it.
"""

from __future__ import annotations

import bisect
import csv
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from linsek.core.errors import DomainError

PROBLEMS_KEPT = 200
CSV_SUFFIXES = (".csv", ".txt", ".tsv")
XLSX_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
_DELIMITERS = (",", ";", "\t", "|")
_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing to fix in an import file. ``row`` counts like a spreadsheet: the header is row 1."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    reason: str
    code: str = ""  # machine-readable: "encoding", "unknown_village", "duplicate", …


class ImportRejected(DomainError):
    """An import file with problems; nothing was written. Carries the (first) problems and their total."""

    code = "import_rejected"

    def __init__(self, problems: Sequence[Problem], *, total: int | None = None, report: Any = None) -> None:
        first = problems[0].reason if problems else ""
        super().__init__(_("Berkas impor ditolak: %(reason)s") % {"reason": first})
        self.problems = list(problems)
        self.total = total if total is not None else len(self.problems)
        self.report = report


class ProblemLog:
    """Collects problems for one file, keeping the first :data:`PROBLEMS_KEPT` and counting all of them."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.kept: list[Problem] = []
        self.total = 0

    def add(self, row: int | None, column: str | None, value: str | None, reason: str, code: str = "") -> None:
        self.total += 1
        if len(self.kept) < PROBLEMS_KEPT:
            shown = value if value is None or len(value) <= 200 else value[:200] + "…"
            self.kept.append(Problem(self.file, row, column, shown, reason, code))

    def extend(self, problems: Iterable[Problem], total: int | None = None) -> None:
        added = 0
        for p in problems:
            added += 1
            self.add(p.row, p.column, p.value, p.reason, p.code)
        if total is not None and total > added:
            self.total += total - added

    @property
    def wants_detail(self) -> bool:
        """Whether a new problem would still be kept (so an expensive reason is worth composing)."""
        return len(self.kept) < PROBLEMS_KEPT

    def __bool__(self) -> bool:
        return self.total > 0


@dataclass
class ImportReport:
    """What an import found and did. ``written`` is True only when the rows were committed."""

    kind: str
    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    problems_total: int = 0
    written: bool = False
    dry_run: bool = False
    seconds: float = 0.0
    sha256: str = ""

    @property
    def rejected(self) -> bool:
        return self.problems_total > 0

    def raise_if_rejected(self) -> None:
        """For callers that prefer the domain exception (the API maps it to a 4xx body)."""
        if self.rejected:
            raise ImportRejected(self.problems, total=self.problems_total, report=self)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Column:
    """A column an importer reads: its canonical name, other header names for it, and whether it must be there."""

    name: str
    aliases: tuple[str, ...] = ()
    required: bool = False


# Header names seen in KPU, Polri and Pemkab spreadsheets, by canonical column (compared after header_key()).
ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("kode", "kode_wilayah", "kode_kemendagri", "region_code"),
    "name": ("nama", "nama_wilayah", "region_name"),
    "village_code": ("kode_desa", "kode_kelurahan", "kode_desa_kelurahan", "kd_desa", "village", "desa_kode"),
    "number": ("no_tps", "nomor_tps", "tps", "nomor", "no", "tps_number", "tps_no"),
    "address": ("alamat", "alamat_tps", "lokasi", "lokasi_tps"),
    "voters_male": ("laki_laki", "male", "l", "lk", "pemilih_laki", "pemilih_laki_laki", "dpt_l", "dpt_laki_laki"),
    "voters_female": ("perempuan", "female", "p", "pr", "pemilih_perempuan", "dpt_p", "dpt_perempuan"),
    "voters_total": ("total", "jumlah", "jumlah_pemilih", "dpt", "l_p", "lp", "dpt_total", "total_pemilih"),
    "lat": ("latitude", "lintang", "y"),
    "lon": ("lng", "longitude", "bujur", "long", "x"),
    "island": ("pulau",),
    "boat_only": ("hanya_laut", "hanya_lewat_laut", "lewat_laut", "boat"),
    "remote": ("terpencil",),
    "special": ("khusus", "tps_khusus", "jenis_tps_khusus"),
    "access_notes": ("catatan_akses", "akses", "catatan", "keterangan", "notes"),
}


def header_key(text: str) -> str:
    """``'No. TPS'`` → ``'no_tps'``, ``'Laki-laki'`` → ``'laki_laki'``: lower case, punctuation to underscores."""
    return re.sub(r"[^0-9a-z]+", "_", text.replace("\ufeff", "").strip().lower()).strip("_")


class Table:
    """An opened import file: which column is where, and its data rows as lists of text."""

    def __init__(self, path: Path, file: str, fmt: str, header_row: int, header: list[str]) -> None:
        self.path = path
        self.file = file
        self.format = fmt
        self.header_row = header_row
        self.raw_header = header
        self.width = len(header)
        self.columns: dict[str, int] = {}
        self.headers: dict[str, str] = {}
        self.delimiter = ","
        self.data_offset = 0
        self.size = 1
        self._position = 0

    def has(self, name: str) -> bool:
        return name in self.columns

    def header(self, name: str) -> str:
        """The column's header as written in the file (what the person will look for), else its canonical name."""
        return self.headers.get(name, name)

    @property
    def position(self) -> int:
        """Progress: bytes read (CSV) or rows read (XLSX), out of :attr:`size`."""
        return self._position

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(row number, cells) for every non-empty data row; cells are padded to the header's width.

        Raises :class:`ImportRejected` if the file stops being readable part-way (bad UTF-8, broken XLSX).
        """
        return self._csv_rows() if self.format == "csv" else self._xlsx_rows()

    def _csv_rows(self) -> Iterator[tuple[int, list[str]]]:
        width = self.width
        rowno = self.header_row
        with self.path.open("rb") as fh:
            fh.seek(self.data_offset)
            reader = csv.reader(map(bytes.decode, fh), delimiter=self.delimiter)
            try:
                for n, cells in enumerate(reader, start=rowno + 1):
                    rowno = n
                    if not any(cells):
                        continue
                    if len(cells) < width:
                        cells.extend([""] * (width - len(cells)))
                    if not n & 0x3FFF:
                        self._position = fh.tell()
                    yield n, cells
            except UnicodeDecodeError:
                raise ImportRejected([_encoding_problem(self.file, rowno + 1)]) from None
            except csv.Error as exc:
                raise ImportRejected([_unreadable(self.file, rowno + 1, str(exc))]) from None
        self._position = self.size

    def _xlsx_rows(self) -> Iterator[tuple[int, list[str]]]:
        width = self.width
        sheet, start = _xlsx_sheet(self.path, self.file)
        rowno = start
        try:
            for index, values in enumerate(sheet.iter_rows()):
                rowno = start + index + 1
                if rowno <= self.header_row:
                    continue
                cells = [_xlsx_text(v) for v in values]
                self._position = index
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) < width:
                    cells.extend([""] * (width - len(cells)))
                yield rowno, cells
        except Exception as exc:  # calamine raises its own error types for a truncated or corrupt sheet
            if isinstance(exc, ImportRejected):
                raise
            raise ImportRejected([_unreadable(self.file, rowno + 1, str(exc))]) from None
        self._position = self.size


def table_open(path: Path | str, columns: Sequence[Column], *, file: str | None = None) -> Table:
    """Open a CSV or XLSX file and map its header to ``columns``; raises :class:`ImportRejected` when the
    file cannot be imported at all (unknown type, unreadable, wrong encoding, empty, required column missing)."""
    path = Path(path)
    name = file or path.name
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        table = _csv_open(path, name)
    elif suffix in XLSX_SUFFIXES:
        table = _xlsx_open(path, name)
    else:
        raise ImportRejected(
            [
                Problem(
                    name,
                    None,
                    None,
                    suffix or name,
                    _("jenis berkas %(suffix)s tidak didukung: simpan sebagai CSV (UTF-8) atau XLSX")
                    % {"suffix": suffix or "?"},
                    "file_type",
                )
            ]
        )
    _map_header(table, columns)
    return table


def _csv_open(path: Path, name: str) -> Table:
    try:
        fh: IO[bytes] = path.open("rb")
    except OSError as exc:
        raise ImportRejected([_unreadable(name, None, exc.strerror or str(exc))]) from None
    with fh:
        head = fh.read(4)
        if head.startswith(b"PK\x03\x04"):
            raise ImportRejected(
                [
                    Problem(
                        name,
                        None,
                        None,
                        None,
                        _(
                            "berkas ini adalah buku kerja Excel (XLSX), bukan CSV: beri akhiran .xlsx atau "
                            "simpan ulang sebagai CSV UTF-8"
                        ),
                        "file_type",
                    )
                ]
            )
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise ImportRejected([_encoding_problem(name, 1)])
        fh.seek(3 if head.startswith(_BOM) else 0)
        rowno = 0
        line = b""
        while True:
            line = fh.readline()
            if not line:
                raise ImportRejected([_empty(name)])
            rowno += 1
            if line.strip(b" \t\r\n,;|"):
                break
        try:
            text = line.decode()
        except UnicodeDecodeError:
            raise ImportRejected([_encoding_problem(name, rowno)]) from None
        delimiter = max(_DELIMITERS, key=lambda d: (text.count(d), d == ","))
        header = next(csv.reader([text], delimiter=delimiter))
        table = Table(path, name, "csv", rowno, header)
        table.delimiter = delimiter
        table.data_offset = fh.tell()
        fh.seek(0, 2)
        table.size = max(1, fh.tell())
    return table


def _xlsx_sheet(path: Path, name: str) -> tuple[Any, int]:
    from python_calamine import CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_path(str(path))
        if not workbook.sheet_names:
            raise ImportRejected([_empty(name)])
        sheet = workbook.get_sheet_by_index(0)
    except ImportRejected:
        raise
    except Exception as exc:  # python-calamine: CalamineError, ZipError, XmlError, PasswordError, …
        raise ImportRejected([_unreadable(name, None, str(exc))]) from None
    start = sheet.start[0] if sheet.start else 0
    return sheet, int(start)


def _xlsx_open(path: Path, name: str) -> Table:
    sheet, start = _xlsx_sheet(path, name)
    try:
        for index, values in enumerate(sheet.iter_rows()):
            cells = [_xlsx_text(v) for v in values]
            if any(c.strip() for c in cells):
                table = Table(path, name, "xlsx", start + index + 1, cells)
                table.size = max(1, int(sheet.height))
                return table
    except Exception as exc:
        raise ImportRejected([_unreadable(name, None, str(exc))]) from None
    raise ImportRejected([_empty(name)])


def _xlsx_text(value: object) -> str:
    """A cell as the text a person typed: ``12.0`` → ``12`` (Excel stores every number as a float)."""
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def _map_header(table: Table, columns: Sequence[Column]) -> None:
    lookup: dict[str, str] = {}
    for column in columns:  # an importer's own names win over the shared aliases
        for alias in (column.name, *column.aliases):
            lookup.setdefault(header_key(alias), column.name)
    for column in columns:
        for alias in ALIASES.get(column.name, ()):
            lookup.setdefault(header_key(alias), column.name)
    problems: list[Problem] = []
    for index, text in enumerate(table.raw_header):
        canonical = lookup.get(header_key(text))
        if canonical is None:
            continue
        if canonical in table.columns:
            problems.append(
                Problem(
                    table.file,
                    table.header_row,
                    text,
                    text,
                    _("kolom ganda: '%(a)s' dan '%(b)s' sama-sama berarti %(name)s; hapus salah satu")
                    % {"a": table.headers[canonical], "b": text, "name": canonical},
                    "duplicate_column",
                )
            )
            continue
        table.columns[canonical] = index
        table.headers[canonical] = text.strip()
    for column in columns:
        if column.required and column.name not in table.columns:
            problems.append(missing_column(table, column))
    if problems:
        raise ImportRejected(problems)


def code_suggestions(code: str, codes: Sequence[str], limit: int = 3) -> list[str]:
    """The known codes closest to an unknown one (``codes`` sorted): neighbours in sort order, ranked by the
    length of the shared beginning, then by numeric distance. Cheap (a bisection), so it can run per problem."""
    if not codes or not code:
        return []
    i = bisect.bisect_left(codes, code)
    near = codes[max(0, i - limit) : i + limit]
    digits = code.replace(".", "")

    def closeness(candidate: str) -> tuple[int, int]:
        common = 0
        for a, b in zip(candidate, code, strict=False):
            if a != b:
                break
            common += 1
        other = candidate.replace(".", "")
        gap = abs(int(other) - int(digits)) if other.isdigit() and digits.isdigit() else 0
        return (-common, gap)

    return sorted(near, key=closeness)[:limit]


def missing_column(table: Table, column: Column, *, alternatives: str = "") -> Problem:
    """The problem for a required column that the header does not have."""
    names = ", ".join([column.name, *column.aliases, *ALIASES.get(column.name, ())][:5])
    reason = _("kolom wajib '%(name)s' tidak ada; tambahkan kolom dengan judul salah satu dari: %(names)s") % {
        "name": column.name,
        "names": names,
    }
    if alternatives:
        reason += " " + alternatives
    return Problem(table.file, table.header_row, column.name, None, reason, "missing_column")


def _encoding_problem(file: str, row: int | None) -> Problem:
    return Problem(
        file, row, None, None, _("pengodean salah: simpan berkas sebagai UTF-8 (di Excel: CSV UTF-8)"), "encoding"
    )


def _unreadable(file: str, row: int | None, detail: str) -> Problem:
    return Problem(
        file,
        row,
        None,
        None,
        _("berkas tidak dapat dibaca (%(detail)s): simpan ulang sebagai CSV UTF-8 atau XLSX") % {"detail": detail},
        "unreadable",
    )


def _empty(file: str) -> Problem:
    return Problem(file, None, None, None, _("berkas kosong: baris pertama harus berisi judul kolom"), "empty")
