"""Benchmark: the Jepara common picture with 5,000 open reports — server time of the dashboard page, its map
layer and an agency queue (target: dashboard p50 < 100 ms).

A fresh database with the Jepara demo and 5,000 open reports (all kinds and severities, spread over the
regency's TPS and the last six hours, every open status), taken in through the real writer in batches.
The command post's user asks each page 30 times in-process; the figure is Django's own time (the
``Server-Timing: app`` header). PostgreSQL (``linsek_bench_dashboard``) and SQLite, each in a subprocess.
Writes ``bench/results/incidents_dashboard.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from intake import KINDS, RESULTS, TEXT, machine, pg_recreate  # noqa: E402

OPEN_REPORTS = 5_000
REPEAT = 30


def _measure_here() -> None:
    os.environ["LINSEK_REQUIRE_2FA"] = "0"  # server time of the pages, not the login flow
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    from linsek.accounts.models import User
    from linsek.demo.jepara import demo_load
    from linsek.incidents.models import Report
    from linsek.incidents.services import actor_for
    from linsek.incidents.writer import Incoming, reports_accept_batch
    from linsek.regions.models import PollingStation

    demo_load()
    reporter = User.objects.filter(roles__code="field_reporter", organisation__isnull=False).order_by("id").first()
    command = User.objects.filter(roles__code="command", organisation__type__sector="polri").order_by("id").first()
    assert reporter is not None and command is not None
    actor = actor_for(reporter, channel="api")
    codes = list(PollingStation.objects.values_list("code", flat=True))
    rnd = random.Random(5)
    now = datetime.now(UTC)
    items = [
        Incoming(
            {
                "uuid": str(uuid.uuid4()),
                "kind": rnd.choice(KINDS),
                "tps": rnd.choice(codes),
                "severity": rnd.randint(1, 4),
                "observed_at": (now - timedelta(minutes=rnd.randint(1, 360))).isoformat(),
                "description": TEXT,
                "classification": rnd.choice(["public", "internal", "internal", "restricted"]),
            },
            actor,
            reporter.username,
        )
        for _ in range(OPEN_REPORTS)
    ]
    for start in range(0, len(items), 250):
        reports_accept_batch(items[start : start + 250], now=now)
    ids = list(Report.objects.values_list("id", flat=True))
    for status, share in (("acknowledged", 0.3), ("verified", 0.2), ("in_handling", 0.1)):
        chosen = rnd.sample(ids, int(len(ids) * share))
        Report.objects.filter(id__in=chosen, status="new").update(status=status)
    client = Client()
    client.force_login(command)
    polsek = command.organisation.children.filter(type_id="polsek").first() if command.organisation else None
    pages = {
        "dashboard": "/laporan/",
        "map layer": "/laporan/peta.json",
        "agency queue": f"/laporan/antrian/?org={polsek.pk if polsek else ''}",
    }
    out: dict[str, Any] = {
        "open": Report.objects.filter(status__in=["new", "acknowledged", "verified", "in_handling"]).count()
    }
    for name, url in pages.items():
        times = []
        for _ in range(REPEAT + 2):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            timing = response["Server-Timing"]
            times.append(float(timing.split("dur=")[1]))
        times = times[2:]  # the first two warm the caches
        out[name] = {"p50": statistics.median(times), "max": max(times), "bytes": len(response.content)}
    print(json.dumps(out))


def measure(database_url: str) -> dict[str, Any]:
    var_dir = tempfile.mkdtemp(prefix="linsek-bench-dash-")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "LINSEK_VAR": var_dir,
        "DJANGO_SETTINGS_MODULE": "linsek.settings",
    }
    done = subprocess.run(
        [sys.executable, __file__, "--measure-only"], env=env, check=True, capture_output=True, text=True
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    if args.measure_only:
        _measure_here()
        return
    started = datetime.now(UTC)
    runs = {"PostgreSQL": measure(pg_recreate("linsek_bench_dashboard"))}
    if not args.skip_sqlite:
        runs["SQLite"] = measure(f"sqlite:///{Path(tempfile.mkdtemp(prefix='linsek-bench-dash-')) / 'd.sqlite3'}")
    rows = []
    for db, run in runs.items():
        for page in ("dashboard", "map layer", "agency queue"):
            figure = run[page]
            target = page == "dashboard"
            rows.append(
                {
                    "metric": f"{db}: {page} server time p50",
                    "value": round(figure["p50"], 1),
                    "unit": "ms",
                    "target": "< 100 ms" if target else "",
                    "ok": figure["p50"] < 100 if target else None,
                    "note": f"{run['open']:,} open reports, command post; max {figure['max']:.0f} ms, "
                    f"{figure['bytes'] / 1024:.0f} KiB",
                }
            )
    doc = {
        "benchmark": "incidents_dashboard",
        "measured_at": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "command": "python bench/incidents_dashboard.py",
        "rows": rows,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "incidents_dashboard.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    for row in rows:
        print(f"{row['metric']}: {row['value']} {row['unit']} ({row['note']})")


if __name__ == "__main__":
    main()
