"""Report attachments: typed by their bytes, size-limited, stored under their hash outside the static root,
named only as a label, and handed back only to viewers of the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.shortcuts import resolve_url
from django.test import Client

from linsek.accounts.tokens import api_token_create
from linsek.api.tests.conftest import API, bearer
from linsek.incidents.models import Attachment
from linsek.incidents.services import actor_for, attachment_add, report_submit
from linsek.incidents.tests.conftest import NOW

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64  # a Windows executable
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 64


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings.MEDIA_ROOT


def _report(j: Any) -> int:
    data = {
        "uuid": "6f1c7c2e-5d0b-4a35-9f4e-0c2f3d1a2b3c",
        "kind": "politik_uang",
        "tps": j.tps[0].code,
        "description": "amplop dibagikan",
    }
    outcome = report_submit(actor=actor_for(j.users["field_reporter"], channel="api"), data=data, now=NOW)
    assert outcome.report_pk is not None
    return outcome.report_pk


def _post(j: Any, report_id: int, name: str, content: bytes, content_type: str = "image/jpeg") -> Any:
    secret = api_token_create(user=j.users["field_reporter"], name="hp")[1]
    upload = SimpleUploadedFile(name, content, content_type=content_type)
    return Client().post(f"{API}/reports/{report_id}/attachments", {"file": upload}, headers=bearer(secret))


def _stored(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


@pytest.mark.parametrize(("name", "content"), [("foto.jpg", EXE), ("bukti.pdf", ELF), ("foto.png", b"<svg/>")])
def test_an_executable_or_script_under_a_harmless_name_is_refused_and_nothing_stored(
    jepara: Any, media: Path, name: str, content: bytes
) -> None:
    report_id = _report(jepara)
    response = _post(jepara, report_id, name, content)
    assert response.status_code == 422, response.content
    assert "tidak diizinkan" in str(response.json()["detail"])
    assert Attachment.objects.count() == 0 and _stored(media) == []


def test_an_oversize_file_is_refused_and_nothing_stored(jepara: Any, media: Path) -> None:
    report_id = _report(jepara)
    response = _post(jepara, report_id, "besar.png", PNG + b"\x00" * 5_300_000, "image/png")
    assert response.status_code == 422 and "terlalu besar" in str(response.json()["detail"])
    assert Attachment.objects.count() == 0 and _stored(media) == []


@pytest.mark.parametrize(
    "name", ["../../etc/passwd.pdf", "..\\..\\boot.ini.pdf", "/var/lib/linsek/db.pdf", "x" * 3000 + ".pdf"]
)
def test_path_tricks_and_long_names_never_reach_the_disk(jepara: Any, media: Path, name: str) -> None:
    report_id = _report(jepara)
    response = _post(jepara, report_id, name, PDF, "application/pdf")
    assert response.status_code == 201, response.content
    attachment = Attachment.objects.get()
    assert attachment.content_type == "application/pdf"
    assert attachment.file.name == f"reports/{attachment.sha256[:2]}/{attachment.sha256}.pdf"
    assert _stored(media) == [media / attachment.file.name]
    assert "/" not in attachment.original_name and "\\" not in attachment.original_name
    assert len(attachment.original_name) <= 200 and attachment.original_name.endswith(".pdf")


def test_a_nul_byte_in_the_name_is_dropped_not_stored(jepara: Any, media: Path) -> None:
    # Over HTTP Django's parser drops it already; services are called by other channels too.
    report_id = _report(jepara)
    attachment = attachment_add(
        actor=jepara.users["field_reporter"], report_id=report_id, name="foto\x00.exe\x00.png", content=PNG, now=NOW
    )
    attachment.refresh_from_db()
    assert attachment.original_name == "foto.exe.png" and attachment.file.name.endswith(".png")


def test_uploads_live_outside_the_static_root(settings: Any, tmp_path: Path) -> None:
    """The deploy check (``linsek check-deploy``) refuses MEDIA_ROOT and STATIC_ROOT inside one another."""
    from linsek.core.checks import linsek_deploy_settings

    def overlap_errors() -> list[str]:
        return [m.id for m in linsek_deploy_settings() if m.id == "linsek.E105"]

    media, static = Path(django_settings.MEDIA_ROOT).resolve(), Path(django_settings.STATIC_ROOT).resolve()
    assert not media.is_relative_to(static) and not static.is_relative_to(media)
    assert overlap_errors() == []  # the default settings keep them apart
    for media_root, static_root in (
        (tmp_path / "static" / "uploads", tmp_path / "static"),
        (tmp_path / "uploads", tmp_path / "uploads" / "static"),
        (tmp_path / "var", tmp_path / "var"),
        (tmp_path / "static" / ".." / "static" / "m", tmp_path / "static"),
    ):
        settings.MEDIA_ROOT, settings.STATIC_ROOT = str(media_root), str(static_root)
        assert overlap_errors() == ["linsek.E105"], (media_root, static_root)
    settings.MEDIA_ROOT, settings.STATIC_ROOT = str(tmp_path / "uploads"), str(tmp_path / "static")
    assert overlap_errors() == []
    settings.MEDIA_ROOT, settings.STATIC_ROOT = str(tmp_path / "static-uploads"), str(tmp_path / "static")
    assert overlap_errors() == []  # a shared name prefix is not containment


def test_attachments_are_served_only_to_viewers_of_the_report(jepara: Any, media: Path) -> None:
    report_id = _report(jepara)
    attachment = attachment_add(
        actor=jepara.users["field_reporter"], report_id=report_id, name="foto.png", content=PNG, now=NOW
    )
    url = f"/laporan/{report_id}/lampiran/{attachment.pk}/"
    reporter = Client()
    reporter.force_login(jepara.users["field_reporter"])
    response = reporter.get(url)
    assert response.status_code == 200
    assert response.getvalue() == PNG
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    assert reporter.get(f"/laporan/{report_id}/lampiran/{attachment.pk + 1}/").status_code == 404
    outsider = Client()
    outsider.force_login(jepara.users["polsek_karimunjawa"])
    assert outsider.get(f"/laporan/{report_id}/").status_code == 404  # the report is not theirs
    assert outsider.get(url).status_code == 404  # nor its attachment
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(resolve_url(django_settings.LOGIN_URL))
    assert reporter.post(url).status_code == 405
    # No public URL reaches the stored file, whatever MEDIA_URL says.
    for public in (f"{django_settings.MEDIA_URL}{attachment.file.name}", f"/media/{attachment.file.name}"):
        leaked = reporter.get(public.replace("//", "/"))
        assert leaked.status_code == 404 and PNG not in b"".join(getattr(leaked, "streaming_content", [leaked.content]))
