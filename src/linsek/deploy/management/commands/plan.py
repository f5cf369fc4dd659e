"""``linsek plan``: generate (and optionally approve) the TPS security plan of a regency.

``linsek plan 33.20`` plans here and now (synchronous). ``--queue`` hands the regency to the background
worker instead; ``--all-regencies`` queues one job per regency with TPS (the national run); ``--status
BATCH`` shows a batch's jobs per status and ``--wait`` follows it until every job has finished.
"""

from __future__ import annotations

import json
import time
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from linsek.core.errors import DomainError, ValidationFailed
from linsek.deploy.selectors import plan_jobs_status
from linsek.deploy.services import plan_approve, plan_generate, plan_jobs_enqueue
from linsek.regions.models import Region


class Command(BaseCommand):
    help = "Generate the TPS security plan of a regency (posts, named teams, shortfall, BKO request)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("regency", nargs="?", help="regency code, e.g. 33.20")
        parser.add_argument("--queue", action="store_true", help="queue the job for `linsek worker` instead")
        parser.add_argument(
            "--all-regencies", action="store_true", help="queue one planning job per regency with TPS (national run)"
        )
        parser.add_argument("--status", metavar="BATCH", help="show the jobs of a queued batch per status")
        parser.add_argument("--wait", action="store_true", help="with --queue/--all-regencies/--status: follow it")
        parser.add_argument(
            "--mode",
            choices=["auto", "full", "replan"],
            default="auto",
            help="full: from scratch; replan: change only touched posts; auto: replan when the basis is the same",
        )
        parser.add_argument(
            "--patterns", type=Path, help="a pattern JSON file (default: the latest plan's, else the shipped defaults)"
        )
        parser.add_argument("--label", default="", help="a note stored with the version")
        parser.add_argument("--user", help="act as this user (their capabilities are checked); default: system")
        parser.add_argument("--approve", action="store_true", help="approve the new version (needs deploy.approve)")
        parser.add_argument("--json", action="store_true", help="print the plan summary as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["status"]:
            self._follow(options["status"], wait=options["wait"], as_json=options["json"])
            return
        region = None
        if not options["all_regencies"]:
            if not options["regency"]:
                raise CommandError("give a regency code, or --all-regencies")
            region = Region.objects.filter(code=options["regency"]).first()
            if region is None:
                raise CommandError(f"unknown region code {options['regency']!r}")
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"unknown user {options['user']!r}")
        patterns = None
        if options["patterns"]:
            try:
                patterns = json.loads(options["patterns"].read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise CommandError(f"{options['patterns']}: {exc}") from exc
        now = timezone.now()
        if options["queue"] or options["all_regencies"]:
            if options["approve"]:
                raise CommandError("--approve works only on a plan made here (without --queue)")
            try:
                batch, jobs = plan_jobs_enqueue(
                    actor=actor,
                    regencies=None if region is None else [region],
                    now=now,
                    mode=options["mode"],
                    label=options["label"],
                    patterns=patterns,
                )
            except DomainError as exc:
                raise CommandError(exc.message) from exc
            self.stdout.write(f"batch {batch}: {len(jobs)} planning job(s) queued for `linsek worker`")
            if options["wait"]:
                self._follow(batch, wait=True, as_json=options["json"])
            return
        assert region is not None
        try:
            plan = plan_generate(
                actor=actor, regency=region, now=now, patterns=patterns, mode=options["mode"], label=options["label"]
            )
            if options["approve"]:
                plan = plan_approve(actor=actor, plan=plan, now=now)
        except ValidationFailed as exc:
            details = "\n".join(f"  {p.field}: {p.message}" for p in exc.problems)
            raise CommandError(f"{exc.message}\n{details}".rstrip()) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        s = plan.summary
        if options["json"]:
            self.stdout.write(
                json.dumps({"plan": plan.id, "version": plan.version, "status": plan.status, **s}, indent=2)
            )
            return
        change = s.get("change")
        lines = [
            f"{region.name}: plan v{plan.version} ({plan.status}, {plan.mode}) in {s['seconds']:.2f} s",
            f"  TPS {s['plannable']}/{s['tps']} in {s['posts']} posts; unplannable {len(s['unplannable'])}",
            f"  police needed {s['police_needed']} (lower bound {s['lower_bound']}, gap {100 * s['gap']:.1f}%), "
            f"named {s['police_assigned']}, reserve {len(s['reserve'])}/{s['reserve_target']}",
            f"  BKO request: {s['bko_police']} police; uncovered TPS {len(s['uncovered_tps'])}, "
            f"partial {len(s['partial_tps'])}",
            f"  Linmas needed {s['linmas']['total']} (available {s['linmas']['available']})",
        ]
        if change:
            lines.append(
                f"  changed posts: {len(change['dissolved'])} dissolved, {len(change['created'])} new, "
                f"{len(change['team_changed'])} new team; {change['kept']} kept"
            )
        lines.extend(f"  ! {w}" for w in s["warnings"])
        self.stdout.write("\n".join(lines))

    def _follow(self, batch: str, *, wait: bool, as_json: bool) -> None:
        """Print a batch's status (once, or every few seconds until no job is queued or running)."""
        while True:
            st = plan_jobs_status(batch=batch)
            if not st["total"]:
                raise CommandError(f"no jobs in batch {batch!r}")
            c = st["counts"]
            open_jobs = c["queued"] + c["running"]
            if not as_json:
                self.stdout.write(
                    f"{batch}: {c['done']} done, {c['failed']} failed, {c['running']} running, {c['queued']} queued"
                )
            if not wait or not open_jobs:
                break
            time.sleep(2.0)
        times = st["times"]
        if as_json:
            self.stdout.write(json.dumps({k: v for k, v in st.items() if k != "times"} | {"done_seconds": times}))
            return
        if times:

            def pct(q: float) -> float:
                return float(times[min(len(times) - 1, int(q * len(times)))])

            self.stdout.write(
                f"  per-regency job time: p50 {pct(0.5):.2f} s, p90 {pct(0.9):.2f} s, p99 {pct(0.99):.2f} s, "
                f"max {times[-1]:.2f} s"
            )
        for code, error in st["failed"]:
            self.stdout.write(f"  ! {code}: {error}")
