"""The case pages through Django's test client: board, case, forms, calculator, register downloads."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from linsek.audit.models import AuditEvent
from linsek.cases.models import Case
from linsek.cases.tests.conftest import Gakkumdu, client_for, register, walk


@pytest.fixture
def recent(gakkumdu: Gakkumdu) -> Case:
    return register(gakkumdu, now=timezone.now() - timedelta(hours=1), known_at=timezone.now() - timedelta(days=1))


def test_board_lists_cases_by_time_left_for_members(gakkumdu: Gakkumdu, recent: Case) -> None:
    old = register(gakkumdu, now=timezone.now() - timedelta(days=6.5), known_at=timezone.now() - timedelta(days=7))
    response = client_for(gakkumdu.police_user).get(reverse("cases:board"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index(old.number) < html.index(recent.number)  # least time left first
    assert 'data-state="at_risk_80"' in html and "Sisa waktu" in html
    assert AuditEvent.objects.filter(action="case.list", actor_id=gakkumdu.police_user.pk).exists()


def test_board_shows_outsiders_counts_only(gakkumdu: Gakkumdu, recent: Case) -> None:
    response = client_for(gakkumdu.j.users["area_officer"]).get(reverse("cases:board"))
    assert response.status_code == 200
    html = response.content.decode()
    assert recent.number not in html and recent.title not in html
    assert "Tepat waktu" in html


def test_case_page_shows_stages_and_time_left_and_is_audited(gakkumdu: Gakkumdu, recent: Case) -> None:
    response = client_for(gakkumdu.prosecutor_user).get(reverse("cases:detail", args=[recent.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kajian Bawaslu" in html and "sisa-waktu" in html and "454(7)" in html
    assert AuditEvent.objects.filter(action="case.read", actor_id=gakkumdu.prosecutor_user.pk).exists()
    # the prosecutor cannot move a stage Bawaslu owns: no form
    assert 'id="transition-form"' not in html
    assert client_for(gakkumdu.j.users["viewer"]).get(reverse("cases:detail", args=[recent.pk])).status_code == 404
    assert client_for(gakkumdu.court_user).get(reverse("cases:detail", args=[recent.pk])).status_code == 404


def test_register_form_creates_a_case(gakkumdu: Gakkumdu) -> None:
    c = client_for(gakkumdu.bawaslu_user)
    assert c.get(reverse("cases:register")).status_code == 200
    known = timezone.localtime() - timedelta(days=1)
    response = c.post(
        reverse("cases:register"),
        {
            "origin": "report",
            "title": "Politik uang di Pule",
            "known_at": known.strftime("%Y-%m-%dT%H:%M"),
            "region": gakkumdu.j.villages["Pule"].code,
            "articles": ["523"],
            "reporter": "Warga Pule",
            "reported": "Sdr. Y",
            "origin_reference": "LP-001",
            "document": SimpleUploadedFile("laporan.pdf", b"%PDF-1.4 laporan", "application/pdf"),
        },
    )
    case = Case.objects.get(title="Politik uang di Pule")
    assert response.status_code == 302 and response["Location"] == reverse("cases:detail", args=[case.pk])
    assert case.origin == "report" and case.documents.count() == 1 and case.parties.count() == 2


def test_register_form_refuses_a_future_moment(gakkumdu: Gakkumdu) -> None:
    future = timezone.localtime() + timedelta(days=2)
    response = client_for(gakkumdu.bawaslu_user).post(
        reverse("cases:register"),
        {
            "origin": "finding",
            "title": "x",
            "known_at": future.strftime("%Y-%m-%dT%H:%M"),
            "region": gakkumdu.j.mayong.code,
        },
    )
    assert response.status_code == 200 and "masa depan" in response.content.decode()
    assert Case.objects.count() == 0


def test_transition_form_moves_the_case_and_refuses_without_document(gakkumdu: Gakkumdu, recent: Case) -> None:
    c = client_for(gakkumdu.bawaslu_user)
    url = reverse("cases:transition", args=[recent.pk])
    assert c.post(url, {"to_stage": "gakkumdu_1"}).status_code == 302
    response = c.post(url, {"to_stage": "gakkumdu_2"})
    assert response.status_code == 400 and "Berita acara pembahasan" in response.content.decode()
    recent.refresh_from_db()
    assert recent.stage == "gakkumdu_1"
    ok = c.post(url, {"to_stage": "gakkumdu_2", "document": SimpleUploadedFile("ba.pdf", b"%PDF-1.4 ba")})
    assert ok.status_code == 302
    recent.refresh_from_db()
    assert recent.stage == "gakkumdu_2"
    doc = recent.documents.get()
    download = c.get(reverse("cases:document", args=[recent.pk, doc.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 ba"  # type: ignore[attr-defined]


def test_calculator_page(gakkumdu: Gakkumdu) -> None:
    c = client_for(gakkumdu.j.users["viewer"])
    response = c.get(reverse("cases:calculator"), {"rule": "registration.report", "start": "2024-02-09T10:00"})
    html = response.content.decode()
    assert response.status_code == 200 and "21 Februari 2024" in html and "pemungutan suara" in html
    partial = c.get(
        reverse("cases:calculator"), {"rule": "forwarding", "start": "2024-02-13T15:30"}, HTTP_HX_REQUEST="true"
    )
    assert "<html" not in partial.content.decode() and "14 Februari 2024" in partial.content.decode()


def test_register_xlsx_reads_back(gakkumdu: Gakkumdu) -> None:
    now = timezone.now()
    a = register(gakkumdu, now=now - timedelta(days=3), known_at=now - timedelta(days=20), title="Perkara A")
    walk(gakkumdu, a, "closed_administrative", now=now - timedelta(days=1))
    register(gakkumdu, now=now - timedelta(hours=2), title="Perkara B")
    response = client_for(gakkumdu.police_user).get(reverse("cases:register-xlsx"))
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws is not None
    rows = list(ws.iter_rows(values_only=True))
    header = rows[2]
    assert header[0] == "Nomor" and "Tenggat terlewat" in header
    body: dict[Any, dict[Any, Any]] = {r[3]: dict(zip(header, r, strict=True)) for r in rows[3:]}
    assert set(body) == {"Perkara A", "Perkara B"}
    assert body["Perkara A"]["Status"] == "Selesai" and body["Perkara A"]["Hasil"] == "administrative"
    # A was registered 17 days after it was found: the registration limit (7 days) was missed
    assert body["Perkara A"]["Tenggat terlewat"] >= 1 and "Registrasi" in body["Perkara A"]["Tahap terlewat"]
    assert body["Perkara B"]["Pasal"] == "523(3)" and body["Perkara B"]["Terlapor/tersangka/terdakwa"] == "Sdr. X"
    assert AuditEvent.objects.filter(action="case.export").exists()
    assert client_for(gakkumdu.j.users["viewer"]).get(reverse("cases:register-xlsx")).status_code == 403


def test_register_pdf_text(gakkumdu: Gakkumdu) -> None:
    pypdf = pytest.importorskip("pypdf")
    register(gakkumdu, now=timezone.now() - timedelta(hours=2), title="Perkara PDF Pelemkerep")
    response = client_for(gakkumdu.bawaslu_user).get(reverse("cases:register-pdf"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    raw = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    text = " ".join(raw.split()).replace("/ ", "/")  # table cells wrap, also after a slash
    assert "Register perkara pidana pemilu" in text and "Perkara PDF Pelemkerep" in text and "PKR/33.20/" in text
