"""The journey of issue 4 in Chromium against the real server: a field reporter files a report from a phone
(once while offline: it waits on the phone and goes out when the network returns) while the command post's
dashboard shows each report appear without a reload."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from conftest import TEST_PASSWORD
from linsek.incidents.models import Report
from tests.browser import CHROMIUM_ARGS, LiveServer, browser_login  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def test_field_report_from_a_phone_appears_on_the_command_dashboard(
    transactional_db: Any, jepara: Any, linsek_server: LiveServer, page: Any, chromium: Any
) -> None:
    # The command post watches the common picture.
    browser_login(page, "command", TEST_PASSWORD)
    page.goto("/laporan/")
    page.wait_for_selector("#live-state.live")

    # A field reporter on a phone.
    phone = chromium.new_context(base_url=linsek_server.url, locale="id-ID", **PHONE)
    phone.set_default_timeout(15_000)
    reporter = phone.new_page()
    errors: list[str] = []
    reporter.on("pageerror", lambda exc: errors.append(str(exc)))
    browser_login(reporter, "field_reporter", TEST_PASSWORD)
    reporter.goto("/laporan/baru/")
    reporter.get_by_label("Jenis kejadian").select_option("bentrok")
    reporter.get_by_label("Tingkat massa").select_option("kuning")
    reporter.get_by_label("Kode TPS").fill(jepara.tps[0].code)
    reporter.get_by_label("Uraian").fill("Massa <b>berkumpul</b> di depan TPS")
    reporter.get_by_role("button", name="Kirim laporan").click()
    sent_at = time.monotonic()
    reporter.wait_for_selector("#sent-list li")
    assert re.search(r"L\d+ — Polsek Mayong", reporter.locator("#sent-list li").first.inner_text())

    report = Report.objects.get()
    row = page.locator(f'#report-list tr[data-id="{report.pk}"]')
    row.wait_for(timeout=3000)
    shown_after = time.monotonic() - sent_at
    assert shown_after < 3.0, shown_after
    assert "Polsek Mayong" in row.inner_text() and "kuning" in row.inner_text()
    assert "Massa <b>berkumpul</b>" in row.inner_text()  # shown as text, not markup

    # Offline: the report waits on the phone, then goes out by itself when the network returns.
    phone.set_offline(True)
    reporter.get_by_label("Jenis kejadian").select_option("logistik_terlambat")
    reporter.get_by_label("Kode TPS").fill(jepara.tps[1].code)
    reporter.get_by_label("Uraian").fill("Kotak suara belum datang")
    reporter.get_by_role("button", name="Kirim laporan").click()
    reporter.wait_for_selector("#outbox:not([hidden])")
    assert "menunggu" in reporter.locator("#outbox").inner_text()
    assert Report.objects.count() == 1
    phone.set_offline(False)
    reporter.locator("#sent-list li").nth(1).wait_for()
    second = Report.objects.exclude(pk=report.pk).get()
    page.locator(f'#report-list tr[data-id="{second.pk}"]').wait_for(timeout=5000)
    assert second.kind == "logistik_terlambat" and Report.objects.count() == 2

    # The lead agency's queue has it, routed and with its reason.
    page.goto(f"/laporan/{report.pk}/")
    assert "Polsek pertama" in page.locator("main").inner_text()
    phone.close()
    assert not errors, errors
