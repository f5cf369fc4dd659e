"""The live report stream (Server-Sent Events), a plain ASGI app mounted in front of Django in ``linsek.asgi``.

``GET /live/reports`` with the browser's session cookie. Each open stream costs one small queue and no
thread: the user and their need-to-know scope are resolved once at connect (in a worker thread), then
every event of the process hub is filtered in the event loop by ``ReportScope.allows`` — the same
rule as the list selectors — and by the stream's own filters (``?kind=&district=&min_severity=&org=``).

Wire format: ``event: report`` with the JSON summary (no reporter identity, no routing facts);
``event: reset`` when this stream fell behind and should reload its list; a comment every 15 s keeps
proxies from closing an idle stream. Clients reconnect by themselves (``retry: 3000``) and reload then.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

import orjson
from asgiref.sync import sync_to_async
from django.conf import settings

from linsek.live.bus import HUB

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
HEARTBEAT_SECONDS = 15.0


def _cookie(scope: Scope, name: str) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"cookie":
            jar: SimpleCookie = SimpleCookie()
            with contextlib.suppress(Exception):
                jar.load(value.decode("latin-1"))
            if name in jar:
                return jar[name].value
    return None


def session_user(session_key: str | None) -> Any:
    """The signed-in, fully verified user of a Django session key, or None (runs the ORM: call in a thread)."""
    if not session_key:
        return None
    from importlib import import_module

    from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.utils.crypto import constant_time_compare

    from linsek.accounts.two_factor import two_factor_required

    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    user_id = store.get(SESSION_KEY)
    if user_id is None:
        return None
    user = get_user_model().objects.filter(pk=user_id, is_active=True).select_related("person").first()
    if user is None or not constant_time_compare(store.get(HASH_SESSION_KEY, ""), user.get_session_auth_hash()):
        return None
    if two_factor_required(user):
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.models import Device

        device = Device.from_persistent_id(store.get(DEVICE_ID_SESSION_KEY) or "")
        if device is None or device.user_id != user.pk:
            return None
    return user


def _connect(session_key: str | None) -> tuple[Any, Any, bool]:
    """The user, their report scope and whether the route matrix (``asgi:live-reports``) admits them,
    once per stream (in a thread; its connection is closed after). The scope (queries) is computed only for
    an admitted user; a refused one gets ``None``."""
    from django.db import close_old_connections, connection

    from linsek.accounts.routes import route_allows
    from linsek.incidents.visibility import report_scope

    close_old_connections()
    try:
        user = session_user(session_key)
        if user is None:
            return None, None, False
        if not route_allows(user, "asgi:live-reports", "GET"):
            return user, None, False
        return user, report_scope(user), True
    finally:
        connection.close()


@dataclass(frozen=True)
class StreamFilter:
    kinds: frozenset[str]
    district_ids: frozenset[int]
    min_severity: int
    org_ids: frozenset[int]

    @classmethod
    def from_query(cls, query: str) -> StreamFilter:
        params = parse_qs(query)

        def ints(name: str) -> frozenset[int]:
            return frozenset(int(v) for raw in params.get(name, []) for v in raw.split(",") if v.strip().isdigit())

        kinds = frozenset(v for raw in params.get("kind", []) for v in raw.split(",") if v)
        severity = params.get("min_severity", ["1"])[0]
        return cls(kinds, ints("district"), int(severity) if severity.isdigit() else 1, ints("org"))

    def allows(self, event: dict[str, Any]) -> bool:
        facts = event.get("facts", {})
        if self.kinds and event.get("kind") not in self.kinds:
            return False
        if self.district_ids and facts.get("district_id") not in self.district_ids:
            return False
        if event.get("severity", 4) < self.min_severity:
            return False
        return not (self.org_ids and not (self.org_ids & set(facts.get("recipients", ()))))


def _frame(event: dict[str, Any]) -> bytes:
    public = {k: v for k, v in event.items() if k != "facts"}
    return b"event: report\nid: " + str(event["id"]).encode() + b"\ndata: " + orjson.dumps(public) + b"\n\n"


async def live_reports(scope: Scope, receive: Receive, send: Send) -> None:
    """The ASGI app of ``/live/reports``."""
    user, viewer_scope, admitted = await sync_to_async(_connect, thread_sensitive=False)(
        _cookie(scope, settings.SESSION_COOKIE_NAME)
    )
    if user is None or not admitted:
        status, body = (
            (401, b'{"detail":"login required","code":"unauthenticated"}')
            if user is None
            else (403, b'{"detail":"refused by the route matrix (asgi:live-reports)","code":"forbidden"}')
        )
        headers = [(b"content-type", b"application/json"), (b"x-linsek-gate", b"refused")]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return
    wanted = StreamFilter.from_query(scope.get("query_string", b"").decode("latin-1"))
    sub = await HUB.subscribe()
    disconnected = asyncio.Event()

    async def watch() -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                disconnected.set()
                return

    watcher = asyncio.get_running_loop().create_task(watch())
    try:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/event-stream; charset=utf-8"),
                    (b"cache-control", b"no-cache, no-transform"),
                    (b"x-accel-buffering", b"no"),
                ],
            }
        )
        await send(
            {"type": "http.response.body", "body": b"retry: 3000\nevent: hello\ndata: {}\n\n", "more_body": True}
        )
        while not disconnected.is_set():
            getter = asyncio.ensure_future(sub.queue.get())
            stopper = asyncio.ensure_future(disconnected.wait())
            done, _pending = await asyncio.wait(
                {getter, stopper}, timeout=HEARTBEAT_SECONDS, return_when=asyncio.FIRST_COMPLETED
            )
            stopper.cancel()
            if getter not in done:
                getter.cancel()
                if not disconnected.is_set():
                    await send({"type": "http.response.body", "body": b": ping\n\n", "more_body": True})
                continue
            frames = [getter.result()]
            while not sub.queue.empty():  # send what is queued in one write
                frames.append(sub.queue.get_nowait())
            if sub.overflowed:
                sub.overflowed = False
                await send({"type": "http.response.body", "body": b"event: reset\ndata: {}\n\n", "more_body": True})
                continue
            chunk = b"".join(
                _frame(ev)
                for ev in frames
                if viewer_scope.allows(ev.get("classification", "restricted"), ev.get("facts", {}))
                and wanted.allows(ev)
            )
            if chunk:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
    except OSError:
        pass  # the client went away mid-write
    finally:
        HUB.unsubscribe(sub)
        watcher.cancel()
        with contextlib.suppress(Exception):
            await send({"type": "http.response.body", "body": b"", "more_body": False})


class LiveReportsApp:
    """``live_reports`` as an ASGI app object (Starlette's ``Route`` treats a plain function as a view)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await live_reports(scope, receive, send)
