"""The async intake lane: ``POST /api/v1/reports`` (and ``/batch``) for token clients, with group commit.

Mounted in front of Django by ``linsek.asgi``. A request with ``Authorization: Bearer …`` is taken here:
the body is parsed in the event loop, the submission is queued, and the :class:`GroupCommitter` writes
whatever has queued up in one transaction through the same writer as Django
(``incidents.writer.reports_accept_batch``: checks, routing, recipients, timeline, audit). Each request
is answered only after its batch has committed — "accepted" means durable. Requests without a bearer
token (the browser with its session and CSRF token) fall through to Django's identical endpoint.

The batch is adaptive: the committer takes everything queued when the previous commit returns, after
waiting at most ``LINSEK_INTAKE_LINGER_MS`` for company. At low load a report commits alone at once;
under load batches grow and the per-report cost of the transaction, fsync and audit-chain lock falls.
Commits run in one dedicated thread (Django's connection for that thread), so the loop keeps parsing.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import orjson
from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from linsek.incidents.submission import Actor
from linsek.incidents.writer import Incoming, Outcome, reports_accept_batch
from linsek.live.bus import publish_async

log = logging.getLogger(__name__)
Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY = 1_000_000
TOKEN_TTL = 30.0  # a revoked token keeps working here for at most this long


@dataclass(frozen=True)
class TokenActor:
    actor: Actor
    label: str
    may_submit: bool


class TokenCache:
    """Bearer secrets → actor, for ``TOKEN_TTL`` seconds (the lookup and the capability check run in a thread)."""

    def __init__(self) -> None:
        self._cache: dict[str, tuple[float, TokenActor | None]] = {}

    async def resolve(self, secret: str, client: str = "") -> TokenActor | None:
        hit = self._cache.get(secret)
        now = time.monotonic()
        if hit is not None and now - hit[0] < TOKEN_TTL:
            return hit[1]
        value = await asyncio.get_running_loop().run_in_executor(None, _token_lookup, secret, client)
        if len(self._cache) > 10_000:
            self._cache.clear()
        self._cache[secret] = (now, value)
        return value


def _token_lookup(secret: str, client: str = "") -> TokenActor | None:
    from django.db import close_old_connections

    from linsek.accounts.denials import token_rejection_record
    from linsek.accounts.routes import route_allows
    from linsek.accounts.tokens import TokenRejected, api_token_authenticate

    close_old_connections()
    try:
        result = api_token_authenticate(secret)
        if isinstance(result, TokenRejected):
            token_rejection_record(reason=result.reason, prefix=result.prefix, client=client)
            return None
        user = result.user  # narrowed to the token's role and organisation by api_token_authenticate
        actor = Actor(
            user.pk, user.get_username(), user.organisation_id, "api", trusted=user.organisation_id is not None
        )
        # The route matrix's entry for this lane (accounts/rules/routes.json), the same rule as api:report_create.
        return TokenActor(actor, user.get_username(), route_allows(user, "asgi:intake-lane", "POST"))
    finally:
        close_old_connections()


class GroupCommitter:
    """Submissions waiting for the next commit; one task forms batches, one thread commits them.

    A plain list and an event rather than an ``asyncio.Queue``: the batch is taken whole, and on the
    hottest path of the system the per-item queue machinery (and a ``wait_for`` task per item) cost
    more CPU than the commit of the row itself.
    """

    def __init__(self, *, linger_ms: float, max_batch: int) -> None:
        self.linger = linger_ms / 1000.0
        self.max_batch = max_batch
        self.pending: list[tuple[Incoming, asyncio.Future[Outcome]]] = []
        self.wakeup: asyncio.Event | None = None
        self.task: asyncio.Task[None] | None = None
        self.publishing: asyncio.Task[None] | None = None
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="intake-commit")
        self.batches = 0
        self.rows = 0

    def _ensure(self) -> asyncio.Event:
        if self.wakeup is None or self.task is None or self.task.done():
            self.wakeup = asyncio.Event()
            self.task = asyncio.get_running_loop().create_task(self._run(self.wakeup))
        return self.wakeup

    async def submit(self, items: list[Incoming]) -> list[Outcome]:
        loop = asyncio.get_running_loop()
        wakeup = self._ensure()
        futures: list[asyncio.Future[Outcome]] = [loop.create_future() for _ in items]
        self.pending.extend(zip(items, futures, strict=True))
        wakeup.set()
        if len(futures) == 1:
            return [await futures[0]]
        return list(await asyncio.gather(*futures))

    async def _run(self, wakeup: asyncio.Event) -> None:
        loop = asyncio.get_running_loop()
        while True:
            await wakeup.wait()
            if len(self.pending) == 1 and self.linger > 0:
                await asyncio.sleep(self.linger)  # a lone report waits a moment for company; a queue does not
            batch = self.pending[: self.max_batch]
            del self.pending[: self.max_batch]
            if not self.pending:
                wakeup.clear()
            if not batch:
                continue
            items = [item for item, _ in batch]
            try:
                outcomes = await loop.run_in_executor(self.executor, _commit, items)
            except Exception as exc:  # the database is down or refused the batch: every request gets 503
                log.error("intake batch of %d failed: %s", len(batch), exc)
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            self.batches += 1
            self.rows += len(batch)
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if not future.done():
                    future.set_result(outcome)
            events = [o.live for o in outcomes if o.live is not None]
            if events:
                # Published in order, but without holding up the next batch (Redis is a round trip away).
                self.publishing = loop.create_task(_publish_after(self.publishing, events))


async def _publish_after(previous: asyncio.Task[None] | None, events: list[dict[str, Any]]) -> None:
    if previous is not None and not previous.done():
        await previous
    await publish_async(events)


def _commit(items: list[Incoming]) -> list[Outcome]:
    """Runs in the committer thread, with that thread's own Django connection."""
    try:
        return reports_accept_batch(items, now=timezone.now())
    except DatabaseError:
        connection.close()  # a broken connection is reopened for the next batch
        raise


def _json(status: int, body: Any, request_id: str) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
    return (
        status,
        orjson.dumps(body),
        [(b"content-type", b"application/json"), (b"x-request-id", request_id.encode()), (b"x-intake-lane", b"async")],
    )


class IntakeLane:
    """ASGI app for ``/api/v1/reports`` and ``/api/v1/reports/batch``; anything else goes to ``fallback``."""

    def __init__(self, fallback: ASGIApp) -> None:
        self.fallback = fallback
        self.tokens = TokenCache()
        self.committer = GroupCommitter(
            linger_ms=settings.LINSEK_INTAKE_LINGER_MS, max_batch=settings.LINSEK_INTAKE_MAX_BATCH
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        authorization = b""
        for key, value in scope.get("headers", []):
            if key == b"authorization":
                authorization = value
                break
        if scope.get("method") != "POST" or authorization[:7].lower() != b"bearer ":
            await self.fallback(scope, receive, send)
            return
        status, body, headers = await self._handle(scope, receive, authorization[7:].strip().decode("latin-1"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _handle(
        self, scope: Scope, receive: Receive, secret: str
    ) -> tuple[int, bytes, list[tuple[bytes, bytes]]]:
        request_id = secrets.token_hex(16)
        client = scope.get("client") or ("", 0)
        token = await self.tokens.resolve(secret, str(client[0]))
        if token is None:
            return _json(401, {"detail": "invalid or revoked API token", "code": "unauthenticated"}, request_id)
        if not token.may_submit:
            return _json(403, {"detail": "perlu hak 'reports.submit'", "code": "forbidden"}, request_id)
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return _json(400, {"detail": "client went away", "code": "bad_request"}, request_id)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY:
                return _json(413, {"detail": f"body over {MAX_BODY} bytes", "code": "too_large"}, request_id)
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        try:
            payload = orjson.loads(b"".join(chunks))
        except orjson.JSONDecodeError:
            return _json(400, {"detail": "body is not JSON", "code": "bad_request"}, request_id)
        client = scope.get("client") or ("", 0)
        batch = scope["path"].rstrip("/").endswith("/batch")
        if batch:
            raw_items = payload.get("reports") if isinstance(payload, dict) else None
            limit = _batch_max()
            if not isinstance(raw_items, list) or not raw_items or len(raw_items) > limit:
                detail = f"body must be {{'reports': [...]}} with 1–{limit} reports"
                return _json(
                    422,
                    {"detail": [{"loc": ["reports"], "msg": detail, "type": "value_error"}], "code": "invalid"},
                    request_id,
                )
        else:
            raw_items = [payload]
        items = [
            Incoming(raw if isinstance(raw, dict) else {"_": raw}, token.actor, token.label, request_id, client[0])
            for raw in raw_items
        ]
        try:
            outcomes = await self.committer.submit(items)
        except Exception:
            return _json(
                503, {"detail": "database unavailable; resend with the same uuid", "code": "unavailable"}, request_id
            )
        if batch:
            results = [{**o.body, "http_status": o.http_status} for o in outcomes]
            return _json(207 if any(o.http_status >= 400 for o in outcomes) else 200, {"results": results}, request_id)
        return _json(outcomes[0].http_status, outcomes[0].body, request_id)


def _batch_max() -> int:
    from linsek.incidents.rules import intake_limits_nowait

    return intake_limits_nowait().batch_max
