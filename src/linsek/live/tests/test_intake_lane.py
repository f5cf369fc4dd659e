"""The async intake lane through the real server: the same answers as Django, durable before the reply."""

from __future__ import annotations

import concurrent.futures
import uuid
from typing import Any

import httpx
import pytest

from linsek.accounts.tokens import api_token_create
from linsek.audit.services import audit_verify
from linsek.incidents.models import Report, ReportRecipient

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _body(j: Any, **over: Any) -> dict[str, Any]:
    return {"uuid": str(uuid.uuid4()), "kind": "politik_uang", "tps": j.tps[0].code, "description": "amplop", **over}


def test_lane_answers_like_the_api(jepara: Any, start_server: Any) -> None:
    server = start_server()
    _t, secret = api_token_create(user=jepara.users["field_reporter"], name="lane")
    headers = {"Authorization": f"Bearer {secret}"}
    url = server("/api/v1/reports")
    body = _body(jepara)
    first = httpx.post(url, json=body, headers=headers, timeout=10)
    assert first.status_code == 201 and first.headers["x-intake-lane"] == "async", first.text
    assert first.json()["lead"] == "Panwascam Mayong"
    replay = httpx.post(url, json=body, headers=headers, timeout=10)
    assert replay.status_code == 200 and replay.json()["replayed"] is True
    conflict = httpx.post(url, json={**body, "description": "lain"}, headers=headers, timeout=10)
    assert conflict.status_code == 409 and conflict.json()["original_id"] == body["uuid"]
    invalid = httpx.post(url, json=_body(jepara, tps="33.20.04.2001.555"), headers=headers, timeout=10)
    assert invalid.status_code == 422 and invalid.json()["detail"][0]["loc"] == ["tps"]
    assert httpx.post(url, content=b"{not json", headers=headers, timeout=10).status_code == 400
    assert httpx.post(url, json=body, headers={"Authorization": "Bearer lsk_nope"}, timeout=10).status_code == 401
    batch = httpx.post(
        server("/api/v1/reports/batch"), json={"reports": [_body(jepara), body]}, headers=headers, timeout=10
    )
    assert batch.status_code == 200 and [r["http_status"] for r in batch.json()["results"]] == [201, 200]
    report = Report.objects.get(uuid=body["uuid"])
    assert report.channel == "api" and ReportRecipient.objects.filter(report=report).count() == 3
    assert Report.objects.count() == 2 and audit_verify().broken is None


def test_a_viewer_token_may_not_submit(jepara: Any, start_server: Any) -> None:
    server = start_server()
    _t, secret = api_token_create(user=jepara.users["viewer"], name="lane")
    response = httpx.post(
        server("/api/v1/reports"), json=_body(jepara), headers={"Authorization": f"Bearer {secret}"}, timeout=10
    )
    assert response.status_code == 403 and Report.objects.count() == 0


def test_concurrent_submissions_group_commit_and_every_2xx_is_a_row(jepara: Any, start_server: Any) -> None:
    server = start_server()
    _t, secret = api_token_create(user=jepara.users["field_reporter"], name="lane")
    headers = {"Authorization": f"Bearer {secret}"}
    bodies = [_body(jepara) for _ in range(200)]
    with httpx.Client(timeout=20) as client, concurrent.futures.ThreadPoolExecutor(32) as pool:
        statuses = list(
            pool.map(lambda b: client.post(server("/api/v1/reports"), json=b, headers=headers).status_code, bodies)
        )
    assert statuses.count(201) == 200
    assert Report.objects.count() == 200 and audit_verify().broken is None
