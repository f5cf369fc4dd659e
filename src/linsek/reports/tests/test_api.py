"""The coord and reports routers on a throwaway NinjaAPI with the project's error mapping (NotFound 404,
Forbidden 403, ValidationFailed 400 with fields), as the lead will mount them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from ninja import NinjaAPI
from ninja.testing import TestClient

from linsek.core.errors import DomainError, Forbidden, NotFound
from linsek.reports.tests.conftest import D, VotingDay

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def client() -> TestClient:
    from linsek.coord.api import router as coord_router
    from linsek.reports.api import router as reports_router

    api = NinjaAPI(urls_namespace="coord-test-api")

    @api.exception_handler(DomainError)
    def domain(request: Any, exc: DomainError) -> Any:
        status = 404 if isinstance(exc, NotFound) else 403 if isinstance(exc, Forbidden) else 400
        fields = [{"field": p.field, "message": p.message} for p in getattr(exc, "problems", [])]
        return api.create_response(
            request, {"error": exc.code, "message": exc.message, "fields": fields}, status=status
        )

    api.add_router("/koordinasi", coord_router)
    api.add_router("/laporan-situasi", reports_router)
    return TestClient(api)


def test_meeting_action_and_status_through_the_api(client: TestClient, voting_day: VotingDay) -> None:
    small = voting_day.small
    command = small.users["command"]
    r = client.get(f"/koordinasi/rapat/{voting_day.meeting.pk}", user=command)
    assert r.status_code == 200
    body = r.json()
    assert len(body["action_items"]) == 3 and body["attendance"][0]["attendance"] == "invited"

    bad = client.post(f"/koordinasi/rapat/{voting_day.meeting.pk}/tindak-lanjut", json={"title": "x"}, user=command)
    assert bad.status_code == 400
    assert {f["field"] for f in bad.json()["fields"]} == {"owner_org", "due_date"}

    ok = client.post(
        f"/koordinasi/rapat/{voting_day.meeting.pk}/tindak-lanjut",
        json={"title": "Pengamanan gudang PPK", "owner": "polsek-mayong", "due_date": "2024-02-16"},
        user=command,
    )
    assert ok.status_code == 201 and ok.json()["owner"] == "polsek-mayong"
    item_id = ok.json()["id"]
    # Bawaslu's liaison does not own it
    assert (
        client.post(
            f"/koordinasi/tindak-lanjut/{item_id}/status",
            json={"status": "done", "evidence": "x"},
            user=small.users["liaison"],
        ).status_code
        == 403
    )
    # the Polsek officer closes it with evidence
    done = client.post(
        f"/koordinasi/tindak-lanjut/{item_id}/status",
        json={"status": "done", "evidence": "Gudang dijaga 2 personel"},
        user=small.users["area_officer"],
    )
    assert done.status_code == 200 and done.json()["status"] == "done"
    overdue = client.get("/koordinasi/tindak-lanjut?overdue=true", user=command).json()
    assert [a["title"] for a in overdue] == ["Pengawalan logistik", "Rencana rekap"]  # today is long after Feb 2024


def test_calendar_and_unauthenticated(client: TestClient, voting_day: VotingDay) -> None:
    r = client.get("/koordinasi/kalender?start=2024-02-10&end=2024-02-16", user=voting_day.small.users["viewer"])
    assert r.status_code == 200
    assert "Pemungutan suara" in {e["title"] for e in r.json()}
    assert client.get("/koordinasi/kalender?start=2024-02-10&end=2024-02-16").status_code == 401


def test_sitrep_issue_and_read_back(client: TestClient, voting_day: VotingDay) -> None:
    small = voting_day.small
    live = client.get(f"/laporan-situasi/harian?region=33.20&day={D.isoformat()}", user=small.users["viewer"])
    assert live.status_code == 200 and live.json()["sections"]["incidents"]["total"] == 6
    refused = client.post(
        "/laporan-situasi/harian",
        json={"region": "33.20", "date_from": "2024-02-14", "issue": True},
        user=small.users["liaison"],
    )
    assert refused.status_code == 403
    issued = client.post(
        "/laporan-situasi/harian",
        json={"region": "33.20", "date_from": "2024-02-14", "issue": True},
        user=small.users["command"],
    )
    assert issued.status_code == 201
    body = issued.json()
    assert body["status"] == "issued" and body["verified"] and body["content"]["period"]["from"] == "2024-02-14"
    got = client.get(f"/laporan-situasi/{body['id']}", user=small.users["viewer"]).json()
    assert got["content_sha256"] == body["content_sha256"]
    listed = client.get("/laporan-situasi", user=small.users["viewer"]).json()
    assert [r["date_to"] for r in listed] == [date(2024, 2, 14).isoformat()]
    assert (
        client.get("/laporan-situasi/harian?region=33.19&day=2024-02-14", user=small.users["viewer"]).status_code == 404
    )
