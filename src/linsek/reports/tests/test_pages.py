"""The situation-report pages: live view, issue, download through a frozen snapshot, the briefing pack, the CLI."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from linsek.reports.models import SituationReport
from linsek.reports.tests.conftest import VotingDay

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_live_page_issue_and_files(voting_day: VotingDay, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    small = voting_day.small
    c = _client(small.users["command"])
    page = c.get(reverse("reports:daily") + "?region=33.20&date=2024-02-14")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-figure="reports-total">6<' in html and "<svg" in html
    assert "Belum tersedia" in html  # logistics
    english = c.get(reverse("reports:daily") + "?region=33.20&date=2024-02-14&lang=en").content.decode()
    assert "Voting day" in english and "Reports received" in english

    r = c.post(reverse("reports:issue"), {"region": "33.20", "date": "2024-02-14"})
    report = SituationReport.objects.get(status="issued")
    assert r.status_code == 302 and r["Location"] == reverse("reports:report", args=[report.pk])
    frozen = c.get(reverse("reports:daily") + "?region=33.20&date=2024-02-14").content.decode()
    assert report.content_sha256 in frozen and "Diterbitkan" in frozen

    pdf = c.get(reverse("reports:file", args=[report.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")  # type: ignore[attr-defined]
    xlsx = c.get(reverse("reports:file", args=[report.pk, "xlsx"]))
    assert xlsx.status_code == 200 and "attachment" in xlsx["Content-Disposition"]


def test_download_freezes_a_snapshot_and_viewer_cannot_issue(
    voting_day: VotingDay, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    viewer = _client(voting_day.small.users["viewer"])
    r = viewer.post(reverse("reports:download"), {"region": "33.20", "date": "2024-02-14", "format": "xlsx"})
    snapshot = SituationReport.objects.get()
    assert snapshot.status == "generated"
    assert r.status_code == 302 and r["Location"].startswith(reverse("reports:file", args=[snapshot.pk, "xlsx"]))
    assert viewer.post(reverse("reports:issue"), {"region": "33.20", "date": "2024-02-14"}).status_code == 403


def test_briefing_pack_pdf(voting_day: VotingDay) -> None:
    from pypdf import PdfReader

    r = _client(voting_day.small.users["command"]).get(reverse("reports:briefing", args=[voting_day.meeting.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(r.content)).pages)
    assert "Rakor kesiapan pemungutan suara" in text and "Pengawalan logistik" in text
    assert "Laporan Situasi Harian".upper() in text  # the latest situation report is part of the pack


def test_cli_report_daily_writes_pdf_and_xlsx(voting_day: VotingDay, settings: Any, tmp_path: Any) -> None:
    from openpyxl import load_workbook

    settings.MEDIA_ROOT = tmp_path
    out = io.StringIO()
    pdf = tmp_path / "lapsit.pdf"
    call_command(
        "report", "daily", "--date", "2024-02-14", "--format", "pdf", "--region", "33.20", "--out", str(pdf), stdout=out
    )
    assert pdf.read_bytes().startswith(b"%PDF-") and "content sha256" in out.getvalue()
    xlsx = tmp_path / "lapsit.xlsx"
    call_command(
        "report",
        "daily",
        "--date",
        "2024-02-14",
        "--format",
        "xlsx",
        "--region",
        "33.20",
        "--issue",
        "--out",
        str(xlsx),
        stdout=io.StringIO(),
    )
    wb = load_workbook(xlsx)
    rows = {r[0]: r[1] for r in wb["Laporan masuk"].iter_rows(values_only=True) if r and r[0]}
    assert rows["Laporan masuk"] == 6
    html = tmp_path / "lapsit.html"
    call_command(
        "report",
        "daily",
        "--date",
        "2019-01-01",
        "--format",
        "html",
        "--region",
        "33.20",
        "--out",
        str(html),
        stdout=io.StringIO(),
    )
    assert "Tidak ada data untuk tanggal ini" in Path(html).read_text()
