"""The SMS/WhatsApp webhook: signatures, replies, threading by sender, floods, unknown and registered senders."""

from __future__ import annotations

import time
from typing import Any

import orjson
import pytest
from django.test import Client

from linsek.incidents.models import Report, ReportEvent
from linsek.intake.models import InboundMessage, RegisteredSender
from linsek.intake.services import signature_expected

SECRET = "rahasia-gateway-uji"


@pytest.fixture(autouse=True)
def _secret(settings: Any) -> None:
    settings.LINSEK_SMS_WEBHOOK_SECRET = SECRET


def _post(
    client: Client,
    body: dict[str, Any],
    *,
    channel: str = "sms",
    secret: str = SECRET,
    ts: int | None = None,
    signed: bool = True,
) -> Any:
    raw = orjson.dumps(body)
    stamp = str(ts if ts is not None else int(time.time()))
    headers: dict[str, str] = {}
    if signed:
        headers = {
            "X-Linsek-Timestamp": stamp,
            "X-Linsek-Signature": signature_expected(secret=secret, timestamp=stamp, body=raw),
        }
    return client.post(f"/laporan/masuk/{channel}/", raw, content_type="application/json", headers=headers)


def _msg(n: int, text: str, sender: str = "081234567890") -> dict[str, Any]:
    return {"id": f"prov-{n}", "from": sender, "text": text}


def test_short_format_becomes_a_public_report_needing_verification(jepara: Any, client: Client) -> None:
    response = _post(client, _msg(1, f"LAPOR {jepara.tps[0].code} PU bagi amplop"))
    assert response.status_code == 200
    body = response.json()
    report = Report.objects.get()
    assert (
        body["reference"] == f"L{report.pk}"
        and body["reference"] in body["reply"]
        and "Panwascam Mayong" in body["reply"]
    )
    assert (report.channel, report.classification, report.needs_verification) == ("sms", "public", True)
    assert report.reporter_phone == "6281234567890" and report.reporter_id is None


def test_provider_retry_gets_the_same_answer_and_no_new_report(jepara: Any, client: Client) -> None:
    first = _post(client, _msg(1, f"LAPOR {jepara.tps[0].code} PU bagi amplop")).json()
    again = _post(client, _msg(1, f"LAPOR {jepara.tps[0].code} PU bagi amplop")).json()
    assert first["reply"] == again["reply"] and Report.objects.count() == 1 and InboundMessage.objects.count() == 1


def test_follow_up_text_joins_the_senders_open_report(jepara: Any, client: Client) -> None:
    _post(client, _msg(1, f"LAPOR {jepara.tps[0].code} BR KUNING massa berkumpul"))
    body = _post(client, _msg(2, "sekarang sudah 200 orang")).json()
    report = Report.objects.get()
    assert body["outcome"] == "appended" and body["reference"] == f"L{report.pk}"
    assert ReportEvent.objects.filter(report=report, action="follow_up", note="sekarang sudah 200 orang").exists()
    assert Report.objects.count() == 1 and report.crowd_level == "kuning" and report.severity >= 3


def test_unparseable_text_gets_the_format(jepara: Any, client: Client) -> None:
    body = _post(client, _msg(1, "halo pak")).json()
    assert body["outcome"] == "help" and "LAPOR" in body["reply"] and Report.objects.count() == 0
    body = _post(client, _msg(2, f"LAPOR {jepara.tps[0].code} XX apa ini")).json()
    assert body["outcome"] == "invalid" and "XX" in body["reply"]
    body = _post(client, _msg(3, "LAPOR 33.20.04.2001.777 PU amplop")).json()
    assert body["outcome"] == "invalid" and "33.20.04.2001.777" in body["reply"]


def test_registered_sender_uses_his_default_tps_and_account(jepara: Any, client: Client) -> None:
    user = jepara.users["field_reporter"]
    RegisteredSender.objects.create(phone="6281299990000", name="Bripka Andi", user=user, default_tps=jepara.tps[2])
    body = _post(
        client, _msg(1, "LAPOR GT listrik padam, warga ricuh", sender="+62 812-9999-0000"), channel="whatsapp"
    ).json()
    report = Report.objects.get()
    assert body["outcome"] == "created"
    assert (report.tps_id, report.reporter_id, report.channel, report.needs_verification) == (
        jepara.tps[2].pk,
        user.pk,
        "whatsapp",
        False,
    )
    assert report.reporter_name == "Bripka Andi"


def test_unsigned_badly_signed_and_stale_requests_are_refused(jepara: Any, client: Client) -> None:
    message = _msg(1, f"LAPOR {jepara.tps[0].code} PU x")
    assert _post(client, message, signed=False).status_code == 401
    assert _post(client, message, secret="salah").status_code == 403
    assert _post(client, message, ts=int(time.time()) - 3600).status_code == 403
    assert Report.objects.count() == 0 and InboundMessage.objects.count() == 0


def test_a_flood_from_one_sender_is_throttled_without_storing(jepara: Any, client: Client) -> None:
    statuses = [_post(client, _msg(n, "halo")).status_code for n in range(10)]
    assert statuses[:6] == [200] * 6 and set(statuses[6:]) == {429}
    assert InboundMessage.objects.count() == 6
    assert _post(client, _msg(99, "halo", sender="0811000000")).status_code == 200  # others are not affected


def test_the_cli_feeds_a_text_through_the_same_intake(jepara: Any) -> None:
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(
        "sms", "receive", f"LAPOR {jepara.tps[0].code} LT kotak suara belum datang", "--from", "0812555", stdout=out
    )
    report = Report.objects.get()
    assert out.getvalue().startswith("created") and f"L{report.pk}" in out.getvalue()
    assert report.kind == "logistik_terlambat" and report.lead_org is not None
