"""Live events: publish from any code, fan out to every SSE subscriber of every server process.

One :class:`Hub` per process holds the subscribers (one bounded queue per open stream). Without
``REDIS_URL`` a publish is handed straight to the local hub (one process). With it, a publish goes to
a Redis pub/sub channel and each process's hub listens on that channel (one Redis connection per
process, not per stream), so a report taken by worker A reaches a dashboard connected to worker B.

Publishing is fire-and-forget *after commit*: services call :func:`publish` from
``transaction.on_commit``; the async intake lane calls :func:`publish_async` after its group commit. A
lost event costs a stale screen until the next one, never data: a reconnecting client reloads its list.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Sequence
from typing import Any

import orjson
from django.conf import settings

log = logging.getLogger(__name__)
QUEUE_SIZE = 2000


class Subscription:
    """One open stream: a bounded queue; on overflow the stream is told to reload instead of blocking others."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(maxsize=QUEUE_SIZE)
        self.overflowed = False

    def offer(self, event: dict[str, Any]) -> None:
        try:
            self.queue.put_nowait(event)
        except asyncio.QueueFull:
            self.overflowed = True


class Hub:
    """The process's subscribers and, with Redis, its one listener."""

    def __init__(self) -> None:
        self.subscribers: set[Subscription] = set()
        self.loop: asyncio.AbstractEventLoop | None = None
        self._listener: asyncio.Task[None] | None = None
        self._redis_async: Any = None
        self._redis_sync: Any = None
        self._sync_lock = threading.Lock()

    @property
    def redis_url(self) -> str:
        return str(getattr(settings, "REDIS_URL", "") or "")

    @property
    def channel(self) -> str:
        return str(getattr(settings, "LINSEK_LIVE_CHANNEL", "linsek:live"))

    # -- subscribing (in the event loop) --
    async def subscribe(self) -> Subscription:
        self.loop = asyncio.get_running_loop()
        sub = Subscription()
        self.subscribers.add(sub)
        if self.redis_url:
            await self._listen()
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        self.subscribers.discard(sub)

    def dispatch(self, events: Sequence[dict[str, Any]]) -> None:
        """Hand events to every local subscriber (in the loop's thread)."""
        for sub in list(self.subscribers):
            for event in events:
                sub.offer(event)

    async def _listen(self) -> None:
        if self._listener is not None and not self._listener.done():
            return
        import redis.asyncio as aioredis

        client = aioredis.from_url(self.redis_url)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(self.channel)  # subscribed before the first stream starts: nothing slips through

        async def run() -> None:
            try:
                while True:
                    message = await pubsub.get_message(timeout=30.0)
                    if message is None:
                        continue
                    try:
                        events = orjson.loads(message["data"])
                    except orjson.JSONDecodeError:
                        log.warning("live: undecodable message on %s", self.channel)
                        continue
                    self.dispatch(events)
            finally:
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                    await client.aclose()

        self._listener = asyncio.get_running_loop().create_task(run())

    # -- publishing --
    def publish(self, events: Sequence[dict[str, Any]]) -> None:
        """From synchronous code (any thread): to Redis, or to the local hub's loop."""
        if not events:
            return
        if self.redis_url:
            try:
                with self._sync_lock:
                    if self._redis_sync is None:
                        import redis

                        self._redis_sync = redis.Redis.from_url(self.redis_url)
                    self._redis_sync.publish(self.channel, orjson.dumps(list(events)))
            except Exception as exc:  # a broken Redis must not fail the request that already committed
                log.warning("live: publish to Redis failed: %s", exc)
                self._redis_sync = None
            return
        loop = self.loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self.dispatch(list(events))
        else:
            loop.call_soon_threadsafe(self.dispatch, list(events))

    async def publish_async(self, events: Sequence[dict[str, Any]]) -> None:
        """From the event loop (the async intake lane)."""
        if not events:
            return
        if self.redis_url:
            try:
                if self._redis_async is None:
                    import redis.asyncio as aioredis

                    self._redis_async = aioredis.from_url(self.redis_url)
                await self._redis_async.publish(self.channel, orjson.dumps(list(events)))
            except Exception as exc:  # see publish()
                log.warning("live: publish to Redis failed: %s", exc)
                self._redis_async = None
            return
        self.loop = self.loop or asyncio.get_running_loop()
        self.dispatch(list(events))


HUB = Hub()


def publish(events: Sequence[dict[str, Any]]) -> None:
    HUB.publish(events)


async def publish_async(events: Sequence[dict[str, Any]]) -> None:
    await HUB.publish_async(events)
