"""Importing people: ``organisation_code``, ``full_name``, ``rank``, ``position``, ``id_number``, ``phone``,
``duty_role``, ``home_region_code``.

The upsert key (``Person.key``) is ``id:<id_number>`` when an NRP/NIP/NIK is given, else
``org:<organisation code>:<name in lower case>``: the same officer re-imported with a corrected rank is an
update, not a second person. Two passes over the file (validate, then write in chunks of
:data:`CHUNK` rows), so memory holds only the keys seen; nothing is written if any row has a problem.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from linsek.agencies.models import DutyRole, Organisation, Person
from linsek.core.cells import CellError, cell_text
from linsek.core.codes import normalise
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
from linsek.regions.imports import Progress, file_sha256, import_audit, import_finish
from linsek.regions.models import Region

CHUNK = 5_000
KEY_MAX = 120
_ID_NUMBER = re.compile(r"^[0-9A-Za-z./-]{4,32}$")
_PHONE = re.compile(r"^\+?[0-9(][0-9 ()./-]{4,24}$")

PEOPLE_COLUMNS = [
    Column(
        "organisation_code",
        ("kode_organisasi", "kode_instansi", "organisation", "organization_code", "instansi", "org_code"),
        required=True,
    ),
    Column("full_name", ("nama", "nama_lengkap", "name"), required=True),
    Column("rank", ("pangkat", "golongan", "pangkat_golongan")),
    Column("position", ("jabatan",)),
    Column("id_number", ("nrp", "nip", "nik", "nrp_nip", "nrp_nip_nik", "no_identitas", "nomor_identitas")),
    Column("phone", ("telepon", "telp", "hp", "no_hp", "nomor_hp", "no_telepon", "phone_number")),
    Column("duty_role", ("peran", "peran_tugas", "tugas", "role")),
    Column("home_region_code", ("kode_wilayah", "wilayah", "home_region", "penempatan", "wilayah_tugas", "kode_desa")),
]


def person_key(*, id_number: str, organisation_code: str, full_name: str) -> str:
    """The import key of a person; a long name is shortened with a hash so the key fits its column."""
    key = f"id:{id_number}" if id_number else f"org:{organisation_code}:{' '.join(full_name.lower().split())}"
    if len(key) > KEY_MAX:
        key = key[: KEY_MAX - 17] + "~" + hashlib.sha256(key.encode()).hexdigest()[:16]
    return key


@dataclass(frozen=True, slots=True)
class PersonRow:
    key: str
    values: dict[str, Any]  # model field → value, for the columns present


@dataclass
class PeopleCatalog:
    orgs: dict[str, int]
    roles: dict[str, str]  # header_key(code or Indonesian name) → code
    regions: dict[str, int]
    _sorted: dict[str, list[str]]

    @classmethod
    def load(cls) -> PeopleCatalog:
        roles: dict[str, str] = {}
        for code, name_id in DutyRole.objects.values_list("code", "name_id"):
            roles[header_key(code)] = code
            roles.setdefault(header_key(name_id), code)
        return cls(
            dict(Organisation.objects.values_list("code", "id")),
            roles,
            dict(Region.objects.values_list("code", "id")),
            {},
        )

    def suggest(self, what: str, code: str) -> str:
        if what not in self._sorted:
            source = {"org": self.orgs, "region": self.regions, "role": set(self.roles.values())}[what]
            self._sorted[what] = sorted(source)
        near = code_suggestions(code, self._sorted[what])
        return ("; " + _("yang terdekat: %(near)s") % {"near": ", ".join(near)}) if near else ""


def people_import(
    *, path: Path | str, actor: Any = None, dry_run: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Import people (see the module docstring); columns the file lacks keep their stored values."""
    path = Path(path)
    started = time.perf_counter()
    report = ImportReport(kind="people", file=path.name, dry_run=dry_run)
    log = ProblemLog(report.file)
    try:
        table = table_open(path, PEOPLE_COLUMNS)
        catalog = PeopleCatalog.load()
        first_row: dict[str, int] = {}
        for rowno, row in _rows(table, catalog, log):
            report.rows += 1
            if progress and not report.rows % 5000:
                progress("read", table.position, table.size)
            if row is None:
                continue
            if row.key in first_row:
                log.add(rowno, table.header("id_number" if row.key.startswith("id:") else "full_name"), row.key,
                        _("orang yang sama (%(key)s) sudah ada di baris %(row)d; cukup satu baris per orang")
                        % {"key": row.key, "row": first_row[row.key]}, "duplicate")  # fmt: skip
                continue
            first_row[row.key] = rowno
    except ImportRejected as exc:
        log.extend(exc.problems, exc.total)
        return import_finish(report, log, started)
    if report.rows == 0 and not log:
        log.add(None, None, None, _("berkas tidak berisi baris data di bawah judul kolom"), "empty")
    if log or dry_run:
        return import_finish(report, log, started)
    del first_row
    report.sha256 = file_sha256(path)
    with transaction.atomic():
        if progress:
            progress("write", 0, 1)
        for chunk in _chunks(table, catalog):
            created, updated = _write(chunk)
            report.created += created
            report.updated += updated
        report.unchanged = report.rows - report.created - report.updated
        import_audit(report, actor)
        report.written = True
    return import_finish(report, log, started)


def _rows(table: Table, catalog: PeopleCatalog, log: ProblemLog) -> Iterator[tuple[int, PersonRow | None]]:
    for rowno, cells in table.rows():
        yield rowno, _row(table, catalog, log, rowno, cells)


def _row(table: Table, catalog: PeopleCatalog, log: ProblemLog, rowno: int, cells: list[str]) -> PersonRow | None:
    ci = table.columns
    before = log.total
    values: dict[str, Any] = {}

    def text(column: str, max_length: int) -> str:
        try:
            return cell_text(cells[ci[column]], max_length=max_length)
        except CellError as exc:
            log.add(rowno, table.header(column), cells[ci[column]], str(exc), "bad_value")
            return ""

    org_code = cells[ci["organisation_code"]].strip().lower()
    if org_code not in catalog.orgs:
        log.add(rowno, table.header("organisation_code"), cells[ci["organisation_code"]],
                _("instansi %(code)s tidak ada di registri; impor instansi dulu") % {"code": org_code or "(kosong)"}
                + catalog.suggest("org", org_code), "unknown_organisation")  # fmt: skip
    else:
        values["organisation_id"] = catalog.orgs[org_code]
    full_name = " ".join(text("full_name", 120).split())
    if not full_name:
        log.add(rowno, table.header("full_name"), "", _("nama lengkap wajib diisi"), "bad_value")
    values["full_name"] = full_name
    for column, max_length in (("rank", 60), ("position", 120)):
        if column in ci:
            values[column] = text(column, max_length)
    id_number = ""
    if "id_number" in ci:
        id_number = cells[ci["id_number"]].replace(" ", "").strip()
        if id_number and not _ID_NUMBER.match(id_number):
            log.add(rowno, table.header("id_number"), cells[ci["id_number"]],
                    _("NRP/NIP/NIK hanya angka atau huruf (4–32 karakter); format kolom sebagai Teks di Excel"),
                    "bad_value")  # fmt: skip
        values["id_number"] = id_number
    if "phone" in ci:
        phone = cells[ci["phone"]].strip()
        if phone and (not _PHONE.match(phone) or len(phone) > 32):
            log.add(rowno, table.header("phone"), phone,
                    _("nomor telepon tidak sah; tulis angka, boleh diawali +62, misalnya 081234567890"),
                    "bad_value")  # fmt: skip
        values["phone"] = phone
    if "duty_role" in ci:
        raw = cells[ci["duty_role"]].strip()
        role = catalog.roles.get(header_key(raw)) if raw else None
        if raw and role is None:
            reason = _("peran tugas '%(role)s' tidak dikenal") % {"role": raw}
            log.add(rowno, table.header("duty_role"), raw, reason + catalog.suggest("role", header_key(raw)),
                    "unknown_role")  # fmt: skip
        values["duty_role_id"] = role
    if "home_region_code" in ci:
        raw = cells[ci["home_region_code"]].strip()
        code = normalise(raw) if raw else ""
        if code and code not in catalog.regions:
            log.add(rowno, table.header("home_region_code"), raw,
                    _("kode wilayah %(code)s tidak ada di registri") % {"code": code} + catalog.suggest("region", code),
                    "unknown_region")  # fmt: skip
        values["home_region_id"] = catalog.regions.get(code) if code else None
    if log.total > before:
        return None
    return PersonRow(person_key(id_number=id_number, organisation_code=org_code, full_name=full_name), values)


def _chunks(table: Table, catalog: PeopleCatalog) -> Iterator[list[PersonRow]]:
    chunk: list[PersonRow] = []
    scratch = ProblemLog(table.file)
    for _rowno, row in _rows(table, catalog, scratch):
        if row is not None:
            chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _write(chunk: list[PersonRow]) -> tuple[int, int]:
    existing = {p.key: p for p in Person.objects.filter(key__in=[r.key for r in chunk])}
    new, changed = [], []
    fields: set[str] = set()
    for row in chunk:
        person = existing.get(row.key)
        if person is None:
            new.append(Person(key=row.key, **row.values))
            continue
        diff = {k: v for k, v in row.values.items() if getattr(person, k) != v}
        if diff:
            for k, v in diff.items():
                setattr(person, k, v)
            fields.update(diff)
            changed.append(person)
    Person.objects.bulk_create(new, batch_size=1000)
    if changed:
        Person.objects.bulk_update(changed, sorted(fields), batch_size=1000)
    return len(new), len(changed)
