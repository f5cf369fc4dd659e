"""Benchmark: the planner against the exact optimum (OR-Tools CP-SAT) on small instances (40 TPS, one
area), personnel and time of each. Writes ``bench/results/plan_small.json``."""

from __future__ import annotations

import json
import os
import platform
import statistics
import time
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
SEEDS = range(20)


def main() -> None:
    from linsek.deploy.exact import posts_exact
    from linsek.deploy.planner import plan_make
    from linsek.deploy.synthetic import InstanceSpec, instance

    gaps, planner_s, exact_s, optimal, equal = [], [], [], 0, 0
    worst = (0.0, 0, 0)
    for seed in SEEDS:
        inp = instance(
            InstanceSpec(
                seed=seed, tps=40, areas=1, villages_per_area=3, police_per_unit=200, mix=(0.8, 0.15, 0.04, 0.01)
            )
        )
        started = time.perf_counter()
        out = plan_make(inp)
        planner_s.append(time.perf_counter() - started)
        exact = posts_exact(inp, time_limit_s=30, workers=2)
        exact_s.append(exact.seconds)
        optimal += exact.optimal
        gap = out.police_needed / exact.police - 1
        gaps.append(gap)
        equal += out.police_needed == exact.police
        if gap > worst[0]:
            worst = (gap, out.police_needed, exact.police)
    n = len(gaps)
    rows = [
        {
            "metric": "instances planner = optimum",
            "value": equal,
            "unit": f"of {n}",
            "target": "",
            "ok": None,
            "note": f"40 TPS each, mix 80/15/4/1; CP-SAT proved optimal in {optimal} of {n}",
        },
        {
            "metric": "mean gap planner vs optimum (police)",
            "value": round(100 * statistics.mean(gaps), 2),
            "unit": "%",
            "target": "",
            "ok": None,
            "note": f"worst {100 * worst[0]:.1f}% ({worst[1]} vs {worst[2]} police)",
        },
        {
            "metric": "planner time (median)",
            "value": round(1000 * statistics.median(planner_s), 2),
            "unit": "ms",
            "target": "",
            "ok": None,
            "note": "posts + teams + bounds",
        },
        {
            "metric": "CP-SAT time (median)",
            "value": round(1000 * statistics.median(exact_s), 1),
            "unit": "ms",
            "target": "",
            "ok": None,
            "note": f"max {max(exact_s):.2f} s, 2 workers",
        },
    ]
    doc = {
        "benchmark": "plan_small",
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}",
        "command": "python bench/plan_small.py",
        "rows": rows,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "plan_small.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(doc, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linsek.settings")
    main()
