"""Live delivery: the process hub, and SSE through real servers — one process, and two through Redis."""

from __future__ import annotations

import asyncio
import queue
import threading
import time
import uuid
from typing import Any

import httpx
import orjson
import pytest
from django.test import Client

from linsek.accounts.tokens import api_token_create
from linsek.live.bus import Hub

pytestmark = pytest.mark.slow


def test_hub_delivers_a_publish_from_another_thread(settings: Any) -> None:
    settings.REDIS_URL = ""
    hub = Hub()

    async def scenario() -> dict[str, Any]:
        sub = await hub.subscribe()
        threading.Thread(target=hub.publish, args=([{"type": "report", "id": 7}],)).start()
        return await asyncio.wait_for(sub.queue.get(), 2)

    assert asyncio.run(scenario()) == {"type": "report", "id": 7}


def test_two_hubs_meet_through_redis(settings: Any) -> None:
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    settings.LINSEK_LIVE_CHANNEL = f"linsek:test:{uuid.uuid4().hex}"
    listener, publisher = Hub(), Hub()

    async def scenario() -> dict[str, Any]:
        sub = await listener.subscribe()
        await asyncio.get_running_loop().run_in_executor(None, publisher.publish, [{"id": 9}])
        return await asyncio.wait_for(sub.queue.get(), 2)

    assert asyncio.run(scenario()) == {"id": 9}


def _reader(url: str, session: str, events: queue.Queue[Any], stop: threading.Event) -> None:
    try:
        with (
            httpx.Client(timeout=httpx.Timeout(10.0, read=20.0)) as client,
            client.stream("GET", url, cookies={"sessionid": session}) as response,
        ):
            events.put(("status", response.status_code))
            kind = ""
            for line in response.iter_lines():
                if stop.is_set():
                    return
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: "):
                    events.put((kind, orjson.loads(line[6:]), time.monotonic()))
    except httpx.HTTPError:
        if not stop.is_set():  # the stream broke during the test; after it, the server's stop cuts it
            raise


def _session_of(user: Any) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def _expect(events: queue.Queue[Any], kind: str, timeout: float = 5.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            item = events.get(timeout=max(0.01, deadline - time.monotonic()))
        except queue.Empty:
            break
        if item[0] == kind:
            return item
    raise AssertionError(f"no '{kind}' event within {timeout} s")


def _post_report(base: str, token: str, j: Any, **over: Any) -> httpx.Response:
    body = {
        "uuid": str(uuid.uuid4()),
        "kind": "bentrok",
        "crowd_level": "kuning",
        "tps": j.tps[0].code,
        "description": "massa berkumpul",
        **over,
    }
    return httpx.post(f"{base}/api/v1/reports", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=10)


def _scenario(sse_server: Any, post_server: Any, j: Any) -> None:
    _token, secret = api_token_create(user=j.users["field_reporter"], name="uji")
    events: queue.Queue[Any] = queue.Queue()
    stop = threading.Event()
    reader = threading.Thread(
        target=_reader, args=(sse_server("/live/reports"), _session_of(j.users["command"]), events, stop), daemon=True
    )
    reader.start()
    assert _expect(events, "status")[1] == 200
    _expect(events, "hello")
    posted_at = time.monotonic()
    response = _post_report(post_server.url, secret, j)
    assert response.status_code == 201, response.text
    assert response.headers["x-intake-lane"] == "async"
    _kind, event, received_at = _expect(events, "report")
    assert event["ref"] == response.json()["reference"] and event["crowd_level"] == "kuning"
    assert "facts" not in event and "reporter_name" not in event
    assert received_at - posted_at < 1.0
    stop.set()


@pytest.mark.django_db(transaction=True)
def test_sse_in_one_process_without_redis(jepara: Any, start_server: Any) -> None:
    server = start_server()
    _scenario(server, server, jepara)


@pytest.mark.django_db(transaction=True)
def test_sse_across_two_processes_through_redis(jepara: Any, start_server: Any) -> None:
    env = {"REDIS_URL": "redis://127.0.0.1:6379/0", "LINSEK_LIVE_CHANNEL": f"linsek:test:{uuid.uuid4().hex}"}
    a, b = start_server(env), start_server(env)
    _scenario(b, a, jepara)


@pytest.mark.django_db(transaction=True)
def test_stream_applies_need_to_know_and_refuses_anonymous(jepara: Any, start_server: Any) -> None:
    server = start_server()
    assert httpx.get(server("/live/reports"), timeout=5).status_code == 401
    _token, secret = api_token_create(user=jepara.users["command"], name="uji")
    events: queue.Queue[Any] = queue.Queue()
    stop = threading.Event()
    viewer = jepara.users["viewer"]  # Panwascam Mayong, read-only: public reports of Mayong only
    threading.Thread(
        target=_reader, args=(server("/live/reports"), _session_of(viewer), events, stop), daemon=True
    ).start()
    _expect(events, "hello")
    assert _post_report(server.url, secret, jepara, classification="restricted").status_code == 201
    assert (
        _post_report(server.url, secret, jepara, kind="kampanye", crowd_level=None, classification="public").status_code
        == 201
    )
    _kind, event, _at = _expect(events, "report")
    assert event["kind"] == "kampanye"  # the restricted one never reached this viewer
    stop.set()


@pytest.mark.django_db(transaction=True)
def test_a_stopping_server_does_not_wait_for_an_open_live_stream(jepara: Any, start_server: Any) -> None:
    """A dashboard's stream never ends by itself: without a bound on the stop (granian's default waits for every
    open request; ``make serve`` sets ``STOP_GRACE``) a restart waited until every browser went away."""
    server = start_server()
    events: queue.Queue[Any] = queue.Queue()
    stop = threading.Event()
    reader = threading.Thread(
        target=_reader, args=(server("/live/reports"), _session_of(jepara.users["command"]), events, stop), daemon=True
    )
    reader.start()
    _expect(events, "hello")
    stop.set()  # from here on, the server's stop may cut the stream
    server.process.terminate()
    server.process.wait(timeout=15)  # the test servers' grace is 3 s; without one this never returns
    reader.join(timeout=5)
    assert not reader.is_alive()
