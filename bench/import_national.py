"""Import of the synthetic national TPS file (820,161 rows), fully validated, on PostgreSQL and SQLite.

For each database: a fresh database (PostgreSQL ``linsek_bench``, created and dropped here; SQLite a file
under ``var/bench``) migrated with ``linsek migrate``, the regions imported, then the TPS file imported in a
child process whose peak RSS is read with ``os.wait4``; then a re-import of the same file (every row
unchanged). Beside it, the raw bulk rate of the same database in the same run: PostgreSQL ``COPY … FROM
STDIN (FORMAT csv)`` of the same file into a plain table without indexes, SQLite batched ``executemany``
inserts of the same rows into a plain table. Results: ``bench/results/import_national.json``.

    .venv/bin/python bench/import_national.py [--only postgresql|sqlite] [--keep]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
DATA = VAR / "national"
RESULTS = ROOT / "bench" / "results" / "import_national.json"
LINSEK = ROOT / ".venv" / "bin" / "linsek"
PG_ADMIN = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
PG_DB = "linsek_bench"
PG_URL = PG_ADMIN.rsplit("/", 1)[0] + "/" + PG_DB
SQLITE_FILE = VAR / "import.sqlite3"
SEED = 2024
TARGETS = {"postgresql": 20.0, "sqlite": 30.0}
MEMORY_TARGET_MIB = 1024


def national_files() -> dict[str, Path]:
    """The generated files, made once (regenerated when missing or from another seed)."""
    meta = DATA / "meta.json"
    files = {"regions": DATA / "regions.csv", "tps": DATA / "tps.csv"}
    if meta.exists() and json.loads(meta.read_text()).get("seed") == SEED and all(p.exists() for p in files.values()):
        return files
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "linsek.settings"}
    code = f"from pathlib import Path; from linsek.demo.national import national_generate; national_generate(out_dir=Path({str(DATA)!r}), seed={SEED})"  # noqa: E501
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
    meta.write_text(json.dumps({"seed": SEED, "seconds": round(time.perf_counter() - started, 1)}))
    return files


def child(kind: str, path: str) -> None:
    """Run in the measured child process: one import, its report as JSON on stdout."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linsek.settings")
    import django

    django.setup()
    from linsek.agencies.imports import registry_import

    report = registry_import(kind=kind, path=Path(path))
    print(json.dumps({k: v for k, v in report.as_dict().items() if k != "problems"} | {
        "problems": [p.reason for p in report.problems[:5]]}))  # fmt: skip


def measured_import(env: dict[str, str], kind: str, path: Path) -> dict[str, Any]:
    """Run one import in a child process; adds wall time, CPU time and the child's own peak RSS."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, __file__, "--child", kind, str(path)], env=env, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    out = proc.stdout.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"import {kind} failed (status {status})")
    report = json.loads(out.strip().splitlines()[-1])
    if report["problems_total"]:
        raise SystemExit(f"import {kind} rejected: {report['problems']}")
    report |= {
        "wall": round(wall, 2),
        "cpu": round(usage.ru_utime + usage.ru_stime, 2),
        "max_rss_mib": round(usage.ru_maxrss / 1024, 1),
    }
    return report


def migrate(env: dict[str, str]) -> None:
    subprocess.run([str(LINSEK), "migrate", "-v", "0"], env=env, check=True)


def pg_fresh() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")


def pg_drop() -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def pg_raw_rate(tps: Path) -> tuple[float, int]:
    """COPY the TPS file (CSV) into a plain table without indexes, in one transaction; rows/s."""
    import psycopg

    with psycopg.connect(PG_URL) as conn, conn.cursor() as cur:
        cur.execute(
            "CREATE TABLE bench_raw_tps (village_code text, number int, address text, voters_male int, "
            "voters_female int, voters_total int, lat double precision, lon double precision)"
        )
        conn.commit()
        started = time.perf_counter()
        with tps.open("rb") as fh, cur.copy("COPY bench_raw_tps FROM STDIN (FORMAT csv, HEADER true)") as copy:
            while chunk := fh.read(1 << 20):
                copy.write(chunk)
        conn.commit()
        seconds = time.perf_counter() - started
        cur.execute("SELECT COUNT(*) FROM bench_raw_tps")
        rows = int(cur.fetchone()[0])  # type: ignore[index]
        cur.execute("DROP TABLE bench_raw_tps")
        conn.commit()
    return rows / seconds, rows


def pg_raw_rate_rows(tps: Path) -> float:
    """The same COPY fed row by row from Python (csv.reader + psycopg ``write_row``), as an application would."""
    import psycopg

    with psycopg.connect(PG_URL) as conn, conn.cursor() as cur:
        cur.execute(
            "CREATE TABLE bench_raw_tps (village_code text, number int, address text, voters_male int, "
            "voters_female int, voters_total int, lat double precision, lon double precision)"
        )
        conn.commit()
        started = time.perf_counter()
        rows = 0
        with tps.open(newline="", encoding="utf-8") as fh, cur.copy("COPY bench_raw_tps FROM STDIN") as copy:
            reader = csv.reader(fh)
            next(reader)
            for row in reader:
                copy.write_row(row)
                rows += 1
        conn.commit()
        seconds = time.perf_counter() - started
        cur.execute("DROP TABLE bench_raw_tps")
        conn.commit()
    return rows / seconds


def sqlite_raw_rate(tps: Path, db: Path) -> tuple[float, int]:
    """Batched executemany inserts of the same rows into a plain table, one transaction (WAL, synchronous=NORMAL)."""
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute(
        "CREATE TABLE bench_raw_tps (village_code text, number int, address text, voters_male int, "
        "voters_female int, voters_total int, lat real, lon real)"
    )
    started = time.perf_counter()
    rows = 0
    conn.execute("BEGIN")
    with tps.open(newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        batch: list[list[str]] = []
        for row in reader:
            batch.append(row)
            if len(batch) >= 20_000:
                conn.executemany("INSERT INTO bench_raw_tps VALUES (?,?,?,?,?,?,?,?)", batch)
                rows += len(batch)
                batch = []
        conn.executemany("INSERT INTO bench_raw_tps VALUES (?,?,?,?,?,?,?,?)", batch)
        rows += len(batch)
    conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.execute("DROP TABLE bench_raw_tps")
    conn.close()
    return rows / seconds, rows


def run_backend(backend: str, files: dict[str, Path], keep: bool) -> dict[str, Any]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "linsek.settings"}
    if backend == "postgresql":
        pg_fresh()
        env["DATABASE_URL"] = PG_URL
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
        env["DATABASE_URL"] = f"sqlite:///{SQLITE_FILE}"
    print(f"-- {backend}: migrate", flush=True)
    migrate(env)
    print(f"-- {backend}: regions", flush=True)
    regions = measured_import(env, "regions", files["regions"])
    print(f"-- {backend}: tps (first import)", flush=True)
    tps = measured_import(env, "tps", files["tps"])
    print(f"   {tps['seconds']:.1f} s, {tps['rows'] / tps['seconds']:,.0f} rows/s, peak {tps['max_rss_mib']} MiB")
    print(f"-- {backend}: tps (re-import, all unchanged)", flush=True)
    again = measured_import(env, "tps", files["tps"])
    print(f"-- {backend}: raw bulk rate", flush=True)
    raw, raw_rows = pg_raw_rate(files["tps"]) if backend == "postgresql" else sqlite_raw_rate(files["tps"], SQLITE_FILE)
    raw_rows_python = pg_raw_rate_rows(files["tps"]) if backend == "postgresql" else None
    if backend == "postgresql" and not keep:
        pg_drop()
    return {"regions": regions, "tps": tps, "reimport": again, "raw_rate": raw, "raw_rows": raw_rows,
            "raw_rate_python": raw_rows_python}  # fmt: skip


def result_rows(backend: str, r: dict[str, Any]) -> list[dict[str, Any]]:
    name = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}[backend]
    tps, again, target = r["tps"], r["reimport"], TARGETS[backend]
    rate = tps["rows"] / tps["seconds"]
    method = "COPY FROM STDIN (csv) into a plain table" if backend == "postgresql" else "executemany, 20k batches"
    return [
        {"metric": f"{name}: TPS import, 820,161 rows, validated", "value": tps["seconds"], "unit": "s",
         "target": f"< {target:.0f} s", "ok": tps["seconds"] < target,
         "note": f"created {tps['created']:,}; wall {tps['wall']} s incl. start-up; CPU {tps['cpu']} s (client)"},
        {"metric": f"{name}: TPS import rate", "value": round(rate), "unit": "rows/s", "target": "", "ok": None,
         "note": ""},
        {"metric": f"{name}: raw bulk rate, same rows", "value": round(r["raw_rate"]), "unit": "rows/s", "target": "",
         "ok": None, "note": method},
        {"metric": f"{name}: import rate / raw bulk rate", "value": round(rate / r["raw_rate"], 3), "unit": "",
         "target": "", "ok": None, "note": "validation, indexes, constraints, roll-ups, audit included"},
        *([{"metric": f"{name}: raw COPY rate fed row by row from Python", "value": round(r["raw_rate_python"]),
            "unit": "rows/s", "target": "", "ok": None,
            "note": f"csv.reader + psycopg write_row; import/this = {rate / r['raw_rate_python']:.2f}"}]
          if r.get("raw_rate_python") else []),
        {"metric": f"{name}: peak memory of the import process", "value": tps["max_rss_mib"], "unit": "MiB",
         "target": f"< {MEMORY_TARGET_MIB} MiB", "ok": tps["max_rss_mib"] < MEMORY_TARGET_MIB, "note": "ru_maxrss"},
        {"metric": f"{name}: TPS re-import, all unchanged", "value": again["seconds"], "unit": "s", "target": "",
         "ok": None, "note": f"unchanged {again['unchanged']:,}"},
        {"metric": f"{name}: regions import, 91,560 rows", "value": r["regions"]["seconds"], "unit": "s",
         "target": "", "ok": None, "note": ""},
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=["postgresql", "sqlite"], help="run one database only")
    parser.add_argument("--keep", action="store_true", help="keep the PostgreSQL bench database afterwards")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    VAR.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()
    files = national_files()
    measured: dict[str, Any] = {}
    for backend in [args.only] if args.only else ["postgresql", "sqlite"]:
        measured[backend] = run_backend(backend, files, args.keep)
    rows = [row for backend, r in measured.items() for row in result_rows(backend, r)]
    load_after = os.getloadavg()
    doc = {
        "benchmark": "import_national",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {os.cpu_count()} CPU, {platform.python_implementation()} "
        f"{platform.python_version()}, load average {load_before[0]:.1f} before / {load_after[0]:.1f} after",
        "command": ".venv/bin/python bench/import_national.py" + (f" --only {args.only}" if args.only else ""),
        "rows": rows,
        "raw": measured,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    if args.only and RESULTS.exists():  # keep the other database's rows from an earlier run
        old = json.loads(RESULTS.read_text())
        other = "SQLite" if args.only == "postgresql" else "PostgreSQL"
        doc["rows"] = [r for r in old.get("rows", []) if r["metric"].startswith(other)] + rows
    RESULTS.write_text(json.dumps(doc, indent=2) + "\n")
    print("\n| metric | value | target | ok | note |\n| --- | --- | --- | --- | --- |")
    for row in doc["rows"]:
        ok = {True: "yes", False: "**no**", None: ""}[row["ok"]]
        print(f"| {row['metric']} | {row['value']:,} {row['unit']} | {row['target']} | {ok} | {row['note']} |")


if __name__ == "__main__":
    main()
