"""Benchmark: the case deadline board for 10,000 open cases (target < 200 ms server time) and the deadline
watcher over 100,000 open stages (target: 100,000 per minute on one worker).

Runs on a fresh database of its own: SQLite in a temporary LINSEK_VAR by default, or the PostgreSQL
database named by ``BENCH_DATABASE_URL`` (it is flushed). Writes ``bench/results/cases_board.json``.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
RESULTS = BENCH / "results"
BOARD_CASES = 10_000
WATCH_STAGES = 100_000


def setup_django() -> str:
    var = tempfile.mkdtemp(prefix="linsek-bench-cases-")
    os.environ["LINSEK_VAR"] = var
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linsek.settings")
    url = os.environ.get("BENCH_DATABASE_URL", "")
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if url:
        call_command("flush", "--noinput", verbosity=0)
        call_command("migrate", verbosity=0)
    return "postgresql" if url else "sqlite"


def world() -> dict[str, object]:
    """A province with one regency and district, Gakkumdu organisations and a provincial reader."""
    from linsek.accounts.models import Role, User
    from linsek.agencies.models import Organisation
    from linsek.regions.models import Region

    prov = Region.objects.create(
        code="33", name="Jawa Tengah", level="province", kind="provinsi", time_zone="Asia/Jakarta"
    )
    reg = Region.objects.create(code="33.20", name="Jepara", level="regency", kind="kabupaten", parent=prov)
    dist = Region.objects.create(code="33.20.04", name="Mayong", level="district", kind="kecamatan", parent=reg)
    orgs = {}
    for code, type_code, area in (
        ("polda-jateng", "polda", prov),
        ("bawaslu-jepara", "bawaslu_kab", reg),
        ("polres-jepara", "polres", reg),
        ("kejari-jepara", "kejari", reg),
    ):
        org = Organisation.objects.create(code=code, name=code, type_id=type_code)
        org.jurisdiction.set([area])
        orgs[type_code] = org
    users = {}
    for type_code, org in orgs.items():
        user = User.objects.create(username=f"u-{type_code}", organisation=org, email=f"{type_code}@bench.example")
        user.roles.set([Role.objects.get(code="liaison")])
        users[type_code] = user
    return {"province": prov, "regency": reg, "district": dist, "users": users}


def cases_bulk(w: dict[str, object], *, count: int, start_index: int, now: datetime) -> None:
    """Open cases in the investigation stage with due moments spread over ± 14 days (bulk, no services)."""
    from linsek.cases.deadlines import threshold_moments
    from linsek.cases.models import Case, CaseStage

    dist, reg, prov = w["district"], w["regency"], w["province"]
    batch: list[Case] = []
    for i in range(start_index, start_index + count):
        started = now - timedelta(minutes=(i * 37) % (14 * 24 * 60))
        due = started + timedelta(days=14)
        m = threshold_moments(start=started, due=due, percents=(50, 80))
        batch.append(
            Case(
                number=f"PKR/33.20/2024/{i:06d}",
                rule_set="pemilu_uu7_2017",
                rule_version="bench",
                origin="finding",
                title=f"Perkara uji {i}",
                known_at=started,
                registered_at=started,
                region=dist,
                district=dist,
                regency=reg,
                province=prov,
                stage="investigation",
                current_started_at=started,
                current_due_at=due,
                current_at_risk_at=m[50],
                current_critical_at=m[80],
            )
        )
    Case.objects.bulk_create(batch, batch_size=2000)
    ids = list(
        Case.objects.filter(number__gte=f"PKR/33.20/2024/{start_index:06d}")
        .order_by("id")
        .values_list("id", "current_started_at", "current_due_at")
    )
    stages = [
        CaseStage(
            case_id=cid,
            seq=1,
            code="investigation",
            sector="polri",
            started_at=s,
            counted_from=s,
            due_at=d,
            limit_kind="calendar_days",
            limit_value=14,
            article="480",
            next_alert_at=s + (d - s) / 2,
        )
        for cid, s, d in ids[-count:]
    ]
    CaseStage.objects.bulk_create(stages, batch_size=2000)


def board_ms(user: object, runs: int = 15) -> tuple[float, float, int]:
    from django.test import Client

    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    timings: list[float] = []
    rows = 0
    for _ in range(runs):
        r = client.get("/perkara/")
        assert r.status_code == 200, r.status_code
        timings.append(float(r["Server-Timing"].split("dur=")[1]))
        rows = r.content.count(b'data-state="')
    return statistics.median(timings), max(timings), rows


def main() -> None:
    engine = setup_django()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    from linsek.cases.watch import cases_watch
    from linsek.notify.models import Delivery, Notification

    now = datetime(2024, 2, 20, 3, 0, tzinfo=UTC)
    w = world()
    cases_bulk(w, count=BOARD_CASES, start_index=0, now=now)
    reader = w["users"]["polda"]  # type: ignore[index]
    # the board uses the real clock: shift the data so that "now" is now
    from django.db.models import F

    from linsek.cases.models import Case, CaseStage

    shift = datetime.now(UTC) - now
    Case.objects.update(
        current_started_at=F("current_started_at") + shift,
        current_due_at=F("current_due_at") + shift,
        current_at_risk_at=F("current_at_risk_at") + shift,
        current_critical_at=F("current_critical_at") + shift,
    )
    board_median, board_max, rows = board_ms(reader)
    cases_bulk(w, count=WATCH_STAGES - BOARD_CASES, start_index=BOARD_CASES, now=now)
    CaseStage.objects.update(next_alert_at=F("started_at"))  # every open stage is due for a look
    t0 = time.perf_counter()
    result = cases_watch(now=now + timedelta(days=30))  # all overdue: one notification per stage
    watch_s = time.perf_counter() - t0
    deliveries = Delivery.objects.count()
    CaseStage.objects.update(next_alert_at=F("started_at"), alert_level=100)
    t0 = time.perf_counter()
    quiet = cases_watch(now=now + timedelta(days=31))  # scanned, nothing new to say
    quiet_s = time.perf_counter() - t0
    assert result.scanned == WATCH_STAGES and result.notified == WATCH_STAGES, result
    assert Notification.objects.count() == WATCH_STAGES and quiet.notified == 0
    per_minute = result.scanned / watch_s * 60
    rows_out = [
        {
            "metric": f"board, {BOARD_CASES:,} open cases ({engine}), median server time",
            "value": round(board_median, 1),
            "unit": "ms",
            "target": "< 200 ms",
            "ok": board_median < 200,
            "note": f"max {board_max:.0f} ms over 15 requests; {rows} most urgent rows rendered, counts over all",
        },
        {
            "metric": f"watcher, {WATCH_STAGES:,} open stages all notifying ({engine})",
            "value": round(per_minute),
            "unit": "stages/min",
            "target": "≥ 100,000/min",
            "ok": per_minute >= 100_000,
            "note": f"{watch_s:.1f} s for {result.notified:,} notifications and {deliveries:,} outbox rows",
        },
        {
            "metric": f"watcher, {WATCH_STAGES:,} open stages nothing new ({engine})",
            "value": round(quiet.scanned / quiet_s * 60),
            "unit": "stages/min",
            "target": "≥ 100,000/min",
            "ok": quiet.scanned / quiet_s * 60 >= 100_000,
            "note": f"{quiet_s:.1f} s",
        },
    ]
    doc = {
        "benchmark": "cases_board",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.node()} {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
        "command": " ".join([Path(sys.executable).name, *sys.argv]),
        "rows": rows_out,
    }
    RESULTS.mkdir(exist_ok=True)
    name = "cases_board.json" if engine == "sqlite" else f"cases_board_{engine}.json"
    (RESULTS / name).write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(doc, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
