"""A bounded HTTP/1.1 load generator on raw asyncio streams, for the intake benchmarks.

Each of ``concurrency`` clients keeps one keep-alive connection and sends POSTs back to back (or paced to
a total ``rate``) until ``duration`` has passed, then finishes the request it has in flight and stops:
so every request sent is counted with its status, and "row count = 2xx count" can be checked exactly
(wrk abandons in-flight requests at its cutoff, which the server may still commit).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    sent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    latencies_ms: list[float] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    elapsed_s: float = 0.0
    cpu_s: float = 0.0  # CPU time the load generator itself used (it shares the machine with the server)
    bodies: list[tuple[float, float, bytes]] = field(default_factory=list)  # (sent_at, answered_at, body) if kept

    @property
    def ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if 200 <= status < 300)

    def percentile(self, q: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        data = sorted(self.latencies_ms)
        return data[min(len(data) - 1, int(q / 100 * len(data)))]

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies_ms) if self.latencies_ms else float("nan")


async def response_read(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """One HTTP/1.1 response off a keep-alive connection: its status and body (by Content-Length)."""
    status_line = await reader.readline()
    status = int(status_line.split()[1])
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    payload = await reader.readexactly(length) if length else b""
    return status, payload


async def _client(
    host: str,
    port: int,
    request_for: Callable[[], tuple[str, bytes, dict[str, str]]],
    deadline: float,
    result: LoadResult,
    pace: Callable[[], float] | None,
    keep_bodies: bool,
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < deadline:
            if pace is not None:
                wait = pace() - time.perf_counter()
                if wait > 0:
                    await asyncio.sleep(wait)
                if time.perf_counter() >= deadline:
                    break
            path, body, headers = request_for()
            head = f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Length: {len(body)}\r\n"
            head += "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
            started = time.perf_counter()
            writer.write(head.encode() + body)
            result.sent += 1
            try:
                status, payload = await response_read(reader)
            except (asyncio.IncompleteReadError, ConnectionError, IndexError, ValueError) as exc:
                result.errors[type(exc).__name__] += 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            answered = time.perf_counter()
            result.statuses[status] += 1
            result.latencies_ms.append((answered - started) * 1000)
            if keep_bodies:
                result.bodies.append((started, answered, payload))
    finally:
        writer.close()


async def run_load(
    *,
    host: str,
    port: int,
    request_for: Callable[[], tuple[str, bytes, dict[str, str]]],
    concurrency: int,
    duration: float,
    rate: float | None = None,
    keep_bodies: bool = False,
) -> LoadResult:
    """Drive the server; ``rate`` (requests/s in total) paces the clients, else they go flat out."""
    result = LoadResult()
    cpu_start = time.process_time()
    start = time.perf_counter()
    deadline = start + duration
    pace = None
    if rate:
        slot = [start]

        def pace() -> float:
            slot[0] += 1.0 / rate
            return slot[0]

    await asyncio.gather(
        *(_client(host, port, request_for, deadline, result, pace, keep_bodies) for _ in range(concurrency))
    )
    result.elapsed_s = time.perf_counter() - start
    result.cpu_s = time.process_time() - cpu_start
    return result
