"""Benchmark: a national synthetic election (820,161 TPS in 514 regencies), one planning job per regency
through a pool of worker processes on this machine's cores — target under 3 minutes end to end (issue 5).
Writes ``bench/results/plan_national.json``.

Each job builds its regency in memory from a seed (the national shape: ~14 districts of ~11.5 villages,
TPS apportioned to the real total; police ≈ the national 195,819 at TPS spread by TPS count, so most
regencies run short and exercise borrowing, priorities and BKO), plans it and runs the independent
validator on the plan. What this does not include: reading the registry from and writing the plans to the
database (measured for one regency by ``plan_jepara.py``), and the django-tasks queue itself (the pool
stands in for the two queue workers).
"""

from __future__ import annotations

import json
import os
import platform
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"
TOTAL_TPS = 820_161
REGENCIES = 514
POLICE_AT_TPS = 195_819
WORKERS = int(os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 2)))


def regency_sizes(seed: int = 2024) -> list[int]:
    rng = np.random.default_rng(seed)
    weights = rng.lognormal(0.0, 0.6, size=REGENCIES)
    sizes = np.floor(weights / weights.sum() * TOTAL_TPS).astype(int)
    sizes = np.maximum(sizes, 40)
    diff = TOTAL_TPS - int(sizes.sum())
    order = np.argsort(-weights)
    i = 0
    while diff != 0:
        step = 1 if diff > 0 else -1
        if sizes[order[i % REGENCIES]] + step >= 40:
            sizes[order[i % REGENCIES]] += step
            diff -= step
        i += 1
    return [int(s) for s in sizes]


def job(args: tuple[int, int]) -> tuple[int, int, float, float, int, int, int, int]:
    """Plan one regency; returns (index, TPS, plan seconds, validate seconds, posts, needed, bound, violations)."""
    index, tps = args
    from linsek.deploy.planner import plan_make
    from linsek.deploy.synthetic import InstanceSpec, instance
    from linsek.deploy.validate import plan_violations

    areas = max(1, round(tps / 113))
    police = round(POLICE_AT_TPS * tps / TOTAL_TPS)
    spec = InstanceSpec(
        seed=index,
        tps=tps,
        areas=areas,
        villages_per_area=11,
        police_per_unit=max(2, round(police * 0.75 / areas)),
        reserve_people=round(police * 0.25),
        island_tps=16 if index % 5 == 0 else 0,
        area_code_prefix=f"{10 + index // 99:02d}.{index % 99 + 1:02d}",
        id_offset=0,
    )
    inp = instance(spec)
    started = time.perf_counter()
    out = plan_make(inp)
    t_plan = time.perf_counter() - started
    started = time.perf_counter()
    violations = plan_violations(inp, out)
    t_valid = time.perf_counter() - started
    return index, tps, t_plan, t_valid, len(out.posts), out.police_needed, out.lower_bound, len(violations)


def main() -> None:
    sizes = regency_sizes()
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=WORKERS) as pool:
        results = list(pool.map(job, list(enumerate(sizes)), chunksize=4))
    wall = time.perf_counter() - started
    plan_times = sorted(r[2] for r in results)
    job_times = sorted(r[2] + r[3] for r in results)
    needed = sum(r[5] for r in results)
    bound = sum(r[6] for r in results)
    violations = sum(r[7] for r in results)

    def pct(values: list[float], q: float) -> float:
        return values[min(len(values) - 1, int(q * len(values)))]

    rows = [
        {
            "metric": "national plan, end to end",
            "value": round(wall, 1),
            "unit": "s",
            "target": "< 180 s",
            "ok": wall < 180,
            "note": f"{sum(sizes):,} TPS, {len(sizes)} regencies, {WORKERS} worker processes; "
            "plan + validate per regency",
        },
        {
            "metric": "per-regency planning p50",
            "value": round(1000 * pct(plan_times, 0.5), 1),
            "unit": "ms",
            "target": "",
            "ok": None,
            "note": f"p90 {1000 * pct(plan_times, 0.9):.0f} ms, p99 {1000 * pct(plan_times, 0.99):.0f} ms, "
            f"max {1000 * plan_times[-1]:.0f} ms",
        },
        {
            "metric": "per-regency job (plan + validate) p50",
            "value": round(1000 * pct(job_times, 0.5), 1),
            "unit": "ms",
            "target": "",
            "ok": None,
            "note": f"p90 {1000 * pct(job_times, 0.9):.0f} ms, p99 {1000 * pct(job_times, 0.99):.0f} ms",
        },
        {
            "metric": "national gap to the lower bound",
            "value": round(100 * (needed / bound - 1), 2),
            "unit": "%",
            "target": "",
            "ok": None,
            "note": f"{needed:,} police needed vs bound {bound:,}; {violations} validator findings",
        },
    ]
    doc = {
        "benchmark": "plan_national",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}",
        "command": "python bench/plan_national.py",
        "rows": rows,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "plan_national.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(doc, indent=2, ensure_ascii=False))
    if violations:
        raise SystemExit(f"{violations} validator findings")


if __name__ == "__main__":
    main()
