"""Plan pages, roster downloads, layers and the API router (throwaway NinjaAPI)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import path
from ninja import NinjaAPI
from openpyxl import load_workbook

from linsek.api.auth import API_AUTH
from linsek.api.errors import errors_register
from linsek.deploy.api import router
from linsek.deploy.models import Plan, PlanJob
from linsek.deploy.services import plan_generate, plan_job_run
from linsek.deploy.tests.conftest import NOW, Staffed

test_api = NinjaAPI(urls_namespace="deploy-test-api", auth=API_AUTH)
errors_register(test_api)
test_api.add_router("/deploy", router)
urlpatterns = [path("api/", test_api.urls)]


def login(client: Client, s: Staffed, role: str) -> Client:
    client.force_login(s.j.users[role])
    return client


def test_scope_page_generates_a_plan_and_the_plan_page_shows_it(client: Client, staffed: Staffed) -> None:
    c = login(client, staffed, "command")
    page = c.get("/pengamanan/wilayah/33.20/")
    assert page.status_code == 200 and "Buat versi baru" in page.content.decode()
    form: dict[str, Any] = {
        "mode": "auto",
        "label": "uji",
        "duty_start": "2024-02-14",
        "duty_end": "2024-02-15",
        "reserve_share": "0.2",
    }
    for cat, (p, t, l_, r) in {
        "kurang_rawan": (2, 16, 32, 4000),
        "rawan": (2, 6, 12, 2000),
        "sangat_rawan": (2, 1, 2, 500),
        "khusus": (2, 1, 2, 500),
    }.items():
        form.update(
            {f"{cat}__police": p, f"{cat}__tps": t, f"{cat}__linmas": l_, f"{cat}__tni": 0, f"{cat}__radius_m": r}
        )
    bad = c.post("/pengamanan/wilayah/33.20/", {**form, "rawan__tps": "0"})
    assert bad.status_code == 200 and "T harus ≥ 1" in bad.content.decode() and not Plan.objects.exists()
    made = c.post("/pengamanan/wilayah/33.20/", form)  # queued for the worker (test_jobs runs the real worker)
    assert made.status_code == 302 and made["Location"] == "/pengamanan/wilayah/33.20/" and not Plan.objects.exists()
    plan_job_run(job_id=PlanJob.objects.get().id)
    plan = Plan.objects.get()
    body = c.get(f"/pengamanan/rencana/{plan.id}/").content.decode()
    assert 'id="lower-bound"' in body and 'id="plan-units"' in body and "Polsek Mayong" in body
    assert 'id="approve"' in body
    assert c.post(f"/pengamanan/rencana/{plan.id}/setujui/").status_code == 302
    plan.refresh_from_db()
    assert plan.status == "approved"
    assert 'id="approve"' not in c.get(f"/pengamanan/rencana/{plan.id}/").content.decode()


def test_rosters_download_as_xlsx_and_pdf(client: Client, staffed: Staffed) -> None:
    plan = plan_generate(actor=None, regency=staffed.j.regency, now=NOW)
    c = login(client, staffed, "area_officer")
    xlsx = c.get(f"/pengamanan/rencana/{plan.id}/satuan/polsek-mayong/roster.xlsx")
    assert xlsx.status_code == 200 and "attachment" in xlsx["Content-Disposition"]
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert ws is not None and "Polsek Mayong" in str(ws["A1"].value)
    pdf = c.get(f"/pengamanan/rencana/{plan.id}/satuan/polsek-mayong/roster.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert c.get(f"/pengamanan/rencana/{plan.id}/satuan/polsek-mayong/roster.doc").status_code == 404


def test_plans_are_hidden_from_roles_without_deploy_view(client: Client, staffed: Staffed) -> None:
    plan = plan_generate(actor=None, regency=staffed.j.regency, now=NOW)
    c = login(client, staffed, "viewer")
    assert c.get(f"/pengamanan/rencana/{plan.id}/").status_code == 404
    assert c.get(f"/pengamanan/rencana/{plan.id}/peta/pos.json").status_code == 404
    area = login(Client(), staffed, "area_officer")
    assert area.get(f"/pengamanan/rencana/{plan.id}/").status_code == 200
    assert area.post(f"/pengamanan/rencana/{plan.id}/setujui/").status_code == 403
    plan.refresh_from_db()
    assert plan.status == "draft"  # an area officer may look, not approve


def test_layers(client: Client, staffed: Staffed) -> None:
    plan = plan_generate(actor=None, regency=staffed.j.regency, now=NOW)
    c = login(client, staffed, "command")
    tps = c.get(f"/pengamanan/rencana/{plan.id}/peta/tps.json").json()
    assert len(tps["rows"]) == 9 and [s["code"] for s in tps["statuses"]] == ["covered", "partial", "uncovered"]
    posts = c.get(f"/pengamanan/rencana/{plan.id}/peta/pos.json").json()["posts"]
    assert sum(len(p["tps"]) for p in posts) == 9 and all(p["team"] for p in posts)


@pytest.mark.urls("linsek.deploy.tests.test_pages")
def test_api_router(client: Client, staffed: Staffed) -> None:
    c = login(client, staffed, "command")
    made = c.post(
        "/api/deploy/plans", data=json.dumps({"scope": "33.20", "mode": "full"}), content_type="application/json"
    )
    assert made.status_code == 201, made.content
    plan_id = made.json()["id"]
    assert made.json()["summary"]["plannable"] == 9
    assert c.get("/api/deploy/plans?scope=33.20").json()[0]["id"] == plan_id
    assert len(c.get(f"/api/deploy/plans/{plan_id}/posts").json()) >= 3
    assert c.post(f"/api/deploy/plans/{plan_id}/approve").json()["status"] == "approved"
    person = staffed.mayong_people[0].id
    absent = c.post(
        "/api/deploy/availability",
        data=json.dumps({"person_id": person, "kind": "sick", "start": "2024-02-14", "end": "2024-02-13"}),
        content_type="application/json",
    )
    assert absent.status_code == 422
    ok = c.post(
        "/api/deploy/availability",
        data=json.dumps({"person_id": person, "kind": "leave", "start": "2024-02-13", "end": "2024-02-16"}),
        content_type="application/json",
    )
    assert ok.status_code == 201
    bad = {
        "scope": "33.20",
        "patterns": {"patterns": [{"category": "rawan", "police": 0, "tps": 6, "linmas": 12, "radius_m": 1}]},
    }
    refused = c.post("/api/deploy/plans", data=json.dumps(bad), content_type="application/json")
    assert refused.status_code == 422 and "P harus" in json.dumps(refused.json())
    viewer = login(Client(), staffed, "viewer")
    assert viewer.get("/api/deploy/plans").status_code == 403
