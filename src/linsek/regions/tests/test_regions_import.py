"""Regions import (parents from codes, level order, kinds) and boundaries import (GeoJSON)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import SmallJepara
from linsek.regions.imports import boundaries_import, regions_import, tps_import
from linsek.regions.imports_tps import TpsContext
from linsek.regions.models import Region
from linsek.regions.tests.conftest import WriteFile, registry_state, tps_csv

SHARED = Path("/work/shared/data")


def test_regions_import_sorts_by_level_and_derives_parents_and_kinds(
    jepara_small: SmallJepara, write_file: WriteFile
) -> None:
    text = (
        "kode,nama,jenis,lat,lon\n"
        "33.21.01.1001,Kauman,,-6.8,110.84\n"  # child first: written after its parents anyway
        "33.21.01,Kota Kudus,,-6.80,110.84\n"
        "33.21,Kudus,kab,-6.80,110.84\n"
        "33.74,Semarang,kota,-7.0,110.42\n"
        "33.20.04,Mayong,kecamatan,-6.70280,110.77379\n"  # unchanged
        "33.20.10,Karimunjawa,,-5.84,110.43\n"  # moved slightly: updated
    )
    report = regions_import(path=write_file("regions.csv", text))
    assert report.problems == [] and report.written
    assert (report.rows, report.created, report.updated, report.unchanged) == (6, 4, 1, 1)
    village = Region.objects.get(code="33.21.01.1001")
    assert (village.level, village.kind) == ("village", "kelurahan")
    assert village.parent_id == Region.objects.get(code="33.21.01").id
    assert Region.objects.get(code="33.21.01").parent_id == Region.objects.get(code="33.21").id
    assert Region.objects.get(code="33.74").kind == "kota"
    assert Region.objects.get(code="33.21").parent_id == jepara_small.province.id
    assert Region.objects.get(code="33.20.10").is_island, "a column the file lacks keeps its stored value"
    again = regions_import(path=write_file("regions.csv", text))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 6)


@pytest.mark.parametrize(
    ("line", "column", "code"),
    [
        ("33.99.01,Tanpa Induk,,,", "kode", "unknown_parent"),
        ("33.2,Salah,,,", "kode", "bad_code"),
        ("33.21,Kudus,desa,,", "jenis", "bad_kind"),
        ("33.21,,kabupaten,,", "nama", "bad_value"),
        ("33.21,Kudus,,-6.8,", "lon", "bad_value"),
        ("33.21,Kudus,,51.5,-0.12", "lat/lon", "outside_indonesia"),
    ],
)
def test_bad_region_rows_are_rejected_and_nothing_is_written(
    jepara_small: SmallJepara, write_file: WriteFile, line: str, column: str, code: str
) -> None:
    before = registry_state()
    report = regions_import(path=write_file("regions.csv", f"kode,nama,jenis,lat,lon\n33.22,Pati,,,\n{line}\n"))
    assert not report.written and registry_state() == before
    assert [(p.row, p.column, p.code) for p in report.problems] == [(3, column, code)]


def test_duplicate_region_code(jepara_small: SmallJepara, write_file: WriteFile) -> None:
    report = regions_import(path=write_file("r.csv", "code,name\n33.22,Pati\n33.22,Pati lagi\n"))
    assert [(p.row, p.code) for p in report.problems] == [(3, "duplicate")]
    assert not Region.objects.filter(code="33.22").exists()


@pytest.fixture
def jepara_districts(jepara_small: SmallJepara, write_file: WriteFile) -> Path:
    """All 16 districts of Jepara (codes, names, centroids from shared/data/jepara_kecamatan.csv)."""
    source = SHARED / "jepara_kecamatan.geojson"
    if not source.exists():
        pytest.skip("shared data folder /work/shared/data is not present")
    rows = ["code,name,lat,lon"]
    for f in json.loads(source.read_text())["features"]:
        p = f["properties"]
        rows.append(f"{p['kode']},{p['kecamatan']},{p['centroid_lat']},{p['centroid_lon']}")
    assert regions_import(path=write_file("kecamatan.csv", "\n".join(rows) + "\n")).written
    return source


def test_boundaries_import_stores_the_polygons(jepara_districts: Path) -> None:
    report = boundaries_import(path=jepara_districts)
    assert report.problems == [] and report.written
    assert (report.rows, report.updated, report.unchanged) == (16, 16, 0)
    mayong = Region.objects.get(code="33.20.04")
    assert json.loads(mayong.boundary)["type"] in ("Polygon", "MultiPolygon")
    again = boundaries_import(path=jepara_districts)
    assert (again.updated, again.unchanged) == (0, 16)


def test_boundary_sets_the_district_box_for_tps_checks(jepara_districts: Path, write_file: WriteFile) -> None:
    boundaries_import(path=jepara_districts)
    _code, _name, box = TpsContext.load().districts[Region.objects.get(code="33.20.04").id]
    assert box is not None and box.south < -6.70 < box.north and box.west < 110.77 < box.east
    far = write_file("tps.csv", tps_csv(f"33.20.04.2001,9,X,1,1,2,{box.south - 0.09:.4f},{box.west:.4f}"))
    problems = tps_import(path=far).problems
    assert [p.code for p in problems] == ["outside_district"]  # ~10 km beyond the boundary box (+5 km allowed)


def test_boundaries_with_an_unknown_code_are_rejected(jepara_districts: Path, write_file: WriteFile) -> None:
    doc = json.loads(jepara_districts.read_text())
    doc["features"][3]["properties"]["kode"] = "33.20.99"
    before = registry_state()
    report = boundaries_import(path=write_file("kec.geojson", json.dumps(doc)))
    assert not report.written and registry_state() == before
    [p] = report.problems
    assert (p.row, p.column, p.value, p.code) == (4, "properties.kode", "33.20.99", "unknown_region")
    assert "33.20.16" in p.reason or "33.20.10" in p.reason


def test_boundaries_rejects_what_is_not_a_feature_collection(jepara_small: SmallJepara, write_file: WriteFile) -> None:
    assert [p.code for p in boundaries_import(path=write_file("x.geojson", '{"type": "Point"}')).problems] == [
        "unreadable"
    ]
    assert [p.code for p in boundaries_import(path=write_file("x.geojson", "{not json")).problems] == ["unreadable"]
    assert [p.code for p in boundaries_import(path=write_file("x.csv", "a,b\n")).problems] == ["file_type"]
