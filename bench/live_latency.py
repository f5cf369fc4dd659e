"""Benchmark: report-to-screen latency — a report accepted by the intake lane until a dashboard's SSE stream has it —
under 200 reports/s of background load, through the real server (granian, 2 workers, Redis fan-out, PostgreSQL).

Every report of the load is a probe: the load generator records when it sent each report and when the
answer came; an SSE client (the command post's session) records when each event arrived. Latency is
measured from the answer (accepted, committed) and, more strictly, from the send. Targets (issue 4):
p50 < 100 ms, p99 < 1 s. Writes ``bench/results/live_latency.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from intake import KINDS, RESULTS, TEXT, machine, pg_recreate, start_linsek, stop  # noqa: E402

PG_DB = "linsek_bench_live"


def _prepare_here() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.core.management import call_command
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    call_command("migrate", verbosity=0)
    from importlib import import_module

    from linsek.accounts.models import User
    from linsek.accounts.tokens import api_token_create
    from linsek.demo.jepara import demo_load
    from linsek.regions.models import PollingStation

    demo_load()
    reporter = User.objects.filter(roles__code="field_reporter", organisation__isnull=False).order_by("id").first()
    command = User.objects.filter(roles__code="command", organisation__type__sector="polri").order_by("id").first()
    assert reporter is not None and command is not None
    _t, secret = api_token_create(user=reporter, name="bench")
    device = TOTPDevice.objects.create(user=command, name="bench", confirmed=True)
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(command.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = command.get_session_auth_hash()
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    codes = list(PollingStation.objects.values_list("code", flat=True))
    print(json.dumps({"token": secret, "session": session.session_key, "tps": codes}))


def sse_reader(
    url: str, session: str, arrivals: dict[str, float], ready: threading.Event, stop_flag: threading.Event
) -> None:
    import httpx

    with (
        httpx.Client(timeout=httpx.Timeout(10.0, read=60.0)) as client,
        client.stream("GET", url, cookies={"sessionid": session}) as response,
    ):
        if response.status_code != 200:
            raise RuntimeError(f"SSE refused: {response.status_code}")
        for line in response.iter_lines():
            if stop_flag.is_set():
                return
            if line.startswith("event: hello"):
                ready.set()
            elif line.startswith("data: ") and '"ref"' in line:
                event = json.loads(line[6:])
                arrivals.setdefault(event["uuid"], time.perf_counter())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--prepare-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare_only:
        _prepare_here()
        return
    from loadgen import run_load

    started = datetime.now(UTC)
    database_url = pg_recreate(PG_DB)
    var_dir = Path(tempfile.mkdtemp(prefix="linsek-bench-live-"))
    secret_key = secrets.token_urlsafe(50)
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "LINSEK_VAR": str(var_dir),
        "SECRET_KEY": secret_key,
        "DJANGO_SETTINGS_MODULE": "linsek.settings",
    }
    out = subprocess.run(
        [sys.executable, __file__, "--prepare-only"], env=env, check=True, capture_output=True, text=True
    )
    setup = json.loads(out.stdout.strip().splitlines()[-1])
    channel = f"linsek:bench:{uuid.uuid4().hex}"
    processes, port = start_linsek(
        database_url,
        var_dir,
        extra={"SECRET_KEY": secret_key, "REDIS_URL": "redis://127.0.0.1:6379/0", "LINSEK_LIVE_CHANNEL": channel},
    )
    arrivals: dict[str, float] = {}
    ready, stop_flag = threading.Event(), threading.Event()
    reader = threading.Thread(
        target=sse_reader,
        args=(f"http://127.0.0.1:{port}/live/reports", setup["session"], arrivals, ready, stop_flag),
        daemon=True,
    )
    reader.start()
    if not ready.wait(20):
        stop(processes)
        raise SystemExit("the SSE stream did not open")
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {setup['token']}"}
    rnd = random.Random(7)

    def request_for() -> tuple[str, bytes, dict[str, str]]:
        body = {
            "uuid": str(uuid.uuid4()),
            "kind": rnd.choice(KINDS),
            "tps": rnd.choice(setup["tps"]),
            "description": TEXT,
        }
        return "/api/v1/reports", json.dumps(body).encode(), headers

    try:
        result = asyncio.run(
            run_load(
                host="127.0.0.1",
                port=port,
                request_for=request_for,
                concurrency=16,
                duration=args.duration,
                rate=args.rate,
                keep_bodies=True,
            )
        )
        time.sleep(2.0)
    finally:
        stop_flag.set()
        stop(processes)
    from_accept, from_send, missing = [], [], 0
    for sent, answered, body in result.bodies:
        report_uuid = json.loads(body)["id"]
        arrived = arrivals.get(report_uuid)
        if arrived is None:
            missing += 1
            continue
        from_accept.append(max(0.0, arrived - answered) * 1000)
        from_send.append((arrived - sent) * 1000)

    def pct(data: list[float], q: float) -> float:
        ordered = sorted(data)
        return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))] if ordered else float("nan")

    p50, p99 = statistics.median(from_accept), pct(from_accept, 99)
    rows = [
        {
            "metric": "report → screen, p50 (from accepted)",
            "value": round(p50, 1),
            "unit": "ms",
            "target": "< 100 ms",
            "ok": p50 < 100,
            "note": f"{len(from_accept):,} reports at {result.ok / result.elapsed_s:.0f}/s; SSE via Redis, 2 workers",
        },
        {
            "metric": "report → screen, p99 (from accepted)",
            "value": round(p99, 1),
            "unit": "ms",
            "target": "< 1 s",
            "ok": p99 < 1000,
            "note": f"from send: p50 {statistics.median(from_send):.1f} ms, p99 {pct(from_send, 99):.1f} ms",
        },
        {
            "metric": "reports never shown",
            "value": missing,
            "unit": "",
            "target": "0",
            "ok": missing == 0,
            "note": f"{result.ok:,} accepted, {result.sent - result.ok} refused",
        },
    ]
    doc = {
        "benchmark": "live_latency",
        "measured_at": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "command": "python bench/live_latency.py",
        "rows": rows,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "live_latency.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    for row in rows:
        print(f"{row['metric']}: {row['value']} {row['unit']} ({row['note']})")


if __name__ == "__main__":
    main()
