"""The registry import page: capability, upload handling (generated name, size limit, clean-up), report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conftest import SmallJepara
from linsek.regions.models import PollingStation


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _leftovers(media: Path) -> list[Path]:
    folder = media / "imports"
    return list(folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize("role", ["viewer", "area_officer", "liaison"])
def test_import_page_is_forbidden_without_the_capability(
    signed_in: Callable[[str], Client], media: Path, role: str
) -> None:
    client = signed_in(role)
    assert client.get("/impor/").status_code == 403
    upload = SimpleUploadedFile("tps.csv", b"kode_desa,nomor\n")
    response = client.post("/impor/", {"kind": "tps", "file": upload, "dry_run": "on"})
    assert response.status_code == 403
    assert "Tidak berwenang" in response.content.decode()
    assert _leftovers(media) == []


def test_import_link_shows_only_for_importers(signed_in: Callable[[str], Client]) -> None:
    assert 'href="/impor/"' not in signed_in("viewer").get("/").content.decode()
    assert 'href="/impor/"' in signed_in("command").get("/").content.decode()


def test_upload_over_the_limit_is_refused_and_nothing_is_kept(
    signed_in: Callable[[str], Client], media: Path, settings: Any
) -> None:
    pytest.importorskip("linsek.agencies.imports")
    settings.LINSEK_IMPORT_UPLOAD_MAX_BYTES = 64
    upload = SimpleUploadedFile("tps.csv", b"x" * 4096)
    response = signed_in("command").post("/impor/", {"kind": "tps", "file": upload, "dry_run": "on"})
    assert response.status_code == 413
    assert "terlalu besar" in response.content.decode()
    assert _leftovers(media) == []


def test_an_unsupported_file_type_is_refused(signed_in: Callable[[str], Client], media: Path) -> None:
    pytest.importorskip("linsek.agencies.imports")
    upload = SimpleUploadedFile("../../etc/passwd.exe", b"MZ")
    response = signed_in("command").post("/impor/", {"kind": "tps", "file": upload, "dry_run": "on"})
    assert response.status_code == 400
    assert "tidak didukung" in response.content.decode()
    assert _leftovers(media) == []


def _tps_csv(rows: list[str]) -> bytes:
    header = "kode_desa,nomor_tps,alamat,pemilih_laki,pemilih_perempuan,lintang,bujur"
    return ("\n".join([header, *rows]) + "\n").encode()


def test_dry_run_reports_problems_with_row_and_column_and_writes_nothing(
    signed_in: Callable[[str], Client], jepara_small: SmallJepara, media: Path
) -> None:
    imports = pytest.importorskip("linsek.agencies.imports")
    assert "tps" in imports.IMPORT_KINDS
    before = PollingStation.objects.count()
    upload = SimpleUploadedFile(
        "tps pelemkerep.csv",
        _tps_csv(["33.20.04.2001,10,Dukuh Krajan,120,130,-6.739,110.762", "99.99.99.9999,1,Tidak ada,-5,10,0,0"]),
    )
    response = signed_in("command").post("/impor/", {"kind": "tps", "file": upload, "dry_run": "on"})
    assert response.status_code == 200
    report = response.context["report"]
    assert report.written is False and report.problems_total >= 1
    body = response.content.decode()
    assert "tps pelemkerep.csv" in body  # the client's name is shown, never used as a path
    assert any(p.row == 3 for p in report.problems)
    assert PollingStation.objects.count() == before
    assert _leftovers(media) == []


def test_a_valid_file_is_written_and_the_upload_deleted(
    signed_in: Callable[[str], Client], jepara_small: SmallJepara, media: Path
) -> None:
    pytest.importorskip("linsek.agencies.imports")
    before = PollingStation.objects.count()
    upload = SimpleUploadedFile("tps.csv", _tps_csv(["33.20.04.2001,10,Dukuh Krajan,120,130,-6.739,110.762"]))
    response = signed_in("command").post("/impor/", {"kind": "tps", "file": upload})
    report = response.context["report"]
    assert report.written and report.created == 1 and not report.dry_run
    assert "Data tersimpan" in response.content.decode()
    assert PollingStation.objects.count() == before + 1
    assert PollingStation.objects.get(code="33.20.04.2001.010").voters_total == 250
    assert _leftovers(media) == []
