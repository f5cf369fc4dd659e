"""Benchmark: map layers served by the real server (granian), server time from the ``Server-Timing`` header.

1. Jepara (the demo, 3,490 TPS) on SQLite: the TPS point layer of the regency. Target p50 < 30 ms.
2. The synthetic country (38 provinces, 514 regencies, 7,277 districts, 83,731 villages, 820,161 TPS),
   imported through ``linsek import``: the national aggregates per regency and per district, and a
   province's districts. Target < 200 ms. Points are never served at this size (the layer refuses).

Each request is made ``--repeat`` times (default 100) after 5 warm-ups; medians and p95 are reported.
Writes ``bench/results/map_layers.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
WORK = ROOT / "var" / "bench" / "map"
BIN = Path(sys.executable).parent
PASSWORD = "bench-peta-2024-aman"  # noqa: S105  (a throw-away benchmark database)


def _env(db: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db}",
        "LINSEK_VAR": str(WORK),
        "LINSEK_REQUIRE_2FA": "0",
        "DEBUG": "",
        "ALLOWED_HOSTS": "127.0.0.1",
    }


def _linsek(db: Path, *args: str) -> None:
    subprocess.run([str(BIN / "linsek"), *args], env=_env(db), check=True, stdout=subprocess.DEVNULL)


def _superuser(db: Path) -> None:
    env = {**_env(db), "DJANGO_SUPERUSER_PASSWORD": PASSWORD}
    subprocess.run(
        [str(BIN / "linsek"), "createsuperuser", "--noinput", "--username", "bench", "--email", "bench@bench.example"],
        env=env,
        check=False,
        capture_output=True,
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, db: Path) -> None:
        self.port = _free_port()
        self.proc = subprocess.Popen(
            [
                str(BIN / "granian"),
                "--interface",
                "asgi",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                "1",
                "--no-ws",
                "linsek.asgi:application",
            ],
            env=_env(db),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        for _ in range(100):
            try:
                httpx.get(self.base + "/login/", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()


def _client(base: str, username: str, password: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    client.get("/login/")
    token = client.cookies["csrftoken"]
    r = client.post("/login/", data={"username": username, "password": password, "csrfmiddlewaretoken": token})
    if r.status_code != 302:
        raise RuntimeError(f"login failed: {r.status_code}")
    return client


def _measure(client: httpx.Client, url: str, repeat: int) -> dict[str, float]:
    server: list[float] = []
    total: list[float] = []
    size = 0
    for i in range(repeat + 5):
        started = time.perf_counter()
        r = client.get(url, headers={"Accept-Encoding": "gzip"})
        elapsed = (time.perf_counter() - started) * 1000
        r.raise_for_status()
        size = len(r.content)
        match = re.search(r"app;dur=([\d.]+)", r.headers.get("Server-Timing", ""))
        if i >= 5 and match:
            server.append(float(match.group(1)))
            total.append(elapsed)
    q = statistics.quantiles(server, n=20)
    return {"p50": statistics.median(server), "p95": q[18], "client_p50": statistics.median(total), "bytes": size}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--reuse", action="store_true", help="reuse the databases of an earlier run")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    rows: list[dict[str, Any]] = []

    jepara = WORK / "jepara.sqlite3"
    if not (args.reuse and jepara.exists()):
        jepara.unlink(missing_ok=True)
        _linsek(jepara, "migrate", "-v", "0")
        _linsek(jepara, "demo", "load", "--districts", "")
    server = Server(jepara)
    try:
        client = _client(server.base, "komando", "demo-mantap-brata-24")
        m = _measure(client, "/peta/tps.json?region=33.20", args.repeat)
        rows.append(
            {
                "metric": "Jepara TPS layer, 3,490 points, server p50",
                "value": round(m["p50"], 1),
                "unit": "ms",
                "target": "< 30 ms",
                "ok": m["p50"] < 30,
                "note": f"p95 {m['p95']:.1f} ms, client p50 {m['client_p50']:.1f} ms, {m['bytes']:,} B gzip, SQLite",
            }
        )
    finally:
        server.stop()

    national = WORK / "national.sqlite3"
    if not (args.reuse and national.exists()):
        from linsek.demo.national import national_generate

        national.unlink(missing_ok=True)
        _linsek(national, "migrate", "-v", "0")
        files = national_generate(out_dir=WORK / "national-files", seed=2024, scale=1.0)
        _linsek(national, "import", "regions", str(files["regions"]))
        _linsek(national, "import", "tps", str(files["tps"]))
        _superuser(national)
    server = Server(national)
    try:
        client = _client(server.base, "bench", PASSWORD)
        for label, url in [
            ("national view: 514 regencies", "/peta/wilayah.json?level=regency"),
            ("national view: 7,277 districts", "/peta/wilayah.json?level=district"),
            ("one province's districts", "/peta/wilayah.json?parent=11&level=district"),
        ]:
            m = _measure(client, url, args.repeat)
            rows.append(
                {
                    "metric": f"{label}, server p50",
                    "value": round(m["p50"], 1),
                    "unit": "ms",
                    "target": "< 200 ms",
                    "ok": m["p50"] < 200,
                    "note": f"p95 {m['p95']:.1f} ms, {m['bytes']:,} B gzip, SQLite, 820,161 TPS",
                }
            )
        refused = client.get("/peta/tps.json?region=11")
        rows.append(
            {
                "metric": "national: TPS points refused above 20,000 per request",
                "value": refused.status_code,
                "unit": "HTTP",
                "target": "400",
                "ok": refused.status_code == 400,
                "note": "served as aggregates",
            }
        )
    finally:
        server.stop()

    doc = {
        "benchmark": "map layers",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} · {os.cpu_count()} cores",
        "command": "python bench/map_layers.py",
        "rows": rows,
    }
    (BENCH / "results" / "map_layers.json").write_text(json.dumps(doc, indent=2) + "\n")
    print(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
