"""The cases router on a throwaway NinjaAPI (the lead mounts the real one at /api/v1/cases/)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import include, path
from django.utils import timezone
from ninja import NinjaAPI

from linsek.api.auth import API_AUTH
from linsek.audit.models import AuditEvent
from linsek.cases.api import router
from linsek.cases.tests.conftest import Gakkumdu, register

test_api = NinjaAPI(urls_namespace="cases-test", title="cases-test", auth=API_AUTH)
test_api.add_router("/cases/", router)
urlpatterns = [path("api/test/", test_api.urls), path("perkara/", include("linsek.cases.urls"))]


@pytest.fixture
def api(settings: Any) -> str:
    settings.ROOT_URLCONF = __name__
    return "/api/test/cases"


def logged_in(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_deadline_endpoint_explains_the_count(gakkumdu: Gakkumdu, api: str) -> None:
    c = logged_in(gakkumdu.j.users["viewer"])
    r = c.get(f"{api}/deadline", {"rule": "registration.report", "start": "2024-02-09 10:00"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["due"].startswith("2024-02-21T23:59:59") and body["due"].endswith("+07:00")
    assert body["limit_kind"] == "working_days" and body["article"] == "454(6)"
    assert {s["date"] for s in body["skipped"]} == {
        "2024-02-10",
        "2024-02-11",
        "2024-02-14",
        "2024-02-17",
        "2024-02-18",
    }
    r = c.get(f"{api}/deadline", {"rule": "24h", "start": "2024-02-13T15:30:00+07:00"})
    assert r.json()["due"].startswith("2024-02-14T15:30:00")


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"rule": "nope", "start": "2024-02-09 10:00"}, 400),
        ({"rule": "0d", "start": "2024-02-09 10:00"}, 400),
        ({"rule": "investigation", "start": "kemarin"}, 422),
        ({"rule": "investigation", "start": "2024-02-09 10:00", "zone": "Mars/Olympus"}, 400),
    ],
)
def test_deadline_endpoint_refuses_bad_input(gakkumdu: Gakkumdu, api: str, params: dict[str, str], status: int) -> None:
    assert logged_in(gakkumdu.bawaslu_user).get(f"{api}/deadline", params).status_code == status


def test_api_needs_a_login(db: Any, api: str) -> None:
    assert Client().get(f"{api}/deadline", {"rule": "7d", "start": "2024-02-09 10:00"}).status_code == 401


def test_case_read_register_and_transition_through_the_api(gakkumdu: Gakkumdu, api: str) -> None:
    bawaslu = logged_in(gakkumdu.bawaslu_user)
    known = (timezone.now() - timedelta(days=1)).isoformat()
    r = bawaslu.post(
        f"{api}/",
        {
            "origin": "finding",
            "title": "Lewat API",
            "known_at": known,
            "region": gakkumdu.j.villages["Pule"].code,
            "articles": [523],
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    case_id = r.json()["id"]
    assert [s["code"] for s in r.json()["stages"]] == ["registration", "review"]
    refused = bawaslu.post(
        f"{api}/{case_id}/transitions", {"to_stage": "investigation"}, content_type="application/json"
    )
    assert refused.status_code == 409 and "gakkumdu_1" in refused.json()["allowed"]
    ok = bawaslu.post(f"{api}/{case_id}/transitions", {"to_stage": "gakkumdu_1"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["stage"] == "gakkumdu_1"
    # reads are audited; outsiders get 404, the court too before filing
    assert logged_in(gakkumdu.prosecutor_user).get(f"{api}/{case_id}").status_code == 200
    assert AuditEvent.objects.filter(action="case.read", data__purpose="api").exists()
    assert logged_in(gakkumdu.court_user).get(f"{api}/{case_id}").status_code == 404
    assert logged_in(gakkumdu.j.users["viewer"]).get(f"{api}/{case_id}").status_code == 404
    board = logged_in(gakkumdu.police_user).get(f"{api}/board").json()
    assert board["total_open"] == 1 and board["rows"][0]["id"] == case_id
    assert logged_in(gakkumdu.j.users["viewer"]).get(f"{api}/board").json()["rows"] == []


def test_register_via_api_refuses_bad_input(gakkumdu: Gakkumdu, api: str) -> None:
    register(gakkumdu, now=timezone.now())
    bad = logged_in(gakkumdu.bawaslu_user).post(
        f"{api}/",
        {
            "origin": "rumor",
            "title": "x",
            "known_at": timezone.now().isoformat(),
            "region": gakkumdu.j.mayong.code,
            "articles": [999],
        },
        content_type="application/json",
    )
    assert bad.status_code == 400 and "origin" in bad.json()["detail"] and "articles" in bad.json()["detail"]
    forbidden = logged_in(gakkumdu.police_user).post(
        f"{api}/",
        {"origin": "finding", "title": "x", "known_at": timezone.now().isoformat(), "region": gakkumdu.j.mayong.code},
        content_type="application/json",
    )
    assert forbidden.status_code == 403
