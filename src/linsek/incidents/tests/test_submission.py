"""Taking reports in: idempotent replay, every bad input of the issue, and nothing saved lost or changed."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client

from linsek.audit.models import AuditEvent
from linsek.audit.services import audit_verify
from linsek.core.errors import ValidationFailed
from linsek.incidents.models import Attachment, Report, ReportEvent, ReportRecipient
from linsek.incidents.services import ReplayConflict, actor_for, attachment_add, report_submit, reports_submit
from linsek.incidents.tests.conftest import NOW
from linsek.incidents.writer import Incoming, reports_accept_batch


def _payload(j: Any, **over: Any) -> dict[str, Any]:
    return {"uuid": str(uuid.uuid4()), "kind": "politik_uang", "tps": j.tps[0].code, "description": "amplop", **over}


def _actor(j: Any, role: str = "field_reporter") -> Any:
    return actor_for(j.users[role], channel="api")


def _state() -> tuple[int, int, int, int]:
    return (
        Report.objects.count(),
        ReportRecipient.objects.count(),
        ReportEvent.objects.count(),
        AuditEvent.objects.count(),
    )


def test_report_replay_returns_original(jepara: Any) -> None:
    data = _payload(jepara, observed_at="2024-02-14T08:30:00+07:00")
    first = report_submit(actor=_actor(jepara), data=data, now=NOW)
    before = _state()
    again = report_submit(actor=_actor(jepara), data=dict(data), now=NOW + timedelta(minutes=5))
    assert first.http_status == 201 and again.http_status == 200
    assert again.body["replayed"] is True and again.body["id"] == data["uuid"] == first.body["id"]
    assert again.body["reference"] == first.body["reference"]
    assert _state() == before


def test_replay_without_observed_time_is_still_the_same_content(jepara: Any) -> None:
    data = _payload(jepara)
    report_submit(actor=_actor(jepara), data=data, now=NOW)
    assert report_submit(actor=_actor(jepara), data=dict(data), now=NOW + timedelta(minutes=3)).http_status == 200


def test_replay_with_different_content_is_a_conflict_naming_the_original(jepara: Any) -> None:
    data = _payload(jepara)
    first = report_submit(actor=_actor(jepara), data=data, now=NOW)
    original = Report.objects.get(pk=first.report_pk)
    before = _state()
    with pytest.raises(ReplayConflict) as exc:
        report_submit(actor=_actor(jepara), data={**data, "description": "lain"}, now=NOW)
    assert exc.value.original_id == data["uuid"] and exc.value.reference == f"L{original.pk}"
    assert _state() == before
    original.refresh_from_db()
    assert original.description == "amplop"


def test_same_uuid_twice_in_one_batch(jepara: Any) -> None:
    data = _payload(jepara)
    items = [Incoming(d, _actor(jepara), "u") for d in (data, dict(data), {**data, "description": "x"})]
    outcomes = reports_accept_batch(items, now=NOW)
    assert [o.http_status for o in outcomes] == [201, 200, 409]
    assert Report.objects.count() == 1


def test_batch_mixes_good_and_bad_and_keeps_order(jepara: Any) -> None:
    items = [_payload(jepara), _payload(jepara, kind="nope"), _payload(jepara, tps="33.20.04.2001.099")]
    outcomes = reports_submit(actor=_actor(jepara), items=items, now=NOW)
    assert [o.http_status for o in outcomes] == [201, 422, 422]
    assert Report.objects.count() == 1
    assert audit_verify().broken is None


def _problems(j: Any, **over: Any) -> dict[str, str]:
    before = _state()
    with pytest.raises(ValidationFailed) as exc:
        report_submit(actor=_actor(j), data=_payload(j, **over), now=NOW)
    assert _state() == before
    return {p.field: p.message for p in exc.value.problems}


def test_unknown_tps_names_it_and_suggests_the_closest(jepara: Any) -> None:
    problems = _problems(jepara, tps="33.20.04.2001.009")
    assert "33.20.04.2001.009" in problems["tps"]
    assert "33.20.04.2001.00" in problems["tps"] and "mungkin maksud Anda" in problems["tps"]


def test_unknown_region_code_suggests_too(jepara: Any) -> None:
    problems = _problems(jepara, tps=None, region="33.20.04.2009")
    assert "33.20.04.2009" in problems["region"] and "33.20.04.200" in problems["region"]


def test_coordinates_outside_the_regency(jepara: Any) -> None:
    assert "luar" in _problems(jepara, tps=None, lat=-7.8, lon=110.36)["lat"]  # Yogyakarta
    assert "luar" in _problems(jepara, lat=-6.2, lon=106.8)["lat"]  # a Mayong TPS placed in Jakarta


def test_a_bare_point_is_located_to_the_nearest_village(jepara: Any) -> None:
    outcome = report_submit(actor=_actor(jepara), data=_payload(jepara, tps=None, lat=-6.7395, lon=110.7625), now=NOW)
    report = Report.objects.get(pk=outcome.report_pk)
    assert report.village == jepara.villages["Pelemkerep"] and report.district == jepara.mayong


def test_time_in_the_future_is_refused(jepara: Any) -> None:
    later = (NOW + timedelta(hours=2)).isoformat()
    assert "masa depan" in _problems(jepara, observed_at=later)["observed_at"]


def test_text_over_the_limit_is_refused(jepara: Any) -> None:
    assert "terlalu panjang" in _problems(jepara, description="x" * 2001)["description"]


def test_counts_larger_than_the_tps_voters_are_refused_with_the_reason(jepara: Any) -> None:
    problems = _problems(jepara, kind="prosedur_tps", people_count=5000, ballot_count=400)
    assert "245" in problems["people_count"]
    assert "Pasal 350" in problems["ballot_count"]


def test_unknown_fields_and_bad_types(jepara: Any) -> None:
    problems = _problems(jepara, severity=9, color="red", uuid="not-a-uuid")
    assert {"severity", "color", "uuid"} <= set(problems)


def test_control_characters_are_stripped_and_html_kept_as_text(jepara: Any, client: Client) -> None:
    script = "<script>alert('x')</script>\x00<b>tebal</b>"
    outcome = report_submit(
        actor=_actor(jepara, "command"),
        data=_payload(jepara, description=script, title="<img src=x onerror=alert(1)>"),
        now=NOW,
    )
    report = Report.objects.get(pk=outcome.report_pk)
    assert "\x00" not in report.description and "<script>" in report.description
    client.force_login(jepara.users["command"])
    for url in (f"/laporan/{report.pk}/", "/laporan/"):
        html = client.get(url).content.decode()
        assert ("<script>alert" not in html and "&lt;script&gt;alert" in html) or url == "/laporan/"
        assert "<img src=x" not in html


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"0" * 64


def test_attachments_are_typed_by_content_and_size_limited(jepara: Any) -> None:
    outcome = report_submit(actor=_actor(jepara), data=_payload(jepara), now=NOW)
    user = jepara.users["field_reporter"]
    assert (
        attachment_add(actor=user, report_id=outcome.report_pk, name="foto.png", content=PNG, now=NOW).content_type
        == "image/png"
    )
    assert (
        attachment_add(actor=user, report_id=outcome.report_pk, name="x.jpg", content=PDF, now=NOW).content_type
        == "application/pdf"
    )
    with pytest.raises(ValidationFailed, match="tidak diizinkan"):
        attachment_add(actor=user, report_id=outcome.report_pk, name="foto.jpg", content=b"<html><script>", now=NOW)
    with pytest.raises(ValidationFailed, match="tidak diizinkan"):
        attachment_add(actor=user, report_id=outcome.report_pk, name="a.svg", content=b"<svg onload=alert(1)>", now=NOW)
    with pytest.raises(ValidationFailed, match="terlalu besar"):
        attachment_add(
            actor=user, report_id=outcome.report_pk, name="big.png", content=PNG + b"\x00" * 5_300_000, now=NOW
        )
    assert Attachment.objects.count() == 2


def test_web_form_endpoint_needs_csrf_and_answers_like_the_api(jepara: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(jepara.users["field_reporter"])
    data = _payload(jepara)
    assert client.post("/laporan/kirim/", data, content_type="application/json").status_code == 403
    client.get("/laporan/baru/")
    token = client.cookies["csrftoken"].value
    first = client.post("/laporan/kirim/", data, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    again = client.post("/laporan/kirim/", data, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    bad = client.post(
        "/laporan/kirim/", {**data, "description": "beda"}, content_type="application/json", HTTP_X_CSRFTOKEN=token
    )
    assert (first.status_code, again.status_code, bad.status_code) == (201, 200, 409)
    assert bad.json()["original_id"] == data["uuid"]


def test_api_router_on_a_throwaway_api(jepara: Any) -> None:
    """The ninja router as the lead will register it (``/api/v1/reports``), mounted on a private NinjaAPI."""
    from ninja import NinjaAPI
    from ninja.testing import TestClient

    from linsek.api.errors import errors_register
    from linsek.incidents.api import router

    api = NinjaAPI(auth=lambda request: request.user if request.user.is_authenticated else None, urls_namespace="t4")
    errors_register(api)
    api.add_router("/reports", router)
    client = TestClient(api)
    user = jepara.users["field_reporter"]
    data = _payload(jepara)
    response = client.post("/reports", json=data, user=user)
    assert response.status_code == 201, response.content
    assert client.post("/reports", json=data, user=user).status_code == 200
    assert client.post("/reports", json={**data, "description": "beda"}, user=user).status_code == 409
    assert client.post("/reports", json={**data, "uuid": str(uuid.uuid4()), "tps": "1"}, user=user).status_code == 422
    listed = client.get("/reports", user=user).json()
    assert listed["count"] == 1 and listed["items"][0]["uuid"] == data["uuid"]
    detail = client.get(f"/reports/{listed['items'][0]['id']}", user=user).json()
    assert detail["routing"]["rule"] == "money-politics" and detail["timeline"][0]["action"] == "submitted"
    batch = client.post(
        "/reports/batch", json={"reports": [_payload(jepara), _payload(jepara, tps="33.20.99.2001.001")]}, user=user
    )
    assert batch.status_code == 207 and [r["http_status"] for r in batch.json()["results"]] == [201, 422]
