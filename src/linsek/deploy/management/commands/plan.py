"""``linsek plan``: generate (and optionally approve) the TPS security plan of a regency."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from linsek.core.errors import DomainError, ValidationFailed
from linsek.deploy.services import plan_approve, plan_generate
from linsek.regions.models import Region


class Command(BaseCommand):
    help = "Generate the TPS security plan of a regency (posts, named teams, shortfall, BKO request)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("regency", help="regency code, e.g. 33.20")
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
