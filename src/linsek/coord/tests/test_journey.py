"""The coordination journey in Chromium against the real server: create a meeting, add a decision and an
action item, plan the next meeting (the item is carried onto its agenda), mark the item done with evidence,
and see it leave the next agenda."""

from __future__ import annotations

import re
from typing import Any

import pytest

from conftest import TEST_PASSWORD, SmallJepara
from tests.browser import LiveServer, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _new_meeting(page: Any, small: SmallJepara, *, title: str, starts: str) -> str:
    page.goto("/koordinasi/rapat/baru/")
    page.fill("#id_title", title)
    page.fill("#id_starts_at", starts)
    page.fill("#id_place", "Pendopo R.A. Kartini")
    page.select_option("#id_region", label="33.20 Jepara")
    page.select_option("#id_organiser", label="Polres Jepara")
    page.select_option("#id_invited", label=["Polres Jepara", "Polsek Mayong", "Bawaslu Jepara"])
    page.fill("#id_agenda", "Pembukaan\nPaparan instansi")
    page.get_by_role("button", name="Simpan rapat").click()
    page.wait_for_url(re.compile(r"/koordinasi/rapat/\d+/$"))
    assert page.locator("h1").inner_text() == title
    return str(page.url)


def test_meeting_decision_action_done_leaves_next_agenda(
    transactional_db: Any, jepara_small: SmallJepara, linsek_server: LiveServer, page: Any
) -> None:
    browser_login(page, "command", TEST_PASSWORD)
    first = _new_meeting(page, jepara_small, title="Rakor Linsek Oktober", starts="2023-10-13T09:00")

    page.get_by_text("Tambah keputusan").click()
    page.fill("#decision_text", "Seluruh instansi memakai kalender bersama.")
    page.select_option("#decision_binds", label=["Polres Jepara", "Bawaslu Jepara"])
    page.get_by_role("button", name="Simpan keputusan").click()
    page.wait_for_url(re.compile(r"#decision$"))
    assert "Seluruh instansi memakai kalender bersama." in page.locator("#decision").inner_text()

    # a mistake first: no owner; the page says so and keeps what was typed
    page.get_by_text("Tambah tindak lanjut").click()
    page.fill("#action_title", "Susun rencana pengawalan logistik")
    page.fill("#action_due_date", "2023-10-27")
    page.get_by_role("button", name="Simpan tindak lanjut").click()
    assert "harus punya instansi penanggung jawab" in page.locator("#action").inner_text()
    assert page.input_value("#action_title") == "Susun rencana pengawalan logistik"
    page.select_option("#action_owner_org", label="Polsek Mayong")
    page.select_option("#action_decision", index=1)
    page.get_by_role("button", name="Simpan tindak lanjut").click()
    page.wait_for_url(re.compile(r"#action$"))
    assert "Susun rencana pengawalan logistik" in page.locator("#action").inner_text()

    nxt = _new_meeting(page, jepara_small, title="Rakor Linsek November", starts="2023-11-22T09:00")
    carried = page.get_by_test_id("carried")
    assert "Susun rencana pengawalan logistik" in carried.inner_text()
    assert "lewat tenggat" in carried.inner_text()

    carried.get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/koordinasi/tindak-lanjut/\d+/$"))
    page.select_option("#id_status", "done")
    page.fill("#id_evidence", "Rencana pengawalan No. R/12/X/2023 diserahkan")
    page.get_by_role("button", name="Simpan status").click()
    page.wait_for_url(re.compile(r"/koordinasi/tindak-lanjut/\d+/$"))
    assert page.get_by_test_id("action-status").inner_text().startswith("Selesai")

    page.goto(nxt)
    assert page.get_by_test_id("carried").count() == 0
    assert "Susun rencana pengawalan logistik" not in page.locator("#agenda").inner_text()
    page.goto(first)
    assert "Selesai" in page.locator("#action").inner_text()
