"""Risk pages, layers and the API router (on a throwaway NinjaAPI), through the test client."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import path
from ninja import NinjaAPI

from conftest import SmallJepara
from linsek.api.auth import API_AUTH
from linsek.api.errors import errors_register
from linsek.risk.api import router
from linsek.risk.models import Assessment, TpsRisk
from linsek.risk.services import AssessmentInput, assessments_record_many

NOW = datetime(2024, 2, 9, 12, 0, tzinfo=ZoneInfo("Asia/Jakarta"))
test_api = NinjaAPI(urls_namespace="risk-test-api", auth=API_AUTH)
errors_register(test_api)
test_api.add_router("/risk", router)
urlpatterns = [path("api/", test_api.urls)]


@pytest.fixture
def assessed(jepara_small: SmallJepara) -> SmallJepara:
    values = [{"V2.1": 1, "V2.2": 1, "V3.1": 1}, {"V3.1": 1, "V3.2": 1}] + [{}] * 7
    assessments_record_many(
        actor=None,
        now=NOW,
        source="demo",
        items=[
            AssessmentInput(tps=t, values=v, assessed_at=NOW) for t, v in zip(jepara_small.tps, values, strict=True)
        ],
    )
    return jepara_small


def login(client: Client, j: SmallJepara, role: str) -> Client:
    client.force_login(j.users[role])
    return client


def test_region_page_shows_counts_per_category_and_rollup(client: Client, assessed: SmallJepara) -> None:
    body = login(client, assessed, "viewer").get("/risiko/wilayah/33.20/").content.decode()
    assert 'data-category="sangat_rawan">1<' in body and 'data-category="rawan">1<' in body
    assert 'id="risk-rollup"' in body and "Mayong" in body
    assert "/risiko/peta/tps.json?region=33.20" in body


def test_tps_page_explains_the_category(client: Client, assessed: SmallJepara) -> None:
    body = login(client, assessed, "viewer").get(f"/risiko/tps/{assessed.tps[0].code}/").content.decode()
    assert 'data-category="sangat_rawan"' in body
    assert 'data-indicator="V2.1"' in body and "Riwayat kekerasan" in body
    assert "Penetapan kategori oleh komando" not in body  # a viewer cannot override


def test_command_overrides_from_the_tps_page(client: Client, assessed: SmallJepara) -> None:
    c = login(client, assessed, "command")
    url = f"/risiko/tps/{assessed.tps[2].code}/"
    short = c.post(url, {"category": "rawan", "reason": "singkat"})
    assert short.status_code == 200 and TpsRisk.objects.get(tps=assessed.tps[2]).category == "kurang_rawan"
    done = c.post(url, {"category": "rawan", "reason": "Laporan Bhabinkamtibmas: ada ancaman"})
    assert done.status_code == 302 and TpsRisk.objects.get(tps=assessed.tps[2]).category == "rawan"
    assert login(Client(), assessed, "liaison").post(url, {"category": "", "reason": "x" * 20}).status_code == 403


def test_assessment_form_and_village_grid(client: Client, assessed: SmallJepara) -> None:
    c = login(client, assessed, "field_reporter")
    tps = assessed.tps[3]
    form = c.get(f"/risiko/tps/{tps.code}/nilai/")
    assert form.status_code == 200 and "V7.2" in form.content.decode()
    saved = c.post(
        f"/risiko/tps/{tps.code}/nilai/",
        {
            "assessed_at": "2024-02-08T10:00",
            "assessor_role": "bhabinkamtibmas",
            "V6_1": "on",
            "V6_2": "on",
            "V1_1": "3",
        },
    )
    assert saved.status_code == 302
    latest = Assessment.objects.filter(tps=tps, source="form").first()
    assert latest is not None and latest.values["V6.1"] == 1 and latest.values["V1.1"] == 3
    village = assessed.villages["Pule"]
    grid = c.get(f"/risiko/desa/{village.code}/tabel/").content.decode()
    assert grid.count('<th scope="row" class="tps">') == 3
    ids = list(TpsRisk.objects.filter(village=village).values_list("tps_id", flat=True))
    bad = c.post(f"/risiko/desa/{village.code}/tabel/", {f"t{ids[0]}-V1_4": "99"})
    assert bad.status_code == 200 and "V1.4" in bad.content.decode()
    count = Assessment.objects.count()
    ok = c.post(f"/risiko/desa/{village.code}/tabel/", {f"t{i}-V3_1": "on" for i in ids})
    assert ok.status_code == 302 and Assessment.objects.count() == count + 3
    assert set(TpsRisk.objects.filter(village=village).values_list("category", flat=True)) == {
        "kurang_rawan"
    }  # 3 points


def test_import_page_lists_problems(client: Client, assessed: SmallJepara) -> None:
    c = login(client, assessed, "liaison")
    upload = SimpleUploadedFile("p.csv", b"tps,V1.1,V9.9\n33.20.04.2001.001,1,1\n", content_type="text/csv")
    body = c.post("/risiko/impor/", {"file": upload}).content.decode()
    assert 'id="import-problems"' in body and "V9.9" in body and "tidak ada yang disimpan" in body
    assert login(Client(), assessed, "viewer").get("/risiko/impor/").status_code == 403


def test_layers(client: Client, assessed: SmallJepara) -> None:
    c = login(client, assessed, "viewer")
    layer = c.get("/risiko/peta/tps.json?region=33.20").json()
    assert layer["fields"] == ["code", "lat", "lon", "voters", "status"]
    statuses = [s["code"] for s in layer["statuses"]]
    rows = {r[0]: statuses[r[4]] for r in layer["rows"]}
    assert rows[assessed.tps[0].code] == "sangat_rawan" and len(rows) == 9
    areas = c.get("/risiko/peta/wilayah.json?parent=33.20").json()
    assert "index" in areas["fields"] and "colour" in areas["fields"]
    mayong = next(r for r in areas["rows"] if r[0] == "33.20.04")
    record = dict(zip(areas["fields"], mayong, strict=True))
    assert record["sangat_rawan"] == 1 and record["rawan"] == 1 and record["colour"].startswith("#")
    assert c.get("/risiko/peta/tps.json").status_code == 400
    assert Client().get("/risiko/peta/tps.json?region=33.20").status_code == 401


@pytest.mark.urls("linsek.risk.tests.test_pages")
def test_api_router(client: Client, assessed: SmallJepara) -> None:
    c = login(client, assessed, "liaison")
    catalogue = c.get("/api/risk/catalogue").json()
    assert len(catalogue["indicators"]) == 22 and catalogue["thresholds"] == {"rawan": 4, "sangat_rawan": 9}
    tps = assessed.tps[5].code
    created = c.post(
        f"/api/risk/tps/{tps}/assessments", data=json.dumps({"values": {"V2.1": True}}), content_type="application/json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["category"] == "rawan" and created.json()["reasons"][0]["rule"] == "threshold"
    bad = c.post(
        f"/api/risk/tps/{tps}/assessments", data=json.dumps({"values": {"V1.4": 50}}), content_type="application/json"
    )
    # linsek.api.errors splits a field path on dots: an indicator code (V1.4) spans the last two elements
    assert bad.status_code == 422 and ".".join(map(str, bad.json()["detail"][0]["loc"])).endswith("V1.4")
    forbidden = c.post(
        f"/api/risk/tps/{tps}/override",
        data=json.dumps({"category": "khusus", "reason": "alasan panjang"}),
        content_type="application/json",
    )
    assert forbidden.status_code == 403
    assert c.get("/api/risk/tps/33.20.04.2001.099").status_code == 404
    rollup: list[dict[str, Any]] = c.get("/api/risk/rollup/33.20").json()
    assert {r["code"] for r in rollup} == {"33.20.04", "33.20.10"}
