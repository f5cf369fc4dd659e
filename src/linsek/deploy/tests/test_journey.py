"""The command post's risk-and-plan journey in Chromium against the real server (granian + ASGI app).

Open the risk map of the regency (categories and the roll-up), a TPS's explanation, then make a plan
from the default patterns, read it (lower bound, BKO, units) and approve it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import TEST_PASSWORD
from linsek.deploy.tests.conftest import Staffed
from tests.browser import LiveServer, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _map_drawn(page: Any) -> int:
    page.wait_for_selector("#map[data-state='ready']")
    return int(page.get_attribute("#map", "data-drawn"))


def test_command_sees_categories_with_explanations_and_approves_a_plan(
    transactional_db: Any, staffed: Staffed, linsek_server: LiveServer, page: Any
) -> None:
    browser_login(page, "command", TEST_PASSWORD)
    page.goto("/risiko/")
    page.wait_for_url(re.compile(r"/risiko/wilayah/33\.20/$"))
    assert page.locator("#risk-counts dd[data-category='sangat_rawan']").inner_text() == "1"
    assert page.locator("#risk-counts dd[data-category='rawan']").inner_text() == "1"
    assert _map_drawn(page) == 9
    legend = page.locator("#map-legend").inner_text()
    assert "Sangat rawan" in legend and "Kurang rawan" in legend

    page.locator("#risk-rollup").get_by_role("link", name="Mayong").click()
    page.wait_for_url(re.compile(r"/risiko/wilayah/33\.20\.04/$"))
    page.goto(f"/risiko/tps/{staffed.j.tps[0].code}/")
    assert page.locator("#tps-category").inner_text() == "Sangat rawan"
    explanation = page.locator("#risk-explanation").inner_text()
    assert "V2.1" in explanation and "Riwayat kekerasan" in explanation and "ambang" in explanation

    page.goto("/pengamanan/")
    page.wait_for_url(re.compile(r"/pengamanan/wilayah/33\.20/$"))
    page.get_by_role("button", name="Buat rencana").click()
    page.wait_for_url(re.compile(r"/pengamanan/rencana/\d+/$"))
    assert page.locator("#plan-status").inner_text() == "Draf"
    assert _map_drawn(page) == 9
    assert int(page.locator("#police-needed").inner_text()) >= int(page.locator("#lower-bound").inner_text().split()[0])
    assert "Polsek Mayong" in page.locator("#plan-units").inner_text()
    assert page.locator("#plan-units").get_by_role("link", name="XLSX").first.get_attribute("href").endswith(".xlsx")
    page.locator("#approve").click()
    page.wait_for_selector("#plan-status:has-text('Disetujui')")
    assert page.locator("#approve").count() == 0
