"""Journey through the real server and Chromium: Bawaslu registers a case from a report and forwards it to
the police; the police investigator sees the investigation deadline on the board and on the case page."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conftest import TEST_PASSWORD
from linsek.cases.models import Case
from linsek.cases.tests.conftest import Gakkumdu
from tests.browser import browser_login

pytestmark = pytest.mark.browser


def _transition(page: Any, to_stage: str, *, document: bool) -> None:
    page.select_option("#id_to_stage", to_stage)
    if document:
        page.set_input_files(
            "#id_document",
            files=[{"name": "dokumen.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 dokumen uji\n"}],
        )
    page.get_by_role("button", name="Simpan transisi").click()
    page.wait_for_load_state()
    assert page.locator(".alert.success, .alert").first.is_visible()


def test_bawaslu_registers_and_forwards_police_sees_the_deadline(
    transactional_db: Any, gakkumdu: Gakkumdu, page: Any
) -> None:
    browser_login(page, gakkumdu.bawaslu_user.username, TEST_PASSWORD)
    page.goto("/perkara/")
    page.get_by_role("link", name="Registrasi perkara").click()
    known = datetime.now(ZoneInfo("Asia/Jakarta")) - timedelta(hours=3)
    page.select_option("#id_origin", "report")
    page.fill("#id_title", "Pembagian uang kepada pemilih di Desa Pule")
    page.fill("#id_known_at", known.strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#id_region", gakkumdu.j.villages["Pule"].code)
    page.select_option("#id_articles", "523")
    page.fill("#id_origin_reference", "LP-07/PL/Kab/2024")
    page.fill("#id_reporter", "Warga Pule")
    page.fill("#id_reported", "Sdr. Z")
    page.get_by_role("button", name="Registrasi").click()
    page.wait_for_url("**/perkara/*/")
    case = Case.objects.get(title="Pembagian uang kepada pemilih di Desa Pule")
    assert page.locator("h1").inner_text() == case.title
    assert page.locator("[data-stage=review] .sisa-waktu").is_visible()

    _transition(page, "gakkumdu_1", document=False)
    _transition(page, "gakkumdu_2", document=True)
    _transition(page, "forwarding", document=True)
    # 1 x 24 hours (Pasal 476), then the police receive the file
    assert "476" in page.locator("[data-stage=forwarding]").inner_text()
    _transition(page, "investigation", document=True)
    case.refresh_from_db()
    assert case.stage == "investigation" and case.current_due_at is not None
    due_local = case.current_due_at.astimezone(ZoneInfo("Asia/Jakarta"))

    page.context.clear_cookies()
    browser_login(page, gakkumdu.police_user.username, TEST_PASSWORD)
    page.goto("/perkara/")
    row = page.locator("#deadline-board tbody tr", has_text=case.number)
    assert row.is_visible() and "Penyidikan" in row.inner_text()
    assert row.locator("time").get_attribute("datetime").startswith(due_local.strftime("%Y-%m-%dT%H:%M"))
    row.get_by_role("link", name=case.number).click()
    current = page.locator("[data-stage=investigation]")
    assert "480" in current.inner_text() and current.locator(".sisa-waktu").is_visible()
    assert (
        "13 hari" in current.locator(".sisa-waktu").inner_text()
        or "14 hari" in current.locator(".sisa-waktu").inner_text()
    )

    # someone outside Gakkumdu sees counts only
    page.context.clear_cookies()
    browser_login(page, gakkumdu.j.users["viewer"].username, TEST_PASSWORD)
    page.goto("/perkara/")
    assert case.number not in page.content()
