"""The command post's risk-and-plan journey in Chromium against the real server (granian + ASGI app).

Open the risk map of the regency (categories and the roll-up), a TPS's explanation, then ask for a plan
from the default patterns (the worker makes it while the page shows the job's status), read it (lower
bound, BKO, units), see its posts on the map with their team and Linmas, and approve it.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import TEST_PASSWORD
from linsek.deploy.models import Post
from linsek.deploy.tests.conftest import LinmasStaff, Staffed
from linsek.notify.management.commands.worker import queue_run
from tests.browser import LiveServer, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _map_drawn(page: Any) -> int:
    page.wait_for_selector("#map[data-state='ready']")
    return int(page.get_attribute("#map", "data-drawn"))


def test_command_sees_categories_with_explanations_and_approves_a_plan(
    transactional_db: Any, staffed: Staffed, linmas_staff: LinmasStaff, linsek_server: LiveServer, page: Any
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
    page.wait_for_url(re.compile(r"/pengamanan/wilayah/33\.20/$"))  # queued, not planned in the request
    page.wait_for_selector("#plan-jobs tr[data-status='queued']")
    queue_run(worker_id="journey-worker")  # what `linsek worker` does on its next loop
    page.wait_for_selector("#plan-jobs tr[data-status='done']", timeout=15_000)  # the page polls the job
    page.locator("#plan-jobs").get_by_role("link", name="Rencana versi 1").click()
    page.wait_for_url(re.compile(r"/pengamanan/rencana/\d+/$"))
    assert page.locator("#plan-status").inner_text() == "Draf"
    assert _map_drawn(page) == 9
    posts = Post.objects.filter(plan__version=1).count()
    assert posts > 1 and page.get_attribute("#map", "data-posts") == str(posts)
    first = page.locator("#plan-posts tbody tr").first
    post_key = first.get_attribute("data-post")
    first.get_by_role("link", name="lihat di peta").click()
    popup = page.locator(f".leaflet-popup-content .post-popup[data-post='{post_key}']")
    popup.wait_for()
    text = popup.inner_text()
    assert "Bripka Mayong" in text or "Brigpol Karimun" in text or "Bripda Samapta" in text
    assert post_key in text and any(f"Linmas {v}" in text for v in ("Pelemkerep", "Pule", "Karimunjawa"))
    assert int(page.locator("#police-needed").inner_text()) >= int(page.locator("#lower-bound").inner_text().split()[0])
    assert "Polsek Mayong" in page.locator("#plan-units").inner_text()
    assert page.locator("#plan-units").get_by_role("link", name="XLSX").first.get_attribute("href").endswith(".xlsx")
    page.locator("#approve").click()
    page.wait_for_selector("#plan-status:has-text('Disetujui')")
    assert page.locator("#approve").count() == 0
