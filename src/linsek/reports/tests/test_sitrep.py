"""The daily situation report against the hand-counted voting day (see conftest), its files read back,
the "no data" report, absent modules, freezing and the audit anchor."""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from linsek.audit.models import AuditEvent
from linsek.reports.content import sitrep_build
from linsek.reports.models import SituationReport
from linsek.reports.render import sitrep_render
from linsek.reports.services import rendition_get, sitrep_generate, sitrep_verify
from linsek.reports.tests.conftest import WIB, D, VotingDay, submit

pytestmark = pytest.mark.django_db
MORNING = datetime(2024, 2, 15, 6, 30, tzinfo=WIB)


def _build(v: VotingDay, day: date = D, now: datetime = MORNING) -> dict[str, Any]:
    return sitrep_build(region=v.small.regency, date_from=day, date_to=day, now=now)


def test_reports_by_kind_area_status_and_notable_match_the_hand_count(voting_day: VotingDay) -> None:
    inc = _build(voting_day)["sections"]["incidents"]
    assert inc["state"] == "ok"
    assert (inc["total"], inc["previous_total"], inc["restricted"]) == (6, 2, 1)
    assert {k["code"]: (k["count"], k["previous"]) for k in inc["by_kind"]} == {
        "politik_uang": (3, 1),
        "intimidasi": (2, 0),
        "logistik_rusak": (1, 0),
        "kampanye": (0, 1),
    }
    assert {a["name"]: (a["count"], a["previous"]) for a in inc["by_area"]} == {"Mayong": (5, 1), "Karimunjawa": (1, 1)}
    assert {s["code"]: s["count"] for s in inc["by_status"] if s["count"]} == {"new": 6}
    assert [n["kind"] for n in inc["notable"]] == ["intimidasi", "intimidasi"]
    assert inc["notable"][0]["summary"] == "Ancaman kepada KPPS"
    assert all("restricted" not in json.dumps(n) for n in inc["notable"])
    assert {d["date"]: d["count"] for d in inc["per_day"]}["2024-02-13"] == 2


def test_kamtibmas_status_per_district(voting_day: VotingDay) -> None:
    kam = _build(voting_day)["sections"]["kamtibmas"]
    by_name = {a["name"]: (a["level"], a["score"], a["open"]) for a in kam["areas"]}
    assert by_name == {"Mayong": ("waspada", 10, 6), "Karimunjawa": ("aman", 2, 2)}
    assert {lv["code"]: lv["areas"] for lv in kam["levels"]} == {"siaga": 0, "waspada": 1, "aman": 1}


def test_calendar_actions_cases_and_absent_modules(voting_day: VotingDay) -> None:
    content = _build(voting_day)
    s = content["sections"]
    assert {c["code"] for c in s["calendar"]["current"]} == {
        "operasi_mantap_brata",
        "pemungutan_suara",
        "penghitungan_suara",
    }
    assert s["calendar"]["next"][0]["first"] == "2024-02-15"
    acts = s["actions"]
    assert (acts["unresolved"], acts["overdue_total"]) == (2, 1)
    assert acts["overdue"][0]["title"] == "Pengawalan logistik" and acts["overdue"][0]["days_overdue"] == 4
    assert s["cases"] == {"state": "no_data"}
    assert s["logistics"] is None  # no logistics app: shown as "belum tersedia"
    assert content["has_data"] and content["final"]
    assert {r["metric"]: (r["value"], r["previous"]) for r in content["comparison"]}["reports_total"] == (6, 2)


def test_no_data_report_says_so_and_shows_no_zeros(voting_day: VotingDay) -> None:
    content = _build(voting_day, day=date(2019, 4, 17), now=datetime(2019, 4, 18, 7, tzinfo=WIB))
    assert not content["has_data"]
    s = content["sections"]
    assert s["incidents"] == {"state": "no_data"} and s["kamtibmas"] == {"state": "no_data"}
    assert s["actions"] == {"state": "no_data"}
    report = sitrep_generate(
        actor=None,
        region=voting_day.small.regency,
        date_from=date(2019, 4, 17),
        now=datetime(2019, 4, 18, 7, tzinfo=WIB),
    )
    text = _pdf_text(sitrep_render(report.content_json, fmt="pdf", language="id", content_sha256="x"))
    assert "Tidak ada data untuk tanggal ini" in text
    assert "Belum tersedia" in text  # logistics: the module is absent, not zero
    assert " 0 laporan" not in text


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def test_pdf_and_xlsx_read_back_with_the_figures(voting_day: VotingDay, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path
    report = sitrep_generate(
        actor=voting_day.small.users["command"], region=voting_day.small.regency, date_from=D, now=MORNING, issue=True
    )
    pdf = rendition_get(report=report, fmt="pdf", language="id", now=MORNING)
    text = _pdf_text(pdf.file.read())
    assert "LAPORAN SITUASI HARIAN · KABUPATEN JEPARA (33.20)" in text  # the heading is set in capitals
    assert "6 laporan" in text
    assert "Mayong" in text and "Waspada" in text and "Pengawalan logistik" in text
    assert "Pemungutan suara" in text
    assert report.content_sha256 in text.replace("\n", "")

    from openpyxl import load_workbook

    xlsx = rendition_get(report=report, fmt="xlsx", language="id", now=MORNING)
    wb = load_workbook(io.BytesIO(xlsx.file.read()))
    summary = wb["Ringkasan"]
    cells = {row[0]: row[1] for row in summary.iter_rows(values_only=True) if row and row[0]}
    assert cells["SHA-256 isi laporan"] == report.content_sha256
    incidents = {row[0]: row[1] for row in wb["Laporan masuk"].iter_rows(values_only=True) if row and row[0]}
    assert incidents["Laporan masuk"] == 6 and incidents["Periode sebelumnya"] == 2
    assert incidents["Politik uang"] == 3
    areas = {row[1]: row[2] for row in wb["Per wilayah"].iter_rows(min_row=2, values_only=True)}
    assert areas == {"Mayong": 5, "Karimunjawa": 1}
    kam = {
        row[1]: row[2]
        for row in wb["Status Kamtibmas per wilayah"].iter_rows(values_only=True)
        if row[0] and str(row[0]).startswith("33.")
    }
    assert kam == {"Mayong": "Waspada", "Karimunjawa": "Aman"}
    # English on request, from the same frozen content
    en = rendition_get(report=report, fmt="pdf", language="en", now=MORNING)
    en_text = _pdf_text(en.file.read())
    assert "DAILY SITUATION REPORT · REGENCY JEPARA" in en_text
    assert "Voting day" in en_text and "Reports received" in en_text and "Security status per area" in en_text


def test_issued_report_is_frozen_hashed_and_anchored_in_the_audit_chain(voting_day: VotingDay) -> None:
    small = voting_day.small
    last_before_end = AuditEvent.objects.filter(at__lt=datetime(2024, 2, 15, tzinfo=WIB)).order_by("-seq").first()
    assert last_before_end is not None
    report = sitrep_generate(actor=None, region=small.regency, date_from=D, now=MORNING, issue=True)
    assert report.audit_hash == last_before_end.hash
    assert sitrep_verify(report)
    # later data (a late report received on D) changes the live picture, not the issued report
    submit(small, kind="politik_uang", tps=small.tps[1], at=datetime(2024, 2, 14, 23, 0, tzinfo=WIB))
    assert _build(voting_day)["sections"]["incidents"]["total"] == 7
    again = sitrep_generate(actor=None, region=small.regency, date_from=D, now=MORNING + timedelta(hours=1), issue=True)
    assert again.pk == report.pk and json.loads(again.content_json)["sections"]["incidents"]["total"] == 6
    # tampering with the stored text is detected
    SituationReport.objects.filter(pk=report.pk).update(
        content_json=report.content_json.replace('"total":6', '"total":5')
    )
    report.refresh_from_db()
    assert not sitrep_verify(report)


def test_a_day_cannot_be_issued_before_it_ends(voting_day: VotingDay) -> None:
    from linsek.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed, match="setelah hari itu berakhir"):
        sitrep_generate(
            actor=None,
            region=voting_day.small.regency,
            date_from=D,
            now=datetime(2024, 2, 14, 20, 0, tzinfo=WIB),
            issue=True,
        )


def test_district_report_counts_only_its_district(voting_day: VotingDay) -> None:
    content = sitrep_build(region=voting_day.small.mayong, date_from=D, date_to=D, now=MORNING)
    inc = content["sections"]["incidents"]
    assert inc["total"] == 5
    assert {a["name"]: a["count"] for a in inc["by_area"]} == {"Pelemkerep": 5, "Pule": 0}


def test_range_report_sums_the_days(voting_day: VotingDay) -> None:
    content = sitrep_build(region=voting_day.small.regency, date_from=date(2024, 2, 13), date_to=D, now=MORNING)
    assert content["sections"]["incidents"]["total"] == 8
    assert content["period"]["days"] == 2
