"""Exports re-import unchanged; the synthetic national generator; the import/export commands; roll-ups."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from conftest import SmallJepara
from linsek.demo.national import national_generate
from linsek.regions.bulk import rollups_recompute
from linsek.regions.exports import regions_export, tps_export
from linsek.regions.imports import regions_import, tps_import
from linsek.regions.models import PollingStation, Region
from linsek.regions.services import rollups_refresh
from linsek.regions.tests.conftest import WriteFile, tps_csv


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_tps_and_regions_exports_reimport_unchanged(jepara_small: SmallJepara, tmp_path: Path, fmt: str) -> None:
    PollingStation.objects.filter(code="33.20.10.2001.001").update(special="pesantren", access_notes="Dermaga, 2 km")
    regions_file, tps_file = tmp_path / f"regions.{fmt}", tmp_path / f"tps.{fmt}"
    with regions_file.open("wb") as out:
        assert regions_export(out=out, fmt=fmt) == 7
    with tps_file.open("wb") as out:
        assert tps_export(out=out, fmt=fmt) == 9
    regions = regions_import(path=regions_file)
    assert (regions.rows, regions.unchanged, regions.problems) == (7, 7, [])
    tps = tps_import(path=tps_file)
    assert (tps.rows, tps.unchanged, tps.created, tps.updated, tps.problems) == (9, 9, 0, 0, [])


def test_export_filters_by_region_and_writes_geojson(jepara_small: SmallJepara, tmp_path: Path) -> None:
    out = io.BytesIO()
    assert tps_export(out=out, fmt="csv", region="33.20.10") == 2
    assert out.getvalue().startswith(b"\xef\xbb\xbfvillage_code,")  # BOM: Excel opens it as UTF-8
    out = io.BytesIO()
    assert regions_export(out=out, fmt="geojson", region="33.20.04") == 3
    doc = json.loads(out.getvalue())
    assert [f["properties"]["code"] for f in doc["features"]] == ["33.20.04", "33.20.04.2001", "33.20.04.2002"]
    assert doc["features"][1]["geometry"] == {"type": "Point", "coordinates": [110.7622, -6.7393]}


def test_rollups_recompute_matches_rollups_refresh(jepara_small: SmallJepara, write_file: WriteFile) -> None:
    tps_import(path=write_file("tps.csv", tps_csv("33.20.04.2002,9,X,10,11,30,,")))
    PollingStation.objects.filter(code="33.20.10.2001.002").delete()
    fields = ("code", "tps_count", "voters_male", "voters_female", "voters_total")
    rollups_refresh()
    expected = list(Region.objects.order_by("code").values_list(*fields))
    Region.objects.update(tps_count=7, voters_total=1)
    assert rollups_recompute() == Region.objects.count()
    assert list(Region.objects.order_by("code").values_list(*fields)) == expected
    assert rollups_recompute() == 0, "nothing changed: no region row is written"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_national_generator_is_deterministic_and_imports_cleanly(db: None, tmp_path: Path) -> None:
    files = national_generate(out_dir=tmp_path / "a", seed=7, scale=0.002)
    again = national_generate(out_dir=tmp_path / "b", seed=7, scale=0.002)
    other = national_generate(out_dir=tmp_path / "c", seed=8, scale=0.002)
    assert _digest(files["tps"]) == _digest(again["tps"]) != _digest(other["tps"])
    regions = regions_import(path=files["regions"])
    assert regions.problems == [] and regions.written
    counts = {lv: Region.objects.filter(level=lv).count() for lv in ("province", "regency", "district", "village")}
    assert counts == {"province": 1, "regency": 1, "district": 15, "village": 167}
    tps = tps_import(path=files["tps"])
    assert tps.problems == [] and (tps.created, tps.rows) == (1640, 1640)
    province = Region.objects.get(level="province")
    assert province.tps_count == 1640
    assert province.voters_total == round(203_056_748 * 1640 / 820_161)
    lats = list(PollingStation.objects.values_list("lat", flat=True))
    assert all(lat is not None and -11.2 <= lat <= 6.2 for lat in lats)


def test_import_command_prints_counts_and_fails_on_problems(
    jepara_small: SmallJepara, write_file: WriteFile, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write_file("tps.csv", tps_csv("33.20.04.2002,9,X,10,11,30,,"))
    out = io.StringIO()
    call_command("import", "tps", str(good), "--dry-run", stdout=out)
    assert "valid (dry run" in out.getvalue() and not PollingStation.objects.filter(number=9).exists()
    call_command("import", "tps", str(good), stdout=out)
    assert "created             1" in out.getvalue()
    bad = write_file("bad.csv", tps_csv("33.20.04.2009,1,X,10,11,30,,"))
    out = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("import", "tps", str(bad), stdout=out)
    assert failed.value.returncode == 1
    assert "bad.csv" in out.getvalue() and "33.20.04.2009" in out.getvalue() and "reason" in out.getvalue()


def test_export_command_writes_a_file(jepara_small: SmallJepara, tmp_path: Path) -> None:
    target = tmp_path / "tps.xlsx"
    call_command("export", "tps", "--format", "xlsx", "--region", "33.20.04", "-o", str(target), stderr=io.StringIO())
    assert target.read_bytes()[:2] == b"PK"
    with pytest.raises(CommandError):
        call_command("export", "tps", "--region", "99.99", "-o", str(tmp_path / "x.csv"), stderr=io.StringIO())
    assert not (tmp_path / "x.csv").exists()
