"""The command post's first journey, in Chromium against the real server (granian + ASGI app).

Log in, see every TPS drawn on the map, drill into a district and a village, find a TPS with the
search box and open it, switch to English.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import TEST_PASSWORD, SmallJepara
from tests.browser import LiveServer, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _map_drawn(page: Any) -> int:
    """Wait for the map script to finish and return how many features it drew (data-drawn)."""
    page.wait_for_selector("#map[data-state='ready']")
    return int(page.get_attribute("#map", "data-drawn"))


def test_command_user_journey(
    transactional_db: Any, jepara_small: SmallJepara, linsek_server: LiveServer, page: Any
) -> None:
    browser_login(page, "command", TEST_PASSWORD)

    # The dashboard: the regency's figures and every TPS on the map.
    assert page.locator("h1").inner_text() == "Jepara"
    assert _map_drawn(page) == len(jepara_small.tps) == 9
    assert "9 TPS digambar di peta" in page.locator("#map-summary").inner_text()

    # Drill down: district, then village.
    page.get_by_role("link", name="Mayong", exact=True).click()
    page.wait_for_url(re.compile(r"/wilayah/33\.20\.04/$"))
    assert page.locator("h1").inner_text().startswith("Mayong")
    assert _map_drawn(page) == 7
    page.get_by_role("link", name="Pelemkerep", exact=True).click()
    page.wait_for_url(re.compile(r"/wilayah/33\.20\.04\.2001/$"))
    assert _map_drawn(page) == 4
    assert page.get_by_role("link", name="TPS 003").is_visible()

    # Find a TPS by its code with the search box (htmx fills the results as one types).
    page.get_by_role("searchbox", name="Cari TPS atau wilayah").fill("33.20.04.2001.003")
    result = page.locator("#search-results").get_by_role("link", name=re.compile("TPS 003 Pelemkerep"))
    result.click()
    page.wait_for_url(re.compile(r"/tps/33\.20\.04\.2001\.003/$"))
    assert page.locator("h1").inner_text() == "TPS 003 Pelemkerep"
    assert _map_drawn(page) == 4  # the village's TPS, this one highlighted
    covering = page.locator("#orgs-heading + .table-wrap").inner_text()
    assert "Polsek Mayong" in covering and "Panwascam Mayong" in covering
    assert "Polsek Karimunjawa" not in covering

    # And by name: the district.
    page.get_by_role("searchbox", name="Cari TPS atau wilayah").fill("Karimun")
    page.locator("#search-results").get_by_role("link", name=re.compile("Kecamatan Karimunjawa")).click()
    page.wait_for_url(re.compile(r"/wilayah/33\.20\.10/$"))
    assert _map_drawn(page) == 2

    # English.
    page.get_by_role("button", name="English").click()
    page.wait_for_selector("html[lang='en']")
    assert page.locator("#map-heading").inner_text() == "Polling station map"
    assert page.get_by_role("link", name="Agency directory").is_visible()
