"""The common picture: district Kamtibmas status from thresholds as data; dashboard, map layer and queue pages."""

from __future__ import annotations

import uuid
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from linsek.incidents.picture import OpenReportFacts, district_status
from linsek.incidents.rules import file_document, status_parse
from linsek.incidents.selectors import district_statuses
from linsek.incidents.services import actor_for, report_submit
from linsek.incidents.tests.conftest import NOW

RULES = status_parse(file_document("status"))


def _level(*facts: tuple[int, str]) -> str:
    return district_status([OpenReportFacts(s, c) for s, c in facts], RULES)[0].code


def test_status_levels_follow_the_thresholds() -> None:
    assert _level() == "aman"
    assert _level((1, ""), (1, "")) == "aman"  # info reports weigh nothing
    assert _level((2, ""), (2, ""), (2, "")) == "waspada"  # score 3
    assert _level((3, "")) == "waspada"  # one high report
    assert _level((4, "")) == "siaga"  # one critical report
    assert _level((3, "merah")) == "siaga"
    assert _level(*[(3, "")] * 4) == "siaga"  # score 12


@given(st.lists(st.tuples(st.integers(1, 4), st.sampled_from(["", "hijau", "kuning", "merah"])), max_size=30))
def test_more_open_reports_never_lower_the_status(facts: list[tuple[int, str]]) -> None:
    order = [lv.code for lv in reversed(RULES.levels)]  # aman < waspada < siaga
    base = order.index(_level(*facts))
    assert order.index(_level(*facts, (2, ""))) >= base


def test_pages_show_the_picture_for_the_command_post(jepara: Any, client: Any) -> None:
    for severity in (4, 2):
        report_submit(
            actor=actor_for(jepara.users["field_reporter"], channel="web"),
            data={
                "uuid": str(uuid.uuid4()),
                "kind": "intimidasi",
                "severity": severity,
                "tps": jepara.tps[0].code,
                "description": "ancaman",
                "classification": "public",
            },
            now=NOW,
        )
    statuses = {s.code: s for s in district_statuses(jepara.users["command"])}
    assert statuses["33.20.04"].level.code == "siaga" and statuses["33.20.04"].open_reports == 2
    assert statuses["33.20.10"].level.code == "aman"
    client.force_login(jepara.users["command"])
    page = client.get("/laporan/?severity=3")
    assert page.status_code == 200 and page.content.decode().count('<tr data-id="') == 1
    layer = client.get("/laporan/peta.json").json()
    assert len(layer["reports"]) == 2 and {d["status"] for d in layer["districts"]} == {"siaga", "aman"}
    queue = client.get(f"/laporan/antrian/?org={jepara.polsek_mayong.pk}")
    assert queue.status_code == 200 and queue.content.decode().count('name="ids"') == 2
    client.force_login(jepara.users["area_officer"])
    assert client.get("/laporan/antrian/").content.decode().count('name="ids"') == 2  # his own Polsek's queue
    assert client.get("/laporan/baru/").status_code == 200
    manifest = client.get("/laporan/manifest.webmanifest").json()
    assert manifest["start_url"] == "/laporan/baru/"
    sw = client.get("/laporan/sw.js")
    assert sw["Service-Worker-Allowed"] == "/laporan/" and b"linsek-outbox" in sw.content
