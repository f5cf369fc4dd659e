"""Organisations and people imports: happy paths, re-imports, every rejection, and the dispatcher."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import SmallJepara
from linsek.agencies.imports import IMPORT_KINDS, organisations_import, registry_import
from linsek.agencies.imports_people import people_import, person_key
from linsek.agencies.models import ContactPoint, Organisation, Person
from linsek.audit.models import AuditEvent

WriteFile = Callable[[str, str], Path]
ORG_HEADER = "kode,nama,singkatan,jenis,kode_induk,wilayah,alamat,lat,lon,telepon,wa,email"
PEOPLE_HEADER = "kode_instansi,nama_lengkap,pangkat,jabatan,nrp,telepon,peran,kode_wilayah"


@pytest.fixture
def write_file(tmp_path: Path) -> WriteFile:
    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def state() -> dict[str, Any]:
    return {
        "orgs": list(Organisation.objects.order_by("code").values_list("code", "name", "type_id", "parent_id")),
        "jurisdiction": sorted(Organisation.jurisdiction.through.objects.values_list("organisation_id", "region_id")),
        "contacts": sorted(ContactPoint.objects.values_list("organisation_id", "kind", "value")),
        "people": list(Person.objects.order_by("key").values_list("key", "full_name", "rank", "phone")),
        "audit": AuditEvent.objects.count(),
    }


def orgs_csv(*rows: str) -> str:
    return "\n".join([ORG_HEADER, *rows]) + "\n"


KORAMIL = (
    "koramil-mayong,Koramil 04/Mayong,Koramil Mayong,koramil,kodim-jepara,33.20.04,Jl. Raya Mayong,-6.70,110.77,"
    "0291-123456,,"
)
KODIM = 'kodim-jepara,Kodim 0719/Jepara,,Kodim,,33.20,,,,"0291-591110; 0291-591111",,kodim@example.id'


def test_organisations_import_with_parent_later_in_the_file(jepara_small: SmallJepara, write_file: WriteFile) -> None:
    report = organisations_import(path=write_file("orgs.csv", orgs_csv(KORAMIL, KODIM)))
    assert report.problems == [] and report.written
    assert (report.rows, report.created, report.updated, report.unchanged) == (2, 2, 0, 0)
    koramil = Organisation.objects.get(code="koramil-mayong")
    assert koramil.parent is not None and koramil.parent.code == "kodim-jepara"
    assert list(koramil.jurisdiction.values_list("code", flat=True)) == ["33.20.04"]
    kodim = Organisation.objects.get(code="kodim-jepara")
    assert kodim.type_id == "kodim" and kodim.lat is None
    assert sorted(kodim.contacts.values_list("kind", "value")) == [
        ("email", "kodim@example.id"), ("phone", "0291-591110"), ("phone", "0291-591111"),
    ]  # fmt: skip
    again = organisations_import(path=write_file("orgs.csv", orgs_csv(KORAMIL, KODIM)))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    edited = orgs_csv(KORAMIL.replace("33.20.04", "33.20.04;33.20.10"), KODIM.replace("0291-591111", "0291-5"))
    moved = organisations_import(path=write_file("orgs2.csv", edited))
    assert (moved.created, moved.updated, moved.unchanged) == (0, 2, 0)
    assert Organisation.objects.get(code="koramil-mayong").jurisdiction.count() == 2


@pytest.mark.parametrize(
    ("row", "column", "code", "hint"),
    [
        (KORAMIL.replace(",koramil,", ",koramill,"), "jenis", "unknown_type", "koramil"),
        (KORAMIL.replace("kodim-jepara", "polres-jepara"), "kode_induk", "bad_parent", "kodim"),
        (KORAMIL.replace("kodim-jepara", "kodim-jeparra"), "kode_induk", "unknown_parent", "kodim-jepara"),
        (KORAMIL.replace("33.20.04", "33.20.4"), "wilayah", "unknown_region", "33.20.04"),
        (KORAMIL + "x@", "email", "bad_value", ""),
        (KORAMIL.replace("0291-123456", "telepon kantor"), "telepon", "bad_value", ""),
        (KORAMIL.replace("koramil-mayong,", "Koramil Mayong!,"), "kode", "bad_code", "koramil-mayong"),
        (KORAMIL.replace("-6.70,110.77", "-6.70,"), "lon", "bad_value", ""),
    ],
)
def test_bad_organisation_rows_are_named_and_nothing_is_written(
    jepara_small: SmallJepara, write_file: WriteFile, row: str, column: str, code: str, hint: str
) -> None:
    before = state()
    report = organisations_import(path=write_file("orgs.csv", orgs_csv(KODIM, row)))
    assert not report.written and state() == before
    assert [(p.row, p.column, p.code) for p in report.problems] == [(3, column, code)]
    assert hint in report.problems[0].reason


def test_parent_loop_and_duplicate_code(jepara_small: SmallJepara, write_file: WriteFile) -> None:
    a = "ppk-a,PPK A,,ppk,ppk-b,,,,,,,"
    b = "ppk-b,PPK B,,ppk,ppk-a,,,,,,,"
    report = organisations_import(path=write_file("orgs.csv", orgs_csv(a, b, a)))
    codes = sorted(p.code for p in report.problems)
    assert "duplicate" in codes and not report.written
    assert {p.code for p in report.problems} <= {"duplicate", "bad_parent", "parent_loop"}


PEOPLE = (
    "polsek-mayong,Budi Santoso,AIPTU,Bhabinkamtibmas Pelemkerep,75010123,081234567890,Bhabinkamtibmas,33.20.04.2001",
    "polsek-mayong,Siti Aminah,BRIPKA,Bhabinkamtibmas Pule,,081298765432,bhabinkamtibmas,33.20.04.2002",
)


def test_people_import_keys_updates_and_reimport(jepara_small: SmallJepara, write_file: WriteFile) -> None:
    path = write_file("people.csv", "\n".join([PEOPLE_HEADER, *PEOPLE]) + "\n")
    report = people_import(path=path)
    assert report.problems == [] and (report.created, report.written) == (2, True)
    budi = Person.objects.get(key="id:75010123")
    assert (budi.duty_role_id, budi.phone) == ("bhabinkamtibmas", "081234567890")
    assert budi.home_region is not None and budi.home_region.code == "33.20.04.2001"
    assert Person.objects.filter(key="org:polsek-mayong:siti aminah").exists()
    assert (people_import(path=path).unchanged, people_import(path=path).created) == (2, 0)
    promoted = write_file("p2.csv", "\n".join([PEOPLE_HEADER, PEOPLE[0].replace("AIPTU", "AIPDA"), PEOPLE[1]]) + "\n")
    again = people_import(path=promoted)
    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    no_phone = write_file("p3.csv", "kode_instansi,nama_lengkap,nrp\npolsek-mayong,Budi Santoso,75010123\n")
    assert people_import(path=no_phone).unchanged == 1, "an absent phone column keeps the stored phone"
    assert Person.objects.get(key="id:75010123").phone == "081234567890"


@pytest.mark.parametrize(
    ("row", "column", "code"),
    [
        (PEOPLE[0].replace("polsek-mayong", "polsek-mayongg"), "kode_instansi", "unknown_organisation"),
        (PEOPLE[0].replace(",Bhabinkamtibmas,", ",Babin,"), "peran", "unknown_role"),
        (PEOPLE[0].replace("33.20.04.2001", "33.20.04.2099"), "kode_wilayah", "unknown_region"),
        (PEOPLE[0].replace("081234567890", "nomor saya"), "telepon", "bad_value"),
        (PEOPLE[0].replace("Budi Santoso", ""), "nama_lengkap", "bad_value"),
        (PEOPLE[1], "nama_lengkap", "duplicate"),
    ],
)
def test_bad_people_rows(jepara_small: SmallJepara, write_file: WriteFile, row: str, column: str, code: str) -> None:
    before = state()
    report = people_import(path=write_file("people.csv", "\n".join([PEOPLE_HEADER, PEOPLE[1], row]) + "\n"))
    assert not report.written and state() == before
    assert [(p.row, p.column, p.code) for p in report.problems] == [(3, column, code)]


def test_person_keys() -> None:
    assert person_key(id_number="123", organisation_code="x", full_name="A") == "id:123"
    assert (
        person_key(id_number="", organisation_code="polsek-a", full_name=" Budi  SANTOSO ")
        == "org:polsek-a:budi santoso"
    )
    long = person_key(id_number="", organisation_code="o" * 64, full_name="n" * 120)
    assert len(long) == 120 and long != person_key(id_number="", organisation_code="o" * 64, full_name="n" * 119 + "m")


def test_registry_import_dispatches_every_kind(jepara_small: SmallJepara, write_file: WriteFile) -> None:
    assert IMPORT_KINDS == ("regions", "tps", "organisations", "people", "boundaries")
    path = write_file("people.csv", "\n".join([PEOPLE_HEADER, *PEOPLE]) + "\n")
    report = registry_import(kind="people", path=path, dry_run=True)
    assert (report.kind, report.rows, report.written) == ("people", 2, False)
    for kind in IMPORT_KINDS:
        assert registry_import(kind=kind, path=write_file("empty.csv", ""), dry_run=True).problems_total >= 1
    with pytest.raises(ValueError, match="unknown import kind"):
        registry_import(kind="weather", path=path)
