"""Benchmark: sustained report intake over HTTP through the real server, beside two ceilings of the same run.

What runs (each against a fresh database holding the Jepara demo):
1. linsek on PostgreSQL as ``make serve`` runs it: granian with 2 workers (``--workers``), the background
   worker beside it and Redis for live fan-out; 64 keep-alive clients post reports with a bearer token for
   ``--duration`` s (default 60) into the async intake lane (group commit). Reported: accepted-and-committed
   reports/s, p50/p99, errors, and rows in the table = 2xx answers (the load generator, ``loadgen.py``,
   finishes every request it sent, so the two must be equal), the audit chain verified afterwards, and how
   long after the load the worker had every report in the notification outbox.
2. The same with ``LINSEK_BENCH_AUDIT_OFF=1``: the cost of the audit trail (one hash-chained event per report).
   One on/off pair of phases swings by ±15 points from run to run on this machine, so the cost that is held
   against the target is the median of ``--audit-pairs`` further pairs (``--pair-duration`` s each, the order
   alternating on/off, off/on, … so that a drift of the machine does not favour one side).
3. The same on SQLite (WAL, synchronous=NORMAL).
4. Ceilings: the raw single-row INSERT rate of the same PostgreSQL over 8 connections (autocommit, psycopg),
   and the minimal async group-commit endpoint of ``shared/bench/ceiling`` (its own virtualenv, run from
   there, uvicorn with 2 workers), driven by the same load generator.

Writes ``bench/results/intake.json``. Noisy on a shared 2-core machine: the load generator, the server and
the database share the cores. ``--quick`` runs 15 s per phase.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
VENV_BIN = Path(sys.executable).parent
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PG_DB = "linsek_bench_intake"
CEILING_DIR = Path(os.environ.get("LINSEK_CEILING_DIR", ROOT.parent / "shared" / "bench" / "ceiling"))
CEILING_VENV = ROOT / "var" / "bench" / "ceiling-venv"
CONCURRENCY = 64
KINDS = ["politik_uang", "intimidasi", "kampanye", "logistik_terlambat", "gangguan_tps", "bentrok", "lainnya"]
TEXT = "Laporan uji beban: massa berkumpul di dekat TPS, saksi melaporkan pembagian amplop, kotak suara terlambat. "


def machine() -> str:
    return (
        f"{platform.node()} · {os.cpu_count()} cores · {platform.python_implementation()} {platform.python_version()}"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


# --- databases -------------------------------------------------------------------------------------------------


def pg_drop(name: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_recreate(name: str) -> str:
    import psycopg

    pg_drop(name)
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def bench_env(database_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a linsek process of a benchmark: this one's, with the database and var folder set."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "LINSEK_VAR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "linsek.settings",
        **extra,
    }


def prepare(database_url: str, var_dir: Path) -> dict[str, Any]:
    """Migrate, load the Jepara demo, issue a token (in a subprocess: settings come from the environment)."""
    env = bench_env(database_url, var_dir)
    out = subprocess.run(
        [sys.executable, str(Path(__file__)), "--prepare-only"], env=env, check=True, capture_output=True, text=True
    )
    data: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return data


def demo_setup(token_name: str) -> dict[str, Any]:
    """Inside Django: migrate, load the Jepara demo, issue a field reporter's token; the load's ingredients."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from linsek.accounts.models import User
    from linsek.accounts.tokens import api_token_create
    from linsek.demo.jepara import demo_load
    from linsek.regions.models import PollingStation

    demo_load()
    user = User.objects.filter(roles__code="field_reporter", organisation__isnull=False).order_by("id").first()
    assert user is not None, "the demo has no field reporter"
    _token, secret = api_token_create(user=user, name=token_name)
    codes = list(PollingStation.objects.values_list("code", flat=True))
    return {"token": secret, "tps": codes, "user": user.username}


def _prepare_here() -> None:
    import django

    django.setup()
    print(json.dumps(demo_setup("bench")))


def rows_in(database_url: str, table: str = "incidents_report", where: str = "") -> int:
    """Rows of a table (``where``: a condition written here in the benchmark, never input)."""
    sql = f"SELECT count(*) FROM {table}" + (f" WHERE {where}" if where else "")
    if database_url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as conn:
            count: int = conn.execute(sql).fetchone()[0]
            return count
    import psycopg

    with psycopg.connect(database_url.replace("postgres://", "postgresql://")) as conn:
        row = conn.execute(sql).fetchone()
        return int(row[0]) if row else 0


def audit_verified(database_url: str, var_dir: Path) -> bool:
    env = bench_env(database_url, var_dir)
    done = subprocess.run([sys.executable, "-m", "django", "audit", "verify"], env=env, capture_output=True, text=True)
    return done.returncode == 0


# --- servers ---------------------------------------------------------------------------------------------------


def wait_up(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"server at {url} did not come up")


def redis_url() -> str | None:
    """Redis as ``make serve`` uses it (live updates fan out through it), when it answers."""
    url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception:
        return None
    return url


def start_linsek(
    database_url: str, var_dir: Path, *, extra: dict[str, str] | None = None, workers: int = 2, worker: bool = True
) -> tuple[list[subprocess.Popen[bytes]], int]:
    """What ``make serve`` starts: granian (``workers`` processes) and the background worker, Redis for fan-out."""
    port = free_port()
    env = bench_env(database_url, var_dir, DEBUG="0", ALLOWED_HOSTS="127.0.0.1", LOG_LEVEL="ERROR", **(extra or {}))
    redis = env.get("REDIS_URL") or redis_url()
    if redis:
        env["REDIS_URL"] = redis
    command = [
        str(VENV_BIN / "granian"),
        "--interface",
        "asgi",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-ws",
        "--backlog",
        "2048",
        "linsek.asgi:application",
    ]
    if worker:
        # As make serve: the worker beside granian in one session, at nice 10 (WORKER_NICE). One session matters:
        # Linux's autogroup scheduler shares the CPU fairly between sessions first, so a worker in a session of
        # its own would get as much CPU as all the server processes together, whatever its nice value.
        command = ["sh", "-c", 'nice -n 10 "$0" worker -v 0 & exec "$@"', str(VENV_BIN / "linsek"), *command]
    log = (var_dir / f"granian-{port}.log").open("wb")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    wait_up(f"http://127.0.0.1:{port}/login/", server)
    return [server], port


def unnotified(database_url: str) -> int:
    """Reports the background worker has not yet put in the notification outbox."""
    return rows_in(database_url, where="notified_at IS NULL")


def notification_catch_up(database_url: str, timeout: float = 300.0) -> float | None:
    """Seconds after the load stopped until every report was in the outbox (None: not within ``timeout``)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if unnotified(database_url) == 0:
            return time.monotonic() - started
        time.sleep(0.5)
    return None


def stop(processes: list[subprocess.Popen[bytes]]) -> None:
    """Stop each process group (granian and the worker beside it) and wait until none of its members is left."""
    for process in processes:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        deadline = time.monotonic() + 15
        while True:
            try:
                os.killpg(process.pid, 0)  # raises once the group is empty
            except ProcessLookupError:
                break
            if time.monotonic() > deadline:  # a member that ignored SIGTERM (or a zombie nobody reaps): give up
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                break
            time.sleep(0.1)


# --- the measured phases -------------------------------------------------------------------------------------


def linsek_phase(
    label: str,
    database_url: str,
    duration: float,
    *,
    audit_off: bool = False,
    workers: int = 2,
    background_worker: bool = True,
) -> dict[str, Any]:
    from loadgen import run_load

    var_dir = Path(tempfile.mkdtemp(prefix=f"linsek-bench-{label}-"))
    setup = prepare(database_url, var_dir)
    before = rows_in(database_url)
    extra = {"LINSEK_BENCH_AUDIT_OFF": "1"} if audit_off else {}
    processes, port = start_linsek(database_url, var_dir, extra=extra, workers=workers, worker=background_worker)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {setup['token']}"}
    codes, rnd = setup["tps"], random.Random(42)

    def request_for() -> tuple[str, bytes, dict[str, str]]:
        body = {
            "uuid": str(uuid.uuid4()),
            "kind": rnd.choice(KINDS),
            "tps": rnd.choice(codes),
            "severity": rnd.randint(1, 4),
            "description": TEXT + uuid.uuid4().hex[:8],
        }
        return "/api/v1/reports", json.dumps(body).encode(), headers

    try:
        asyncio.run(
            run_load(host="127.0.0.1", port=port, request_for=request_for, concurrency=8, duration=2)
        )  # warm up
        warm = rows_in(database_url)
        result = asyncio.run(
            run_load(host="127.0.0.1", port=port, request_for=request_for, concurrency=CONCURRENCY, duration=duration)
        )
        time.sleep(1.0)
        rows = rows_in(database_url) - warm
        catch_up = notification_catch_up(database_url) if background_worker else None
    finally:
        stop(processes)
    verified = audit_verified(database_url, var_dir) if not audit_off else None
    shutil.rmtree(var_dir, ignore_errors=True)
    return {
        "label": label,
        "rate": result.ok / result.elapsed_s,
        "p50": result.p50,
        "p99": result.percentile(99),
        "sent": result.sent,
        "ok": result.ok,
        "non_2xx": result.sent - result.ok,
        "errors": sum(result.errors.values()),
        "rows": rows,
        "baseline_rows": before,
        "audit_verified": verified,
        "duration": result.elapsed_s,
        "client_cpu": result.cpu_s / result.elapsed_s,
        "workers": workers,
        "redis": redis_url() is not None,
        "notified_after_s": catch_up,
        "background_worker": background_worker,
    }


def audit_cost(on: dict[str, Any], off: dict[str, Any]) -> float:
    """How much slower intake is with the audit trail on, in % of the rate with it off."""
    return (1 - on["rate"] / off["rate"]) * 100 if off["rate"] else float("nan")


def raw_insert_ceiling(database_url: str, duration: float, connections: int = 8) -> float:
    """Single-row autocommit INSERTs of a report-shaped row over ``connections`` connections (threads)."""
    import psycopg

    dsn = database_url.replace("postgres://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS bench_raw_insert(id uuid PRIMARY KEY, tps_code text NOT NULL,"
            " kind text NOT NULL, severity int NOT NULL, lat float8, lon float8, text text, reporter text,"
            " created_at timestamptz NOT NULL)"
        )
        conn.execute("TRUNCATE bench_raw_insert")
    counts = [0] * connections
    deadline = time.perf_counter() + duration

    def worker(i: int) -> None:
        with psycopg.connect(dsn, autocommit=True) as conn:
            while time.perf_counter() < deadline:
                conn.execute(
                    "INSERT INTO bench_raw_insert VALUES (%s,%s,%s,%s,%s,%s,%s,%s,now())",
                    (uuid.uuid4(), "33.20.04.2001.001", "politik_uang", 2, -6.7, 110.7, TEXT, "bench"),
                )
                counts[i] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.perf_counter() - started)


def ceiling_endpoint(duration: float) -> dict[str, Any] | None:
    """The shared minimal group-commit endpoint (``shared/bench/ceiling``), in its own virtualenv."""
    import psycopg

    from loadgen import run_load

    if not (CEILING_DIR / "star.py").exists():
        return None
    python = CEILING_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(CEILING_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "starlette", "uvicorn", "asyncpg"], check=True)
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS report(id uuid PRIMARY KEY, tps_code text NOT NULL, kind text NOT NULL,"
            " severity int NOT NULL, lat float8, lon float8, text text, reporter text, created_at timestamptz NOT NULL)"
        )
        conn.execute("CREATE INDEX IF NOT EXISTS report_tps ON report(tps_code, created_at)")
        conn.execute("TRUNCATE report")
    port = free_port()
    process = subprocess.Popen(
        [
            str(CEILING_VENV / "bin" / "uvicorn"),
            "star:app",
            "--workers",
            "2",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=CEILING_DIR,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    body = (
        (CEILING_DIR / "post.lua")
        .read_text()
        .split('wrk.body = "', 1)[1]
        .rsplit('"', 1)[0]
        .replace('\\"', '"')
        .encode()
    )
    headers = {"Content-Type": "application/json"}
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        result = asyncio.run(
            run_load(
                host="127.0.0.1",
                port=port,
                request_for=lambda: ("/batch", body, headers),
                concurrency=CONCURRENCY,
                duration=duration,
            )
        )
    finally:
        stop([process])
    return {
        "rate": result.ok / result.elapsed_s,
        "p50": result.p50,
        "p99": result.percentile(99),
        "errors": result.sent - result.ok,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds per linsek phase (default 60)")
    parser.add_argument("--ceiling-duration", type=float, default=20.0, help="seconds per ceiling (default 20)")
    parser.add_argument("--quick", action="store_true", help="15 s per phase")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--workers", type=int, default=2, help="granian worker processes (make serve: WORKERS=2)")
    parser.add_argument(
        "--without-worker", action="store_true", help="the intake lane alone: no background worker beside the server"
    )
    parser.add_argument(
        "--audit-pairs",
        type=int,
        default=3,
        help="paired audit on/off phases for the audit cost, order alternating (default 3; 0: none)",
    )
    parser.add_argument("--pair-duration", type=float, default=20.0, help="seconds per paired phase (default 20)")
    parser.add_argument("--prepare-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare_only:
        sys.path.insert(0, str(ROOT / "src"))
        _prepare_here()
        return
    sys.path.insert(0, str(BENCH))
    duration = 15.0 if args.quick else args.duration
    ceiling_duration = 10.0 if args.quick else args.ceiling_duration
    started = datetime.now(UTC)

    phases = []
    print("== linsek on PostgreSQL, audit on", flush=True)
    pg = linsek_phase(
        "pg", pg_recreate(PG_DB), duration, workers=args.workers, background_worker=not args.without_worker
    )
    phases.append(pg)
    print(pg, flush=True)
    print("== raw INSERT ceiling (8 connections)", flush=True)
    raw = raw_insert_ceiling(f"postgres://postgres@127.0.0.1:5432/{PG_DB}", ceiling_duration)
    print(f"{raw:.0f}/s", flush=True)
    print("== shared ceiling endpoint (group commit)", flush=True)
    ceiling = ceiling_endpoint(ceiling_duration)
    print(ceiling, flush=True)
    print("== linsek on PostgreSQL, audit off", flush=True)
    pg_off = linsek_phase(
        "pg-audit-off",
        pg_recreate(PG_DB),
        duration,
        audit_off=True,
        workers=args.workers,
        background_worker=not args.without_worker,
    )
    phases.append(pg_off)
    print(pg_off, flush=True)
    pairs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    pair_duration = 10.0 if args.quick else args.pair_duration
    for i in range(1 if args.quick and args.audit_pairs else args.audit_pairs):
        # Alternating order (on/off, off/on, …) so that a drift of the machine over the run does not favour one side.
        print(f"== audit pair {i + 1}: {'on, off' if i % 2 == 0 else 'off, on'} ({pair_duration:g} s each)", flush=True)
        results: dict[bool, dict[str, Any]] = {}
        for audit_off in (False, True) if i % 2 == 0 else (True, False):
            results[audit_off] = linsek_phase(
                f"pair{i + 1}-{'off' if audit_off else 'on'}",
                pg_recreate(PG_DB),
                pair_duration,
                audit_off=audit_off,
                workers=args.workers,
                background_worker=not args.without_worker,
            )
        pairs.append((results[False], results[True]))
        print(f"on {results[False]['rate']:.0f}/s, off {results[True]['rate']:.0f}/s", flush=True)
    sqlite = None
    if not args.skip_sqlite:
        print("== linsek on SQLite", flush=True)
        sqlite_dir = Path(tempfile.mkdtemp(prefix="linsek-bench-sqlite-"))
        sqlite = linsek_phase(
            "sqlite",
            f"sqlite:///{sqlite_dir / 'bench.sqlite3'}",
            duration,
            workers=args.workers,
            background_worker=not args.without_worker,
        )
        phases.append(sqlite)
        print(sqlite, flush=True)
        shutil.rmtree(sqlite_dir, ignore_errors=True)

    def phase_rows(p: dict[str, Any], name: str, *, target: bool) -> list[dict[str, Any]]:
        exact = p["rows"] == p["ok"]
        rows = [
            {
                "metric": f"{name}: committed reports/s",
                "value": round(p["rate"], 1),
                "unit": "/s",
                "target": "≥ 2,000" if target else "",
                "ok": p["rate"] >= 2000 if target else None,
                "note": f"{CONCURRENCY} clients, {p['duration']:.0f} s, as make serve: granian {p['workers']} "
                f"workers{' + background worker' if p.get('background_worker', True) else ' (no background worker)'}"
                f"{', Redis fan-out' if p['redis'] else ''}; load generator used "
                f"{p['client_cpu']:.0%} of a core",
            },
            {
                "metric": f"{name}: p50 / p99 latency",
                "value": round(p["p99"], 1),
                "unit": "ms (p99)",
                "target": "p99 < 50 ms" if target else "",
                "ok": p["p99"] < 50 if target else None,
                "note": f"p50 {p['p50']:.1f} ms",
            },
            {
                "metric": f"{name}: errors, rows = 2xx",
                "value": p["non_2xx"] + p["errors"],
                "unit": "errors",
                "target": "0, equal",
                "ok": p["non_2xx"] + p["errors"] == 0 and exact,
                "note": f"{p['ok']:,} answered 2xx, {p['rows']:,} rows"
                + (
                    ""
                    if p["audit_verified"] is None
                    else f"; audit chain {'verified' if p['audit_verified'] else 'BROKEN'}"
                ),
            },
        ]
        if not p["background_worker"]:
            return rows
        rows += [
            {
                "metric": f"{name}: every report in the notification outbox",
                "value": round(p["notified_after_s"], 1) if p["notified_after_s"] is not None else None,
                "unit": "s after the load",
                "target": "",
                "ok": None if p["notified_after_s"] is not None else False,
                "note": "background worker: routed-report notifications and duplicate suggestions"
                + ("" if p["notified_after_s"] is not None else "; NOT all in the outbox within 300 s"),
            },
        ]
        return rows

    rows = phase_rows(pg, "PostgreSQL", target=True)
    rows.append(
        {
            "metric": "ceiling: raw single-row INSERT, 8 connections",
            "value": round(raw, 1),
            "unit": "/s",
            "target": "",
            "ok": None,
            "note": "same PostgreSQL, autocommit, psycopg, same run",
        }
    )
    if ceiling is not None:
        rows.append(
            {
                "metric": "ceiling: minimal async endpoint, group commit",
                "value": round(ceiling["rate"], 1),
                "unit": "/s",
                "target": "",
                "ok": None,
                "note": f"shared/bench/ceiling /batch, uvicorn 2 workers; p50 {ceiling['p50']:.1f} / "
                f"p99 {ceiling['p99']:.1f} ms",
            }
        )
    rows += phase_rows(pg_off, "PostgreSQL, audit off", target=False)
    cost = audit_cost(pg, pg_off)
    pair_costs = [audit_cost(on, off) for on, off in pairs]
    rows.append(
        {
            "metric": f"audit trail cost (throughput), the {duration:g}-s phases",
            "value": round(cost, 1),
            "unit": "%",
            "target": "" if pair_costs else "≤ 15 %",
            "ok": None if pair_costs else cost <= 15,
            "note": f"audit on {pg['rate']:.0f}/s vs off {pg_off['rate']:.0f}/s"
            + ("; one pair of phases: see the median of the paired runs" if pair_costs else ""),
        }
    )
    if pair_costs:
        median = statistics.median(pair_costs)
        rows.append(
            {
                "metric": f"audit trail cost (throughput), median of {len(pairs)} paired run(s)",
                "value": round(median, 1),
                "unit": "%",
                "target": "≤ 15 %",
                "ok": median <= 15,
                "note": f"{pair_duration:g} s per phase, order alternating; "
                + ", ".join(
                    f"{c:.1f} % ({on['rate']:.0f}/s vs {off['rate']:.0f}/s)"
                    for c, (on, off) in zip(pair_costs, pairs, strict=True)
                ),
            }
        )
    if sqlite is not None:
        rows += phase_rows(sqlite, "SQLite", target=False)
    doc = {
        "benchmark": "intake",
        "measured_at": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "command": "python bench/intake.py"
        + (" --quick" if args.quick else f" --duration {duration:g}")
        + (f" --workers {args.workers}" if args.workers != 2 else "")
        + (" --without-worker" if args.without_worker else ""),
        "rows": rows,
        "phases": phases,
        "ceiling_endpoint": ceiling,
        "raw_insert_ceiling": raw,
        "audit_pairs": [{"on": on, "off": off} for on, off in pairs],
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "intake.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    for row in rows:
        print(f"{row['metric']}: {row['value']} {row['unit']} {row['note']}")


if __name__ == "__main__":
    main()
