"""Benchmark: ``linsek audit verify`` over 10 million events (target < 60 s), on PostgreSQL and on SQLite.

For each database: migrate an empty one (``linsek_auditbench`` on PostgreSQL, ``var/bench/auditbench.sqlite3``),
then write a valid chain of ``--events`` events (default 10,000,000) generated here with the audit app's own
canonical function (``linsek.audit.chain.canonical_text``, the one appends use) — realistic
rows: a report submission, a status change, a case read or a login, with uuids, digests, request ids and addresses,
~500 bytes of canonical content each. PostgreSQL is loaded with ``COPY`` (psycopg 3 ``cursor.copy``), SQLite with
``executemany`` in transactions of 200,000 rows; the secondary indexes are dropped for the load and rebuilt after,
so the table ends as migrations make it. Then the real CLI, ``linsek audit verify``, is timed in a subprocess (it
must answer "OK" with the right count). Generation time is reported beside it (not a target).

The databases are deleted at the end unless ``--keep``. Writes ``bench/results/audit_verify.json``.
``--events 200000`` is a quick run. Noisy on a shared 2-core machine: verification uses both cores.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT / "src"))

from intake import KINDS, RESULTS, VENV_BIN, bench_env, machine, pg_drop, pg_recreate  # noqa: E402
from linsek.audit.chain import (  # noqa: E402
    CANONICAL_FIELDS,
    GENESIS,
    canonical_data,
    canonical_text,
    chained_hash,
)

PG_DB = "linsek_auditbench"
SQLITE_PATH = ROOT / "var" / "bench" / "auditbench.sqlite3"
TARGET_S = 60.0
START = int(datetime(2024, 1, 15, tzinfo=UTC).timestamp())
STEP_US = 400_000  # one event every 0.4 s: 10 M events span ~46 days
COLUMNS = (*CANONICAL_FIELDS, "prev_hash", "hash")
SEVERITIES = ["low", "medium", "high", "critical"]


def events(n: int) -> Iterator[tuple[tuple[Any, ...], str, dict[str, Any]]]:
    """The chain: (row without ``at`` and ``data``, the ``at`` ISO text, data), hashed as the append path does."""
    prev = GENESIS
    second_cache: dict[int, str] = {}
    for seq in range(1, n + 1):
        us = START * 1_000_000 + seq * STEP_US + (seq * 7919) % 100_000
        sec, frac = divmod(us, 1_000_000)
        prefix = second_cache.get(sec)
        if prefix is None:
            second_cache.clear()
            prefix = second_cache[sec] = datetime.fromtimestamp(sec, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        at = f"{prefix}.{frac:06d}+00:00"
        kind = seq % 10
        user = 1000 + seq % 4000
        org = 10 + seq % 180
        label = f"petugas.{user}"
        request_id = f"{seq * 2654435761 % (1 << 128):032x}"
        addr = f"10.{seq % 200}.{seq % 251}.{seq % 97 + 2}"
        before = ""
        after = ""
        if kind < 6:
            action, otype, oid = "report.submit", "incidents.report", str(seq // 2)
            after = prev[::-1]
            data: dict[str, Any] = {
                "uuid": f"{request_id[:8]}-{request_id[8:12]}-4{request_id[13:16]}-a{request_id[17:20]}-"
                f"{request_id[20:]}",
                "kind": KINDS[seq % 7],
                "severity": SEVERITIES[seq % 4],
                "channel": "api" if seq % 3 else "web",
                "lead_org": org,
                "rule": f"jepara-{seq % 23:02d}",
            }
        elif kind < 8:
            action, otype, oid = "report.transition", "incidents.report", str(seq // 3)
            before, after = prev[5:] + prev[:5], prev[::-1]
            data = {"from": "new", "to": "acknowledged", "note": "Diterima Polsek, petugas menuju lokasi TPS"}
        elif kind == 8:
            action, otype, oid = "case.read", "case", str(seq % 5000)
            data = {"purpose": "web", "classification": "case_file"}
        else:
            action, otype, oid = "auth.login", "user", str(user)
            data = {"method": "password+totp", "user_agent": "Mozilla/5.0 (Linux; Android 13) Chrome/120.0"}
        text = canonical_text(
            seq,
            at,
            user,
            label,
            org,
            action,
            otype,
            oid,
            before,
            after,
            canonical_data(data),
            request_id,
            addr,
        )
        new_hash = chained_hash(prev, text)
        yield (seq, user, label, org, action, otype, oid, before, after, request_id, addr, prev, new_hash), at, data
        prev = new_hash


def _env(database_url: str) -> dict[str, str]:
    return bench_env(database_url, ROOT / "var" / "bench" / "auditbench-var")


def migrate(database_url: str) -> None:
    (ROOT / "var" / "bench" / "auditbench-var").mkdir(parents=True, exist_ok=True)
    subprocess.run([str(VENV_BIN / "linsek"), "migrate", "--verbosity", "0"], env=_env(database_url), check=True)


def load_postgresql(n: int) -> None:
    import psycopg

    url = f"postgresql://postgres@127.0.0.1:5432/{PG_DB}"
    with psycopg.connect(url) as conn:
        indexes = conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'audit_auditevent' "
            "AND indexdef NOT LIKE '%%UNIQUE%%'"
        ).fetchall()
        for name, _definition in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        conn.execute("SET synchronous_commit = off")
        with conn.cursor() as cur, cur.copy(f"COPY audit_auditevent ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row, at, data in events(n):
                copy.write_row((row[0], at, *row[1:9], canonical_data(data), *row[9:]))
        conn.commit()
        conn.execute("SET maintenance_work_mem = '512MB'")
        for _name, definition in indexes:
            conn.execute(definition)
        last = conn.execute("SELECT hash FROM audit_auditevent WHERE seq = %s", [n]).fetchone()
        assert last is not None
        conn.execute(
            "INSERT INTO audit_audithead (id, seq, hash) VALUES (1, %s, %s) "
            "ON CONFLICT (id) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash",
            [n, last[0]],
        )
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE audit_auditevent")  # as autovacuum would have: hint bits set, statistics


def load_sqlite(n: int) -> None:
    import sqlite3

    conn = sqlite3.connect(SQLITE_PATH, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -1000000")
    indexes = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'audit_auditevent' "
        "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%'"
    ).fetchall()
    for name, _sql in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    sql = f"INSERT INTO audit_auditevent ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
    batch: list[tuple[Any, ...]] = []
    last = GENESIS

    def flush() -> None:
        conn.execute("BEGIN")
        conn.executemany(sql, batch)
        conn.execute("COMMIT")
        batch.clear()

    for row, at, data in events(n):
        # Django's SQLite spelling: naive UTC with a space, no fraction when it is zero; data via json.dumps.
        stored_at = at[:10] + " " + at[11:19] + ("" if at[20:26] == "000000" else at[19:26])
        batch.append((row[0], stored_at, *row[1:9], json.dumps(data), *row[9:]))
        last = row[-1]
        if len(batch) >= 200_000:
            flush()
    if batch:
        flush()
    for _name, definition in indexes:
        conn.execute(definition)
    conn.execute(
        "INSERT INTO audit_audithead (id, seq, hash) VALUES (1, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
        [n, last],
    )
    conn.execute("ANALYZE")
    conn.close()


def verify(database_url: str, n: int) -> tuple[float, float, float, str]:
    """Wall time, CPU time of the verifier's processes (not the database server's), load average before."""
    load = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(
        [str(VENV_BIN / "linsek"), "audit", "verify"], env=_env(database_url), capture_output=True, text=True
    )
    elapsed = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    out = (done.stdout + done.stderr).strip()
    if done.returncode != 0 or f"OK: {n} events" not in out:
        raise SystemExit(f"audit verify failed ({done.returncode}): {out}")
    return elapsed, cpu, load, out


def run_one(vendor: str, n: int, keep: bool) -> list[dict[str, Any]]:
    label = "PostgreSQL" if vendor == "postgresql" else "SQLite"
    if vendor == "postgresql":
        url = pg_recreate(PG_DB)
    else:
        SQLITE_PATH.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
        url = f"sqlite:///{SQLITE_PATH}"
    try:
        migrate(url)
        t0 = time.perf_counter()
        (load_postgresql if vendor == "postgresql" else load_sqlite)(n)
        generated = time.perf_counter() - t0
        print(f"{label}: {n:,} events generated and loaded in {generated:.1f} s", flush=True)
        elapsed, cpu, load, out = verify(url, n)
        print(f"{label}: audit verify {elapsed:.1f} s (CPU {cpu:.1f} s, load {load:.1f}) — {out}", flush=True)
    finally:
        if not keep:
            if vendor == "postgresql":
                pg_drop(PG_DB)
            else:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{SQLITE_PATH}{suffix}").unlink(missing_ok=True)
    scaled = n != 10_000_000
    return [
        {
            "metric": f"{label}: linsek audit verify, {n:,} events",
            "value": round(elapsed, 1),
            "unit": "s",
            "target": "< 60 s" if not scaled else f"< {TARGET_S * n / 10_000_000:.1f} s (60 s × N/10 M)",
            "ok": elapsed < TARGET_S * n / 10_000_000,
            "note": f"{n / elapsed:,.0f} events/s; CLI in a subprocess, {os.cpu_count()} worker processes, "
            f"{cpu:.0f} CPU s in them; load average {load:.1f} when it started",
        },
        {
            "metric": f"{label}: generate and load {n:,} events",
            "value": round(generated, 1),
            "unit": "s",
            "target": "",
            "ok": None,
            "note": "COPY" if vendor == "postgresql" else "executemany, 200k rows per transaction",
        },
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark databases")
    parser.add_argument("--only", choices=["postgresql", "sqlite"])
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    for vendor in [args.only] if args.only else ["postgresql", "sqlite"]:
        rows.extend(run_one(vendor, args.events, args.keep))
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "audit_verify.json"
    out.write_text(
        json.dumps(
            {
                "benchmark": "audit_verify",
                "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": machine(),
                "command": "python bench/audit_verify.py " + " ".join(sys.argv[1:]),
                "rows": rows,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
