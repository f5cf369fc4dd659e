"""Run every benchmark (``make bench``), then write the results table into the README.

Each benchmark script writes ``bench/results/<name>.json`` shaped as::

    {"benchmark": "...", "measured_at": "...", "machine": "...", "command": "...",
     "rows": [{"metric": "...", "value": 1.0, "unit": "s", "target": "< 20 s", "ok": true, "note": "..."}]}

This script runs them in order (each in its own process so that one failure does not hide
the others), then renders every results file into the README between the bench markers.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
README = ROOT / "README.md"
START, END = "<!-- bench:start -->", "<!-- bench:end -->"
SCRIPTS = [
    "import_national.py",
    "map_layers.py",
    "intake.py",
    "live_latency.py",
    "incidents_dashboard.py",
    "plan_jepara.py",
    "plan_small.py",
    "plan_national.py",
    "cases_board.py",
    "sitrep.py",
    "crash.py",
    "audit_verify.py",
]


def results_table() -> str:
    lines = [
        "| benchmark | metric | value | target | ok | measured | note |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for path in sorted(RESULTS.glob("*.json")):
        doc = json.loads(path.read_text())
        for row in doc.get("rows", []):
            value = row["value"]
            if value is None:  # not obtained in that run (e.g. a wait that timed out): the note says why
                shown = "—"
            elif isinstance(value, float) and abs(value) < 1000:
                shown = f"{value:,.3g}"
            else:
                shown = f"{value:,}"
            ok = {True: "yes", False: "**no**", None: ""}[row.get("ok")]
            lines.append(
                f"| {doc['benchmark']} | {row['metric']} | {shown} {row.get('unit', '')} | {row.get('target', '')} "
                f"| {ok} | {doc.get('measured_at', '')[:10]} | {row.get('note', '')} |"
            )
    return "\n".join(lines)


def readme_update() -> None:
    text = README.read_text()
    if START not in text or END not in text:
        raise SystemExit(f"README.md has no {START} … {END} markers")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{START}\n{results_table()}\n{END}{tail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="run only these scripts (e.g. map_layers.py)")
    parser.add_argument("--table-only", action="store_true", help="only re-render the README table")
    args = parser.parse_args()
    failed = []
    if not args.table_only:
        for script in args.only or SCRIPTS:
            print(f"== {script}", flush=True)
            if subprocess.run([sys.executable, str(BENCH / script)], cwd=ROOT).returncode != 0:
                failed.append(script)
    readme_update()
    print(results_table())
    if failed:
        raise SystemExit(f"benchmarks failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
