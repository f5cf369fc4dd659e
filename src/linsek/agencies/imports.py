"""Importing organisations (with jurisdiction and contact points), and the one entry point for every import.

Organisations layout: ``code``, ``name``, ``short_name``, ``type`` (an organisation type code such as
``polsek``), ``parent_code``, ``jurisdiction`` (region codes separated by ``;``), ``address``, ``lat``, ``lon``,
``phone``, ``whatsapp``, ``email`` (several values separated by ``;``). Same rules as every registry import:
all rows are validated first (two passes over the file: validate, then write in chunks), nothing is written
if any row has a problem, a re-import upserts by code and counts created / updated / unchanged. Columns the
file does not have keep their stored values; a present but empty ``parent_code`` or ``jurisdiction`` clears it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from linsek.agencies.models import ContactPoint, Organisation, OrganisationType
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
from linsek.regions.imports import (
    Progress,
    boundaries_import,
    file_sha256,
    import_audit,
    import_finish,
    point_parse,
    regions_import,
    tps_import,
)
from linsek.regions.models import Region

IMPORT_KINDS = ("regions", "tps", "organisations", "people", "boundaries")
CHUNK = 2_000
_SLUG = re.compile(r"^[-a-z0-9_]+$")
_PHONE = re.compile(r"^\+?[0-9(][0-9 ()./-]{4,24}$")
CONTACT_KINDS = ("phone", "whatsapp", "email")

ORG_COLUMNS = [
    Column("code", ("kode", "kode_organisasi", "kode_instansi", "org_code", "organisation_code"), required=True),
    Column("name", ("nama", "nama_organisasi", "nama_instansi"), required=True),
    Column("short_name", ("nama_singkat", "singkatan")),
    Column("type", ("jenis", "jenis_organisasi", "jenis_instansi", "tipe", "org_type"), required=True),
    Column("parent_code", ("kode_induk", "induk", "parent", "parent_organisation")),
    Column("jurisdiction", ("yurisdiksi", "wilayah", "wilayah_kerja", "kode_wilayah", "jurisdiction_codes")),
    Column("address"),
    Column("lat"),
    Column("lon"),
    Column("phone", ("telepon", "telp", "no_telepon", "nomor_telepon", "phone_number")),
    Column("whatsapp", ("wa", "no_wa", "nomor_wa")),
    Column("email", ("surel", "e_mail", "alamat_email")),
]


def registry_import(
    *, kind: str, path: Path | str, actor: Any = None, dry_run: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Run one registry import (``kind`` in :data:`IMPORT_KINDS`); the CLI and the admin upload page call this."""
    from linsek.agencies.imports_people import people_import

    if kind == "regions":
        return regions_import(path=path, actor=actor, dry_run=dry_run, progress=progress)
    if kind == "tps":
        return tps_import(path=path, actor=actor, dry_run=dry_run, progress=progress)
    if kind == "organisations":
        return organisations_import(path=path, actor=actor, dry_run=dry_run, progress=progress)
    if kind == "people":
        return people_import(path=path, actor=actor, dry_run=dry_run, progress=progress)
    if kind == "boundaries":
        return boundaries_import(path=path, actor=actor, dry_run=dry_run)
    raise ValueError(f"unknown import kind {kind!r}; expected one of {', '.join(IMPORT_KINDS)}")


@dataclass(frozen=True, slots=True)
class OrgRow:
    code: str
    name: str
    short_name: str
    type: str
    parent_code: str | None  # None: column absent (keep); "": clear
    jurisdiction: tuple[str, ...] | None
    address: str | None
    point: tuple[float, float] | bool | None  # False: column absent
    contacts: dict[str, tuple[str, ...]]  # kind → values, for the contact columns present


@dataclass
class OrgCatalog:
    """What validation compares against: types, existing organisations and region codes (loaded once)."""

    types: dict[str, OrganisationType]
    orgs: dict[str, tuple[int, str, int | None]]  # code → (id, type, parent id)
    org_codes_by_id: dict[int, str]
    regions: dict[str, int]
    _sorted: dict[str, list[str]]

    @classmethod
    def load(cls) -> OrgCatalog:
        types = {t.code: t for t in OrganisationType.objects.all()}
        orgs: dict[str, tuple[int, str, int | None]] = {
            c: (i, t, p) for i, c, t, p in Organisation.objects.values_list("id", "code", "type_id", "parent_id")
        }
        regions = dict(Region.objects.values_list("code", "id"))
        return cls(types, orgs, {v[0]: k for k, v in orgs.items()}, regions, {})

    def suggest(self, what: str, code: str) -> str:
        if what not in self._sorted:
            sources: dict[str, dict[str, Any]] = {"org": self.orgs, "region": self.regions, "type": self.types}
            self._sorted[what] = sorted(sources[what])
        near = code_suggestions(code, self._sorted[what])
        return ("; " + _("yang terdekat: %(near)s") % {"near": ", ".join(near)}) if near else ""


def split_values(text: str) -> tuple[str, ...]:
    """``a; b ,c`` → ``("a", "b", "c")``: a list cell separates values by semicolons, commas or new lines
    (none of which occurs in a region code, a phone number or an e-mail address)."""
    return tuple(v.strip() for v in re.split(r"[;,\n]", text) if v.strip())


def organisations_import(
    *, path: Path | str, actor: Any = None, dry_run: bool = False, progress: Progress | None = None
) -> ImportReport:
    """Import organisations (see the module docstring for the layout); nothing is written if any row is wrong.

    The parent may be another row of the same file; its type must be one the child's type allows
    (``OrganisationType.parent_types``), and parents may not form a loop.
    """
    path = Path(path)
    started = time.perf_counter()
    report = ImportReport(kind="organisations", file=path.name, dry_run=dry_run)
    log = ProblemLog(report.file)
    try:
        table = table_open(path, ORG_COLUMNS)
        catalog = OrgCatalog.load()
        in_file: dict[str, tuple[int, str, str | None]] = {}  # code → (row, type, parent code)
        for rowno, row in _org_rows(table, catalog, log):
            report.rows += 1
            if progress and not report.rows % 2000:
                progress("read", table.position, table.size)
            if row is None:
                continue
            if row.code in in_file:
                log.add(rowno, table.header("code"), row.code,
                        _("kode %(code)s sudah ada di baris %(row)d; setiap instansi cukup satu baris")
                        % {"code": row.code, "row": in_file[row.code][0]}, "duplicate")  # fmt: skip
                continue
            in_file[row.code] = (rowno, row.type, row.parent_code)
    except ImportRejected as exc:
        log.extend(exc.problems, exc.total)
        return import_finish(report, log, started)
    if report.rows == 0 and not log:
        log.add(None, None, None, _("berkas tidak berisi baris data di bawah judul kolom"), "empty")
    _parents_check(table, catalog, in_file, log)
    if log or dry_run:
        return import_finish(report, log, started)
    report.sha256 = file_sha256(path)
    with transaction.atomic():
        if progress:
            progress("write", 0, 1)
        created, updated = _orgs_write(table, catalog)
        report.created, report.updated = len(created), len(updated - created)
        report.unchanged = report.rows - report.created - report.updated
        import_audit(report, actor)
        report.written = True
    return import_finish(report, log, started)


def _org_rows(table: Table, catalog: OrgCatalog, log: ProblemLog) -> Iterator[tuple[int, OrgRow | None]]:
    for rowno, cells in table.rows():
        yield rowno, _org_row(table, catalog, log, rowno, cells)


def _org_row(table: Table, catalog: OrgCatalog, log: ProblemLog, rowno: int, cells: list[str]) -> OrgRow | None:
    ci = table.columns
    total_before = log.total

    def text(column: str, max_length: int, *, required: bool = False) -> str:
        if column not in ci:
            return ""
        try:
            value = cell_text(cells[ci[column]], max_length=max_length)
        except CellError as exc:
            log.add(rowno, table.header(column), cells[ci[column]], str(exc), "bad_value")
            return ""
        if required and not value:
            log.add(rowno, table.header(column), "", _("wajib diisi"), "bad_value")
        return value

    raw_code = cells[ci["code"]].strip()
    code = raw_code.lower()
    if not code or not _SLUG.match(code) or len(code) > 64:
        log.add(rowno, table.header("code"), raw_code,
                _("kode instansi hanya huruf kecil, angka, '-' atau '_' (paling banyak 64), misalnya %(s)s")
                % {"s": slugify(raw_code)[:64] or "polsek-mayong"}, "bad_code")  # fmt: skip
    name = text("name", 160, required=True)
    short_name = text("short_name", 60)
    raw_type = cells[ci["type"]].strip()
    type_code = header_key(raw_type)
    if type_code not in catalog.types:
        by_name = {header_key(t.name_id): c for c, t in catalog.types.items()}
        type_code = by_name.get(type_code, type_code)
    if type_code not in catalog.types:
        log.add(rowno, table.header("type"), raw_type,
                _("jenis instansi '%(t)s' tidak dikenal") % {"t": raw_type} + catalog.suggest("type", type_code),
                "unknown_type")  # fmt: skip
    parent: str | None = None
    if "parent_code" in ci:
        parent = cells[ci["parent_code"]].strip().lower()
    jurisdiction: tuple[str, ...] | None = None
    if "jurisdiction" in ci:
        jurisdiction = tuple(normalise(c) for c in split_values(cells[ci["jurisdiction"]]))
        for region_code in jurisdiction:
            if region_code not in catalog.regions:
                log.add(rowno, table.header("jurisdiction"), region_code,
                        _("kode wilayah %(code)s tidak ada di registri") % {"code": region_code}
                        + catalog.suggest("region", region_code), "unknown_region")  # fmt: skip
    address = text("address", 255) if "address" in ci else None
    point: tuple[float, float] | bool | None = False
    if "lat" in ci and "lon" in ci:
        point = point_parse(table, rowno, cells, log)
    contacts: dict[str, tuple[str, ...]] = {}
    for kind in CONTACT_KINDS:
        if kind not in ci:
            continue
        values = split_values(cells[ci[kind]])
        for value in values:
            if not _contact_ok(kind, value):
                reason = _("alamat surel tidak sah") if kind == "email" else _phone_reason()
                log.add(rowno, table.header(kind), value, reason, "bad_value")
        contacts[kind] = values
    if log.total > total_before:
        return None
    return OrgRow(code, name, short_name, type_code, parent, jurisdiction, address, point, contacts)


def _phone_reason() -> str:
    return _("nomor telepon tidak sah; tulis angka, boleh diawali +62, misalnya 0291-591110")


def _contact_ok(kind: str, value: str) -> bool:
    if len(value) > 160:
        return False
    if kind == "email":
        try:
            validate_email(value)
        except ValidationError:
            return False
        return True
    return bool(_PHONE.match(value))


def _parents_check(
    table: Table, catalog: OrgCatalog, in_file: dict[str, tuple[int, str, str | None]], log: ProblemLog
) -> None:
    """Parents exist (in the file or the registry), have an allowed type, and form no loop."""
    column = table.header("parent_code")
    pool: list[str] | None = None  # codes to suggest from, sorted once on the first unknown parent
    for code, (rowno, type_code, parent) in in_file.items():
        if not parent:
            continue
        if parent in in_file:
            parent_type = in_file[parent][1]
        elif parent in catalog.orgs:
            parent_type = catalog.orgs[parent][1]
        else:
            if pool is None:
                pool = sorted(set(catalog.orgs) | set(in_file))
            near = code_suggestions(parent, pool)
            reason = _("instansi induk %(code)s tidak ada di registri maupun di berkas ini") % {"code": parent}
            if near:
                reason += "; " + _("yang terdekat: %(near)s") % {"near": ", ".join(near)}
            log.add(rowno, column, parent, reason, "unknown_parent")
            continue
        allowed = catalog.types[type_code].parent_types or []
        if parent_type not in allowed:
            wanted = ", ".join(allowed) or _("(tanpa induk)")
            log.add(rowno, column, parent,
                    _("jenis %(type)s tidak boleh berinduk pada jenis %(parent)s; induk yang boleh: %(allowed)s")
                    % {"type": type_code, "parent": parent_type, "allowed": wanted}, "bad_parent")  # fmt: skip
            continue
        seen = {code}
        step: str | None = parent
        while step:
            if step in seen:
                log.add(rowno, column, parent, _("hubungan induk membentuk lingkaran (%(code)s)") % {"code": code},
                        "parent_loop")  # fmt: skip
                break
            seen.add(step)
            if step in in_file:
                step = in_file[step][2]
            else:
                parent_id = catalog.orgs[step][2] if step in catalog.orgs else None
                step = catalog.org_codes_by_id.get(parent_id) if parent_id else None


def _chunks(table: Table, catalog: OrgCatalog) -> Iterator[list[OrgRow]]:
    chunk: list[OrgRow] = []
    scratch = ProblemLog(table.file)  # pass 2 re-parses rows that pass 1 already found valid
    for _rowno, row in _org_rows(table, catalog, scratch):
        if row is not None:
            chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_ORG_FIELDS = ("name", "short_name", "type_id", "address", "lat", "lon")


def _orgs_write(table: Table, catalog: OrgCatalog) -> tuple[set[str], set[str]]:
    """Second pass: upsert in chunks, then parents (which may point to rows later in the file)."""
    created: set[str] = set()
    updated: set[str] = set()
    through = Organisation.jurisdiction.through
    for chunk in _chunks(table, catalog):
        existing = {o.code: o for o in Organisation.objects.filter(code__in=[r.code for r in chunk])}
        new, changed = [], []
        for row in chunk:
            values: dict[str, Any] = {"name": row.name, "short_name": row.short_name, "type_id": row.type}
            if row.address is not None:
                values["address"] = row.address
            if row.point is not False:
                values["lat"], values["lon"] = row.point if isinstance(row.point, tuple) else (None, None)
            org = existing.get(row.code)
            if org is None:
                new.append(Organisation(code=row.code, **values))
                created.add(row.code)
            elif any(getattr(org, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(org, k, v)
                changed.append(org)
                updated.add(row.code)
        Organisation.objects.bulk_create(new, batch_size=500)
        Organisation.objects.bulk_update(changed, list(_ORG_FIELDS), batch_size=500)
        ids = dict(Organisation.objects.filter(code__in=[r.code for r in chunk]).values_list("code", "id"))
        updated |= _jurisdiction_write(chunk, ids, catalog, through)
        updated |= _contacts_write(chunk, ids)
    if table.has("parent_code"):
        updated |= _parents_write(table, catalog)
    return created, updated


def _jurisdiction_write(chunk: list[OrgRow], ids: dict[str, int], catalog: OrgCatalog, through: Any) -> set[str]:
    rows = [r for r in chunk if r.jurisdiction is not None]
    if not rows:
        return set()
    current: dict[int, set[int]] = {}
    for oid, rid in through.objects.filter(organisation_id__in=[ids[r.code] for r in rows]).values_list(
        "organisation_id", "region_id"
    ):
        current.setdefault(oid, set()).add(rid)
    changed: set[str] = set()
    add, drop = [], []
    for r in rows:
        oid = ids[r.code]
        want = {catalog.regions[c] for c in r.jurisdiction or ()}
        have = current.get(oid, set())
        if want != have:
            changed.add(r.code)
            add += [through(organisation_id=oid, region_id=rid) for rid in want - have]
            drop += [(oid, rid) for rid in have - want]
    through.objects.bulk_create(add, batch_size=1000)
    for oid, rid in drop:
        through.objects.filter(organisation_id=oid, region_id=rid).delete()
    return changed


def _contacts_write(chunk: list[OrgRow], ids: dict[str, int]) -> set[str]:
    rows = [r for r in chunk if r.contacts]
    if not rows:
        return set()
    kinds = sorted({k for r in rows for k in r.contacts})
    current: dict[tuple[int, str], list[str]] = {}
    for oid, kind, value in (
        ContactPoint.objects.filter(organisation_id__in=[ids[r.code] for r in rows], kind__in=kinds)
        .order_by("id")
        .values_list("organisation_id", "kind", "value")
    ):
        current.setdefault((oid, kind), []).append(value)
    changed: set[str] = set()
    new: list[ContactPoint] = []
    for r in rows:
        oid = ids[r.code]
        for kind, values in r.contacts.items():
            if list(values) != current.get((oid, kind), []):
                changed.add(r.code)
                ContactPoint.objects.filter(organisation_id=oid, kind=kind).delete()
                new += [ContactPoint(organisation_id=oid, kind=kind, value=v) for v in values]
    ContactPoint.objects.bulk_create(new, batch_size=1000)
    return changed


def _parents_write(table: Table, catalog: OrgCatalog) -> set[str]:
    changed: set[str] = set()
    for chunk in _chunks(table, catalog):
        codes = {r.code for r in chunk} | {r.parent_code for r in chunk if r.parent_code}
        rows = dict(Organisation.objects.filter(code__in=codes).values_list("code", "id"))
        parents = dict(Organisation.objects.filter(code__in=[r.code for r in chunk]).values_list("code", "parent_id"))
        fix = []
        for r in chunk:
            want = rows[r.parent_code] if r.parent_code else None
            if parents.get(r.code) != want:
                fix.append(Organisation(id=rows[r.code], parent_id=want))
                changed.add(r.code)
        Organisation.objects.bulk_update(fix, ["parent_id"], batch_size=500)
    return changed
