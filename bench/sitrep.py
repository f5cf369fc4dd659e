"""Benchmark: the daily situation report as PDF — Jepara on election day (5,000 reports, 3,490 TPS; target
< 5 s) and a province (120,000 TPS, 100,000 reports; target < 60 s).

Each figure is the wall time of what ``linsek report daily --format pdf`` does: build the content (every
provider's grouped queries), store the frozen snapshot with its hash and audit event, render and store the PDF
(WeasyPrint). The XLSX time is reported beside it.

- Jepara: the full Jepara demo (3,490 TPS, its organisations), the coordination demo (calendar, the Rakor and
  its action items), and 5,000 reports over election day and the six days before, taken in through the
  incidents app's real writer (routing, audit) in batches.
- Province: a synthetic province "35" (38 regencies, 666 districts, 8,360 villages, 120,000 TPS; no boundary
  polygons, so the map draws centroids), the calendar, one Rakor with 20 action items, and 100,000 reports
  inserted in bulk with the ORM (not through the writer, which would route each one: the report only reads
  the rows). Cases, deployment plans and logistics are absent in both (their sections say so); they add one
  or two aggregate queries each when present.

PostgreSQL (``linsek_bench_sitrep``) and SQLite, each in its own subprocess. Writes
``bench/results/sitrep.json``.
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
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from intake import KINDS, RESULTS, TEXT, machine, pg_recreate  # noqa: E402

WIB = ZoneInfo("Asia/Jakarta")
DAY = date(2024, 2, 14)
MORNING = datetime(2024, 2, 15, 6, 30, tzinfo=WIB)
JEPARA_REPORTS = 5_000
PROVINCE_TPS = 120_000
PROVINCE_REPORTS = 100_000
REPEAT = 3


def _spread_moment(rnd: random.Random) -> datetime:
    """80 % of the reports on election day (07:00–22:00), the rest over the six days before."""
    if rnd.random() < 0.8:
        return datetime(2024, 2, 14, 7, tzinfo=WIB) + timedelta(minutes=rnd.randint(0, 15 * 60))
    return datetime(2024, 2, 8, 7, tzinfo=WIB) + timedelta(minutes=rnd.randint(0, 6 * 24 * 60 - 1))


def _timed(region_code: str, fmt: str) -> tuple[float, int, str]:
    from linsek.regions.models import Region
    from linsek.reports.services import rendition_get, sitrep_generate

    region = Region.objects.get(code=region_code)
    t0 = time.perf_counter()
    report = sitrep_generate(actor=None, region=region, date_from=DAY, now=MORNING)
    rendition = rendition_get(report=report, fmt=fmt, language="id", now=MORNING)
    return time.perf_counter() - t0, rendition.size, report.content_sha256


def _jepara_here() -> dict[str, Any]:
    from linsek.accounts.models import User
    from linsek.coord.demo import coord_demo_load
    from linsek.demo.jepara import demo_load
    from linsek.incidents.models import Report
    from linsek.incidents.services import actor_for
    from linsek.incidents.writer import Incoming, reports_accept_batch
    from linsek.regions.models import PollingStation

    demo_load()
    coord_demo_load(now=MORNING)
    reporter = User.objects.filter(roles__code="field_reporter", organisation__isnull=False).order_by("id").first()
    assert reporter is not None
    actor = actor_for(reporter, channel="api")
    codes = list(PollingStation.objects.values_list("code", flat=True))
    rnd = random.Random(14)
    moments = sorted(_spread_moment(rnd) for _ in range(JEPARA_REPORTS))
    for start in range(0, len(moments), 250):
        batch_at = moments[min(start + 249, len(moments) - 1)]
        items = [
            Incoming(
                {
                    "uuid": str(uuid.uuid4()),
                    "kind": rnd.choice(KINDS),
                    "tps": rnd.choice(codes),
                    "severity": rnd.randint(1, 4),
                    "observed_at": (m - timedelta(minutes=5)).isoformat(),
                    "description": TEXT,
                    "classification": rnd.choice(["public", "internal", "internal", "restricted"]),
                },
                actor,
                reporter.username,
            )
            for m in moments[start : start + 250]
        ]
        reports_accept_batch(items, now=batch_at)
    ids = list(Report.objects.values_list("id", flat=True))
    for status, share in (("acknowledged", 0.3), ("verified", 0.2), ("in_handling", 0.1), ("resolved", 0.1)):
        Report.objects.filter(id__in=rnd.sample(ids, int(len(ids) * share)), status="new").update(status=status)
    return {"tps": len(codes), "reports": Report.objects.count()}


def _province_here() -> dict[str, Any]:
    from linsek.coord.models import Meeting
    from linsek.coord.services import ActionInput, MeetingInput, action_item_add, calendar_load, meeting_create
    from linsek.incidents.models import Report
    from linsek.regions.models import PollingStation, Region
    from linsek.regions.services import rollups_refresh
    from tests.factories import OrganisationFactory

    rnd = random.Random(35)
    province = Region.objects.create(
        code="35",
        name="Provinsi Sintetis",
        level="province",
        kind="provinsi",
        lat=-7.5,
        lon=112.5,
        time_zone="Asia/Jakarta",
    )
    regencies = Region.objects.bulk_create(
        [
            Region(
                code=f"35.{i:02d}",
                name=f"Kabupaten {i:02d}",
                level="regency",
                kind="kabupaten",
                parent=province,
                lat=-7.0 - (i % 6) * 0.25,
                lon=111.0 + (i // 6) * 0.45,
            )
            for i in range(1, 39)
        ]
    )
    districts: list[Region] = []
    for r, regency in enumerate(regencies):
        n = 17 + (r % 3)  # 666 in all
        districts += [
            Region(
                code=f"{regency.code}.{d:02d}",
                name=f"Kec {regency.code[3:]}-{d:02d}",
                level="district",
                kind="kecamatan",
                parent=regency,
                lat=regency.lat,
                lon=regency.lon,
            )
            for d in range(1, n + 1)
        ]
    districts = Region.objects.bulk_create(districts[:666], batch_size=1000)
    villages: list[Region] = []
    for i, district in enumerate(districts):
        for v in range(1, (13 if i < 368 else 12) + 1):  # 8,360 villages
            villages.append(
                Region(
                    code=f"{district.code}.{2000 + v}",
                    name=f"Desa {district.code}-{v}",
                    level="village",
                    kind="desa",
                    parent=district,
                    lat=district.lat,
                    lon=district.lon,
                )
            )
    villages = Region.objects.bulk_create(villages, batch_size=2000)
    parents = {d.pk: d for d in districts}
    reg_of = {r.pk: r for r in regencies}
    tps: list[PollingStation] = []
    per_village, extra = divmod(PROVINCE_TPS, len(villages))
    for i, v in enumerate(villages):
        d = parents[v.parent_id]
        for n in range(1, per_village + (1 if i < extra else 0) + 1):
            tps.append(
                PollingStation(
                    code=f"{v.code}.{n:03d}",
                    number=n,
                    village=v,
                    district=d,
                    regency=reg_of[d.parent_id],
                    province=province,
                    voters_male=120,
                    voters_female=121,
                    voters_total=241,
                )
            )
    PollingStation.objects.bulk_create(tps, batch_size=5000)
    rollups_refresh()
    calendar_load(now=MORNING)
    polda = OrganisationFactory.create(code="polda-sintetis", name="Polda Sintetis", type_id="polda")
    polda.jurisdiction.set([province])
    meeting = meeting_create(
        actor=None,
        data=MeetingInput(
            title="Rakor Linsek Provinsi",
            starts_at=datetime(2024, 2, 7, 9, tzinfo=WIB),
            place="Mapolda",
            region=province,
            organiser=polda,
            invited_ids=[polda.pk],
        ),
        now=datetime(2024, 2, 7, 12, tzinfo=WIB),
    )
    for k in range(20):
        action_item_add(
            actor=None,
            meeting=meeting,
            data=ActionInput(f"Tindak lanjut {k + 1}", polda, date(2024, 2, 8) + timedelta(days=k)),
            now=datetime(2024, 2, 7, 12, tzinfo=WIB),
        )
    statuses = ["new"] * 4 + ["acknowledged"] * 3 + ["verified", "in_handling", "resolved", "closed", "rejected"]
    ids = [(t.pk, t.village_id, t.district_id, t.regency_id) for t in tps]
    rows = []
    for _ in range(PROVINCE_REPORTS):
        tps_id, v, d, r = rnd.choice(ids)
        at = _spread_moment(rnd)
        rows.append(
            Report(
                uuid=uuid.uuid4(),
                content_digest="0" * 64,
                kind=rnd.choice(KINDS),
                severity=rnd.randint(1, 4),
                classification=rnd.choice(["public", "internal", "internal", "restricted"]),
                status=rnd.choice(statuses),
                description=TEXT,
                observed_at=at - timedelta(minutes=5),
                received_at=at,
                updated_at=at,
                tps_id=tps_id,
                village_id=v,
                district_id=d,
                regency_id=r,
                province_id=province.pk,
                channel="api",
            )
        )
    Report.objects.bulk_create(rows, batch_size=5000)
    assert Meeting.objects.count() == 1
    return {
        "tps": PollingStation.objects.filter(province=province).count(),
        "reports": Report.objects.count(),
        "regencies": len(regencies),
        "districts": len(districts),
        "villages": len(villages),
    }


def _measure_here(scenario: str) -> None:
    os.environ["LINSEK_REQUIRE_2FA"] = "0"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    facts = _jepara_here() if scenario == "jepara" else _province_here()
    facts["setup_s"] = round(time.perf_counter() - t0, 1)
    code = "33.20" if scenario == "jepara" else "35"
    out: dict[str, Any] = {"facts": facts}
    for fmt in ("pdf", "xlsx"):
        runs = [_timed(code, fmt) for _ in range(REPEAT if scenario == "jepara" else 2)]
        out[fmt] = {
            "median": statistics.median(r[0] for r in runs),
            "max": max(r[0] for r in runs),
            "bytes": runs[-1][1],
        }
    from linsek.regions.models import Region
    from linsek.reports.content import sitrep_build

    t0 = time.perf_counter()
    content = sitrep_build(region=Region.objects.get(code=code), date_from=DAY, date_to=DAY, now=MORNING)
    out["build_s"] = time.perf_counter() - t0
    inc = content["sections"]["incidents"]
    out["day_total"] = inc["total"]
    out["restricted"] = inc["restricted"]
    out["sections"] = {k: (v or {}).get("state", "absent") for k, v in content["sections"].items()}
    print(json.dumps(out))


def measure(database_url: str, scenario: str) -> dict[str, Any]:
    var_dir = tempfile.mkdtemp(prefix="linsek-bench-sitrep-")
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "LINSEK_VAR": var_dir,
        "DJANGO_SETTINGS_MODULE": "linsek.settings",
        "PYTHONPATH": f"{BENCH.parent}{os.pathsep}{os.environ.get('PYTHONPATH', '')}",
    }
    done = subprocess.run(
        [sys.executable, __file__, "--measure-only", scenario], env=env, check=True, capture_output=True, text=True
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measure-only", help=argparse.SUPPRESS)
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    if args.measure_only:
        _measure_here(args.measure_only)
        return
    started = datetime.now(UTC)
    rows = []
    databases = [("PostgreSQL", lambda: pg_recreate("linsek_bench_sitrep"))]
    if not args.skip_sqlite:
        databases.append(
            ("SQLite", lambda: f"sqlite:///{Path(tempfile.mkdtemp(prefix='linsek-bench-sitrep-')) / 's.sqlite3'}")
        )
    for db, url in databases:
        for scenario, label, target in (("jepara", "Jepara election day", 5.0), ("province", "province", 60.0)):
            run = measure(url(), scenario)
            f = run["facts"]
            day = run["day_total"] + run["restricted"]
            what = (
                f"{f['tps']:,} TPS, {f['reports']:,} reports, {day:,} of them on the day "
                f"({run['restricted']:,} restricted: counted apart, never listed); "
                f"build {run['build_s']:.2f} s; sections: " + ", ".join(f"{k} {v}" for k, v in run["sections"].items())
            )
            rows.append(
                {
                    "metric": f"{db}: {label} report as PDF",
                    "value": round(run["pdf"]["median"], 2),
                    "unit": "s",
                    "target": f"< {target:g} s",
                    "ok": run["pdf"]["max"] < target,
                    "note": f"{what}; max {run['pdf']['max']:.2f} s, {run['pdf']['bytes'] / 1024:.0f} KiB",
                }
            )
            rows.append(
                {
                    "metric": f"{db}: {label} report as XLSX",
                    "value": round(run["xlsx"]["median"], 2),
                    "unit": "s",
                    "target": "",
                    "ok": None,
                    "note": f"same data; {run['xlsx']['bytes'] / 1024:.0f} KiB; set-up {f['setup_s']} s",
                }
            )
            print(json.dumps(rows[-2]), flush=True)
    doc = {
        "benchmark": "sitrep",
        "measured_at": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "command": "python bench/sitrep.py",
        "rows": rows,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "sitrep.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    for row in rows:
        print(f"{row['metric']}: {row['value']} {row['unit']} ({row['note']})")


if __name__ == "__main__":
    main()
