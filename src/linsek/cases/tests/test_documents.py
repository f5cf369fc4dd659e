"""Case documents go through the shared upload rules (``linsek.core.uploads``): the type is read from the
bytes, the client's name becomes a clean label, and the file is handed back as a private download."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from linsek.audit.models import AuditEvent
from linsek.cases.models import Case, CaseDocument
from linsek.cases.services import case_transition, document_store
from linsek.cases.tests.conftest import Gakkumdu, client_for, register, upload, walk, wib
from linsek.core.errors import ValidationFailed

NOW = wib(2024, 2, 12, 10)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def _stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def case(gakkumdu: Gakkumdu) -> Case:
    return register(gakkumdu, now=NOW)


@pytest.mark.parametrize(
    ("content", "found"),
    [
        (EXE, "application/x-msdownload"),
        (b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 40, "application/x-executable"),
        (b"Berita acara dalam teks biasa\n", "tidak dikenal"),
        (b"PK\x03\x04" + b"\x00" * 40, "application/zip"),
    ],
)
def test_a_file_that_is_not_pdf_or_image_is_refused_whatever_its_name_and_browser_type(
    gakkumdu: Gakkumdu, case: Case, content: bytes, found: str
) -> None:
    before = (CaseDocument.objects.count(), len(_stored_files()))
    file = SimpleUploadedFile("berita-acara.pdf", content, content_type="application/pdf")
    with pytest.raises(ValidationFailed) as err:
        document_store(actor=gakkumdu.bawaslu_user, case=case, upload=file, kind="lainnya", now=NOW)
    assert found in err.value.message and "PDF" in err.value.message and "JPEG" in err.value.message
    assert [p.field for p in err.value.problems] == ["document"]
    assert (CaseDocument.objects.count(), len(_stored_files())) == before
    assert not AuditEvent.objects.filter(action="case.document.add").exists()


def test_the_transition_form_refuses_an_executable_renamed_pdf_and_stores_nothing(
    gakkumdu: Gakkumdu, case: Case
) -> None:
    walk(gakkumdu, case, "gakkumdu_1", now=NOW)
    files_before = len(_stored_files())
    response = client_for(gakkumdu.bawaslu_user).post(
        reverse("cases:transition", args=[case.pk]),
        {"to_stage": "gakkumdu_2", "document": SimpleUploadedFile("ba.pdf", EXE, "application/pdf")},
    )
    assert response.status_code == 400
    assert "application/x-msdownload" in response.content.decode()
    case.refresh_from_db()
    assert case.stage == "gakkumdu_1"
    assert not CaseDocument.objects.filter(case=case).exists() and len(_stored_files()) == files_before


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("..\\..\\Windows\\System32\\berita-acara.pdf", "berita-acara.pdf"),
        ("C:\\Users\\bawaslu\\..\\.hidden.pdf", "hidden.pdf"),
        ("berita\x00acara\x1b[31m\n.pdf", "beritaacara[31m.pdf"),
        ("\x00\x01", "dokumen.png"),
    ],
)
def test_the_client_file_name_is_cleaned_to_a_label(gakkumdu: Gakkumdu, case: Case, name: str, label: str) -> None:
    file = SimpleUploadedFile(name, PNG, content_type="application/pdf")
    doc = document_store(actor=gakkumdu.bawaslu_user, case=case, upload=file, kind="lainnya", now=NOW)
    doc.refresh_from_db()
    assert doc.original_name == label
    # stored under a generated name, never the client's
    assert doc.file.name.startswith(f"cases/{case.uuid}/") and label not in doc.file.name
    assert AuditEvent.objects.get(action="case.document.add").data["name"] == label


def test_the_download_carries_the_type_detected_at_upload_and_is_private(gakkumdu: Gakkumdu, case: Case) -> None:
    file = SimpleUploadedFile("foto-tkp.pdf", PNG, content_type="application/pdf")
    doc = document_store(actor=gakkumdu.bawaslu_user, case=case, upload=file, kind="lainnya", now=NOW)
    assert doc.content_type == "image/png"
    response = client_for(gakkumdu.prosecutor_user).get(reverse("cases:document", args=[case.pk, doc.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert "sandbox" in response["Content-Security-Policy"]
    assert (
        response["Content-Disposition"].startswith("attachment;")
        and 'filename="foto-tkp.png"' in (response["Content-Disposition"])
    )
    assert b"".join(response.streaming_content) == PNG  # type: ignore[attr-defined]


def test_a_document_stored_before_detection_is_served_as_opaque_bytes(gakkumdu: Gakkumdu, case: Case) -> None:
    """Rows from before this check carry the browser's type; it is not trusted when serving."""
    doc = document_store(
        actor=gakkumdu.bawaslu_user,
        case=case,
        upload=SimpleUploadedFile("lama.pdf", b"%PDF-1.4 lama\n"),
        kind="lainnya",
        now=NOW,
    )
    CaseDocument.objects.filter(pk=doc.pk).update(content_type="text/html", original_name="../x.html")
    response = client_for(gakkumdu.bawaslu_user).get(reverse("cases:document", args=[case.pk, doc.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert 'filename="x.bin"' in response["Content-Disposition"]


def test_a_pdf_document_is_accepted_with_its_detected_type(gakkumdu: Gakkumdu, case: Case) -> None:
    walk(gakkumdu, case, "gakkumdu_1", now=NOW)
    stage = case_transition(
        actor=gakkumdu.bawaslu_user,
        case=case,
        to_stage="gakkumdu_2",
        now=NOW,
        document=upload("ba.pdf", b"%PDF-1.7\nisi berita acara\n"),
    )
    assert stage.document is not None and stage.document.content_type == "application/pdf"
    assert isinstance(stage.document.uploaded_at, datetime)
