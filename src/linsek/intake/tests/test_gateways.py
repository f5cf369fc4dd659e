"""Outgoing SMS/WhatsApp: the HTTP adapter against a local fake provider, and the console adapter."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from linsek.intake.gateways import ConsoleGateway, GatewayError, HttpGateway, phone_normalise


class FakeProvider(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []
    mode = "ok"

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if self.headers.get("Authorization") != "Bearer token-uji":
            self._answer(401, {"error": "auth"})
            return
        if FakeProvider.mode == "busy":
            self._answer(503, {"error": "busy"})
            return
        if FakeProvider.mode == "bad":
            self._answer(400, {"error": "bad number"})
            return
        FakeProvider.received.append(body)
        self._answer(200, {"id": f"msg-{len(FakeProvider.received)}"})

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def provider() -> Iterator[str]:
    FakeProvider.received = []
    FakeProvider.mode = "ok"
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeProvider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/send"
    server.shutdown()


def test_http_gateway_sends_and_returns_the_provider_id(provider: str) -> None:
    gateway = HttpGateway(provider, "token-uji", sender="LINSEK")
    assert gateway.send(to="6281234567890", text="Laporan L1", channel="whatsapp", reference="r1") == "msg-1"
    assert FakeProvider.received == [
        {"to": "6281234567890", "text": "Laporan L1", "channel": "whatsapp", "sender": "LINSEK", "reference": "r1"}
    ]


def test_http_gateway_errors_are_retryable_or_permanent(provider: str) -> None:
    FakeProvider.mode = "busy"
    with pytest.raises(GatewayError) as busy:
        HttpGateway(provider, "token-uji").send(to="62811", text="x")
    assert not busy.value.permanent
    FakeProvider.mode = "bad"
    with pytest.raises(GatewayError) as bad:
        HttpGateway(provider, "token-uji").send(to="62811", text="x")
    assert bad.value.permanent
    with pytest.raises(GatewayError):
        HttpGateway("http://127.0.0.1:9/none", "t", timeout=1).send(to="62811", text="x")


def test_console_gateway_appends_json_lines(tmp_path: Path) -> None:
    gateway = ConsoleGateway(tmp_path / "out.jsonl")
    gateway.send(to="62811", text="satu")
    gateway.send(to="62812", text="dua", channel="whatsapp")
    lines = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert [(x["to"], x["text"], x["channel"]) for x in lines] == [
        ("62811", "satu", "sms"),
        ("62812", "dua", "whatsapp"),
    ]


def test_phone_numbers_are_normalised() -> None:
    assert phone_normalise("0812-3456-7890") == phone_normalise("+62 812 3456 7890") == "6281234567890"


def test_sms_channel_is_registered_with_notify() -> None:
    from linsek.notify.channels import CHANNELS

    assert {"sms", "whatsapp"} <= set(CHANNELS)
