"""The common picture: district Kamtibmas status from thresholds as data; dashboard, map layer and queue pages."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from linsek.incidents.picture import (
    DupFacts,
    OpenReportFacts,
    _pair,
    district_status,
    duplicate_pairs_for,
    duplicate_suggestions,
)
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


_DUP_T0 = datetime(2024, 2, 14, 1, 0, tzinfo=UTC)
_dup_facts = st.builds(
    DupFacts,
    id=st.integers(1, 10_000),
    kind=st.sampled_from(["politik_uang", "bentrok"]),
    observed_at=st.integers(0, 240).map(lambda m: _DUP_T0 + timedelta(minutes=m)),
    tps_id=st.none() | st.integers(1, 4),
    # points on a 2 km patch of Jepara (steps of ~55 m) and, now and then, far north where cells stretch
    lat=st.none()
    | st.integers(0, 40).map(lambda i: -6.59 + i * 0.0005)
    | st.integers(0, 40).map(lambda i: 84 + i * 1e-4),
    lon=st.none() | st.integers(0, 40).map(lambda i: 110.66 + i * 0.0005),
)


@given(
    targets=st.lists(_dup_facts, max_size=12, unique_by=lambda f: f.id),
    pool=st.lists(_dup_facts, max_size=40, unique_by=lambda f: f.id),
    radius_m=st.sampled_from([50.0, 500.0, 2_000.0]),
    window=st.sampled_from([10, 60]),
)
def test_duplicate_search_finds_exactly_the_pairs_a_full_comparison_finds(
    targets: list[DupFacts], pool: list[DupFacts], radius_m: float, window: int
) -> None:
    by_id = {f.id: f for f in pool}
    targets = [by_id.get(t.id, t) for t in targets]  # one report, one set of facts
    found = {
        (p.report_id, p.other_id) for p in duplicate_pairs_for(targets, pool, radius_m=radius_m, window_minutes=window)
    }
    expected = set()
    for t in targets:
        for o in pool:
            if o.id == t.id or o.kind != t.kind or abs(o.observed_at - t.observed_at) > timedelta(minutes=window):
                continue
            pair = _pair(t, o, radius_m)
            if pair is not None:
                expected.add((pair.report_id, pair.other_id))
    assert found == expected


@given(
    targets=st.lists(_dup_facts, max_size=12, unique_by=lambda f: f.id),
    pool=st.lists(_dup_facts, max_size=40, unique_by=lambda f: f.id),
    radius_m=st.sampled_from([50.0, 500.0]),
)
def test_the_suggestion_is_the_oldest_older_report_among_the_pairs(
    targets: list[DupFacts], pool: list[DupFacts], radius_m: float
) -> None:
    by_id = {f.id: f for f in pool}
    targets = [by_id.get(t.id, t) for t in targets]
    expected: dict[int, int] = {}
    for pair in duplicate_pairs_for(targets, pool, radius_m=radius_m, window_minutes=60):
        if pair.report_id in {t.id for t in targets}:
            expected[pair.report_id] = min(expected.get(pair.report_id, pair.other_id), pair.other_id)
    assert duplicate_suggestions(targets, pool, radius_m=radius_m, window_minutes=60) == expected
