"""TPS import: the happy path, re-import counts, dry run, XLSX, and every bad input of the issue.

Every rejected import must leave the registry exactly as it was (rows, roll-ups, audit chain).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from openpyxl import Workbook

from conftest import SmallJepara
from linsek.audit.models import AuditEvent
from linsek.core.tabular import Problem
from linsek.regions import imports_tps
from linsek.regions.imports import tps_import
from linsek.regions.models import PollingStation, Region
from linsek.regions.tests.conftest import WriteFile, registry_state, tps_csv

NEW_AND_CHANGED = (
    "33.20.04.2001,5,Dukuh Krajan,120,130,250,-6.7400,110.7630",
    "33.20.04.2001,6,Balai Desa,100,101,,-6.7410,110.7640",
    "33.20.04.2001,1,SD 1 Pelemkerep,150,150,300,-6.7383,110.7632",
)


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, problems
    return problems[0]


def test_tps_import_creates_and_updates_and_refreshes_rollups(jepara_small: SmallJepara, write_file: WriteFile) -> None:
    path = write_file("tps.csv", tps_csv(*NEW_AND_CHANGED))
    report = tps_import(path=path)
    assert report.problems == [] and report.written
    assert (report.rows, report.created, report.updated, report.unchanged) == (3, 2, 1, 0)
    six = PollingStation.objects.get(code="33.20.04.2001.006")
    assert (six.voters_male, six.voters_female, six.voters_total) == (100, 101, 201)  # total defaults to L+P
    assert (six.district_id, six.regency_id, six.province_id) == (jepara_small.mayong.id, jepara_small.regency.id,
                                                                  jepara_small.province.id)  # fmt: skip
    one = PollingStation.objects.get(code="33.20.04.2001.001")
    assert (one.address, one.voters_total) == ("SD 1 Pelemkerep", 300)
    village = Region.objects.get(code="33.20.04.2001")
    assert (village.tps_count, village.voters_total) == (6, 245 * 3 + 300 + 250 + 201)
    assert Region.objects.get(code="33.20").tps_count == 11
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None and event.action == "registry.import"
    assert event.data["sha256"] == report.sha256 and len(report.sha256) == 64
    assert (event.data["kind"], event.data["created"], event.data["updated"]) == ("tps", 2, 1)


def test_reimport_reports_unchanged_then_updated(jepara_small: SmallJepara, write_file: WriteFile) -> None:
    path = write_file("tps.csv", tps_csv(*NEW_AND_CHANGED))
    tps_import(path=path)
    again = tps_import(path=path)
    assert (again.created, again.updated, again.unchanged, again.written) == (0, 0, 3, True)
    edited = write_file("tps2.csv", tps_csv(*NEW_AND_CHANGED[:2], NEW_AND_CHANGED[2].replace(",300,", ",301,")))
    third = tps_import(path=edited)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 2)
    assert PollingStation.objects.get(code="33.20.04.2001.001").voters_total == 301


def test_dry_run_reports_and_writes_nothing(jepara_small: SmallJepara, write_file: WriteFile) -> None:
    before = registry_state()
    report = tps_import(path=write_file("tps.csv", tps_csv(*NEW_AND_CHANGED)), dry_run=True)
    assert report.dry_run and not report.written and report.problems_total == 0 and report.rows == 3
    assert registry_state() == before


def test_xlsx_with_numbers_stored_as_numbers(jepara_small: SmallJepara, tmp_path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Kode Desa", "No. TPS", "Alamat", "L", "P", "Lintang", "Bujur", "Pulau", "Hanya Laut"])
    sheet.append([3320102001, 3, "Dermaga", 90, 95, -5.8470, 110.4540, "Karimunjawa", "ya"])
    path = tmp_path / "tps.xlsx"
    workbook.save(path)
    report = tps_import(path=path)
    assert report.problems == [] and (report.created, report.written) == (1, True)
    tps = PollingStation.objects.get(code="33.20.10.2001.003")
    assert (tps.voters_total, tps.island, tps.boat_only, tps.lat) == (185, "Karimunjawa", True, -5.847)


def test_semicolon_csv_with_bom_and_decimal_commas(jepara_small: SmallJepara, write_file: WriteFile) -> None:
    text = "\ufeffKode_Desa;Nomor;Alamat;L;P;Lat;Lng\n33.20.04.2002;4;Jl. Raya;100;100;-6,7300;110,7700\n"
    report = tps_import(path=write_file("excel.csv", text.encode("utf-8")))
    assert report.problems == [] and report.created == 1
    assert PollingStation.objects.get(code="33.20.04.2002.004").lon == pytest.approx(110.77)


def _rejected(path: Path, before: dict[str, Any]) -> list[Problem]:
    report = tps_import(path=path)
    assert not report.written and report.problems_total >= 1
    assert (report.created, report.updated) == (0, 0)
    assert registry_state() == before, "a rejected import must not change the registry"
    return report.problems


def test_unknown_village_code_is_named_with_the_closest_codes(jepara_small: SmallJepara, write_file: WriteFile) -> None:
    before = registry_state()
    path = write_file("tps.csv", tps_csv(NEW_AND_CHANGED[0], NEW_AND_CHANGED[1], "33.20.04.2009,1,X,10,10,20,,"))
    p = only(_rejected(path, before))
    assert (p.file, p.row, p.column, p.value, p.code) == ("tps.csv", 4, "kode_desa", "33.20.04.2009", "unknown_village")
    assert "33.20.04.2009" in p.reason and "33.20.04.2002" in p.reason and "33.20.04.2001" in p.reason


def test_duplicate_tps_number_in_a_village(jepara_small: SmallJepara, write_file: WriteFile) -> None:
    before = registry_state()
    path = write_file("tps.csv", tps_csv(NEW_AND_CHANGED[0], NEW_AND_CHANGED[0].replace("Dukuh", "Dusun")))
    p = only(_rejected(path, before))
    assert (p.row, p.column, p.value, p.code) == (3, "no_tps", "5", "duplicate")
    assert "baris 2" in p.reason


def test_coordinates_outside_indonesia(jepara_small: SmallJepara, write_file: WriteFile) -> None:
    before = registry_state()
    p = only(_rejected(write_file("tps.csv", tps_csv("33.20.04.2001,5,X,1,1,2,48.85,2.35")), before))
    assert (p.row, p.column, p.value, p.code) == (2, "lintang/bujur", "48.85, 2.35", "outside_indonesia")
    swapped = only(_rejected(write_file("tps2.csv", tps_csv("33.20.04.2001,5,X,1,1,2,110.76,-6.74")), before))
    assert "tertukar" in swapped.reason


def test_coordinates_far_outside_the_village_district(jepara_small: SmallJepara, write_file: WriteFile) -> None:
    before = registry_state()
    # A Mayong (Pelemkerep) TPS placed on Karimunjawa island: inside Indonesia, ~100 km from Mayong.
    p = only(_rejected(write_file("tps.csv", tps_csv("33.20.04.2001,5,X,1,1,2,-5.8488,110.4521")), before))
    assert (p.row, p.column, p.code) == (2, "lintang/bujur", "outside_district")
    assert "Mayong" in p.reason and "33.20.04" in p.reason
    near = write_file("ok.csv", tps_csv("33.20.04.2001,5,X,1,1,2,-6.78,110.70"))  # ~7 km off: a border case
    assert tps_import(path=near).written


@pytest.mark.parametrize(
    ("cells", "column", "value", "code"),
    [
        ("-5,10,", "laki_laki", "-5", "bad_voters"),
        ("10,banyak,", "perempuan", "banyak", "bad_voters"),
        ("10,10,15", "jumlah", "15", "bad_voters"),
        (",10,10", "laki_laki", "", "bad_voters"),
    ],
)
def test_negative_non_numeric_or_inconsistent_voters(
    jepara_small: SmallJepara, write_file: WriteFile, cells: str, column: str, value: str, code: str
) -> None:
    before = registry_state()
    p = only(_rejected(write_file("tps.csv", tps_csv(f"33.20.04.2001,5,X,{cells},-6.74,110.76")), before))
    assert (p.row, p.column, p.value, p.code) == (2, column, value, code)


@pytest.mark.parametrize("number", ["0", "1000", "lima", "2.5"])
def test_tps_number_outside_1_to_999(jepara_small: SmallJepara, write_file: WriteFile, number: str) -> None:
    before = registry_state()
    p = only(_rejected(write_file("tps.csv", tps_csv(f"33.20.04.2001,{number},X,1,1,2,,")), before))
    assert (p.row, p.column, p.value, p.code) == (2, "no_tps", number, "bad_number")


def test_missing_required_column(jepara_small: SmallJepara, write_file: WriteFile) -> None:
    before = registry_state()
    path = write_file("tps.csv", "desa,no_tps,laki_laki,perempuan\nPelemkerep,5,1,1\n")
    p = only(_rejected(path, before))
    assert (p.row, p.column, p.code) == (1, "village_code", "missing_column")
    assert "kode_desa" in p.reason
    no_voters = write_file("tps2.csv", "kode_desa,no_tps,alamat\n33.20.04.2001,5,X\n")
    problems = _rejected(no_voters, before)
    assert {p.column for p in problems} == {"voters_male", "voters_female"}


def test_unreadable_file(jepara_small: SmallJepara, write_file: WriteFile) -> None:
    before = registry_state()
    p = only(_rejected(write_file("tps.xlsx", b"PK\x03\x04 this is not really a workbook"), before))
    assert p.code == "unreadable" and "tidak dapat dibaca" in p.reason
    q = only(_rejected(write_file("tps.pdf", b"%PDF-1.4"), before))
    assert (q.code, q.value) == ("file_type", ".pdf")


def test_wrong_encoding_names_the_row(jepara_small: SmallJepara, write_file: WriteFile) -> None:
    before = registry_state()
    content = tps_csv(NEW_AND_CHANGED[0], NEW_AND_CHANGED[1]).encode() + "33.20.04.2002,7,Desa Tégal,1,1,2,,\n".encode(
        "latin-1"
    )
    p = only(_rejected(write_file("tps.csv", content), before))
    assert (p.row, p.code) == (4, "encoding")
    assert "UTF-8" in p.reason


def test_empty_file_and_header_only(jepara_small: SmallJepara, write_file: WriteFile) -> None:
    before = registry_state()
    assert only(_rejected(write_file("empty.csv", b""), before)).code == "empty"
    assert only(_rejected(write_file("blank.csv", b"\n \n"), before)).code == "empty"
    assert only(_rejected(write_file("header.csv", tps_csv()), before)).code == "empty"


def test_only_the_first_200_problems_are_kept(jepara_small: SmallJepara, write_file: WriteFile) -> None:
    rows = [f"33.20.04.2001,{n},X,-1,1,0,," for n in range(1, 301)]
    report = tps_import(path=write_file("tps.csv", tps_csv(*rows)))
    assert report.problems_total == 300 and len(report.problems) == 200 and not report.written


@pytest.mark.django_db(transaction=True)
def test_bulk_path_without_an_outer_transaction(
    jepara_small: SmallJepara, write_file: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The path a real import takes: SQLite with foreign-key checks off, PostgreSQL COPY (+ replica role)."""
    monkeypatch.setattr(imports_tps, "BULK_BYTES", 0)
    before = registry_state()
    bad = write_file("bad.csv", tps_csv(*NEW_AND_CHANGED, "33.20.04.2001,7,X,1,1,2,48.85,2.35"))
    assert not tps_import(path=bad).written
    assert registry_state() == before
    report = tps_import(path=write_file("tps.csv", tps_csv(*NEW_AND_CHANGED)))
    assert (report.created, report.updated, report.written) == (2, 1, True)
    again = tps_import(path=write_file("tps.csv", tps_csv(*NEW_AND_CHANGED)))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA foreign_keys")
            assert cur.fetchone()[0] == 1, "foreign-key enforcement must be back on after the import"
    assert Region.objects.get(code="33.20.04.2001").tps_count == 6


def test_a_registry_already_inconsistent_is_reported_not_crashed(
    jepara_small: SmallJepara, write_file: WriteFile
) -> None:
    """A stored TPS whose code does not match its number (entered by hand) blocks the file's TPS 8."""
    PollingStation.objects.filter(code="33.20.04.2001.004").update(number=8)
    before = registry_state()
    report = tps_import(path=write_file("tps.csv", tps_csv("33.20.04.2001,8,X,1,1,2,,")))
    assert [p.code for p in report.problems] == ["integrity"] and not report.written
    assert registry_state() == before
