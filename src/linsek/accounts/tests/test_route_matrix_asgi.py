"""The routes served outside Django (``linsek.asgi``) ask the same matrix: their ``asgi:`` entries.

Called as ASGI apps in the test process (no server). They look the caller up in worker threads with their own
database connections, so the rows must be committed: ``transaction=True``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from conftest import SmallJepara
from linsek.accounts.routes import route_allows
from linsek.accounts.tokens import api_token_create
from linsek.incidents.lane import IntakeLane
from linsek.live.stream import live_reports
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _call(app: Any, *, method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes = b"") -> int:
    """Run one request through an ASGI app; the client hangs up after the first body chunk. Returns the status."""
    sent: list[dict[str, Any]] = []
    scope = {"type": "http", "method": method, "path": path, "query_string": b"", "headers": headers}

    async def run() -> None:
        delivered = False

        async def receive() -> dict[str, Any]:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": body, "more_body": False}
            while not any(m["type"] == "http.response.body" for m in sent):
                await asyncio.sleep(0.01)
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await asyncio.wait_for(app(scope, receive, send), timeout=20)

    asyncio.run(run())
    return int(next(m["status"] for m in sent if m["type"] == "http.response.start"))


def _session_cookie(user: Any) -> list[tuple[bytes, bytes]]:
    client = Client()
    client.force_login(user)
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    return [(b"cookie", f"{settings.SESSION_COOKIE_NAME}={key}".encode())]


def test_live_stream_admits_whom_the_matrix_admits(jepara_small: SmallJepara) -> None:
    no_role = UserFactory.create(username="tanpa-peran", organisation=jepara_small.polres)
    viewer = jepara_small.users["viewer"]
    assert not route_allows(no_role, "asgi:live-reports", "GET")
    assert route_allows(viewer, "asgi:live-reports", "GET")
    assert _call(live_reports, method="GET", path="/live/reports", headers=[]) == 401
    assert _call(live_reports, method="GET", path="/live/reports", headers=_session_cookie(no_role)) == 403
    assert _call(live_reports, method="GET", path="/live/reports", headers=_session_cookie(viewer)) == 200


def test_live_stream_computes_the_report_scope_only_for_an_admitted_user(jepara_small: SmallJepara) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from linsek.live.stream import _connect

    no_role = UserFactory.create(username="tanpa-peran", organisation=jepara_small.polres)
    viewer = jepara_small.users["viewer"]

    def connect(user: Any) -> tuple[Any, Any, bool]:
        key = _session_cookie(user)[0][1].decode().split("=", 1)[1]
        with ThreadPoolExecutor(max_workers=1) as pool:  # as the stream does: in a thread, its connection closed
            return pool.submit(_connect, key).result()

    user, scope, admitted = connect(no_role)
    assert user is not None and user.pk == no_role.pk and scope is None and admitted is False
    user, scope, admitted = connect(viewer)
    assert user is not None and user.pk == viewer.pk and scope is not None and admitted is True


def test_intake_lane_admits_whom_the_matrix_admits(jepara_small: SmallJepara) -> None:
    async def unused_fallback(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("a bearer request must not fall through to Django")

    lane = IntakeLane(fallback=unused_fallback)
    viewer, reporter = jepara_small.users["viewer"], jepara_small.users["field_reporter"]
    assert not route_allows(viewer, "asgi:intake-lane", "POST")
    assert route_allows(reporter, "asgi:intake-lane", "POST")
    for user, expected in ((viewer, 403), (reporter, 400)):  # 400: admitted, then the body is not JSON
        _row, secret = api_token_create(user=user, name="uji")
        headers = [(b"authorization", f"Bearer {secret}".encode()), (b"content-type", b"application/json")]
        status = _call(lane, method="POST", path="/api/v1/reports", headers=headers, body=b"bukan json")
        assert status == expected, user.username
