"""``linsek cases …``: the deadline calculator, one watcher pass, and the demo cases, from a terminal."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from linsek.cases.deadlines import deadline_compute
from linsek.cases.rules import RuleError, calculator_limit, calculator_rules, rule_set


def _moment(text: str, zone: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip().replace(" ", "T", 1) if "T" not in text else text.strip())
    except ValueError as exc:
        raise CommandError(f"cannot read the moment {text!r} (use 'YYYY-MM-DD HH:MM'): {exc}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(zone))


class Command(BaseCommand):
    help = "Election-crime cases: 'deadline' (calculator), 'rules' (list), 'watch' (one watcher pass), 'demo'."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        d = sub.add_parser("deadline", help="due moment of a rule from a start moment, and how it was counted")
        d.add_argument("--rule", required=True, help="stage (investigation, registration.report) or 7d / 14wd / 24h")
        d.add_argument("--start", required=True, help="'2024-02-09 10:00' (read in --zone) or ISO 8601 with offset")
        d.add_argument("--zone", default="Asia/Jakarta", help="the region's time zone (default Asia/Jakarta, WIB)")
        d.add_argument("--json", action="store_true", help="print the explanation as JSON")
        sub.add_parser("rules", help="list the rules the calculator knows")
        w = sub.add_parser("watch", help="run the deadline watcher once")
        w.add_argument("--now", help="ISO 8601 moment (default: the clock)")
        m = sub.add_parser("demo", help="create the Jepara demo cases")
        m.add_argument("--now", help="ISO 8601 moment the demo is built around (default: the clock)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "deadline":
            self._deadline(options)
        elif action == "rules":
            for spec, name, limit in calculator_rules():
                self.stdout.write(f"{spec:<28} {limit.label():<14} Pasal {limit.article:<10} {name}")
        elif action == "watch":
            from linsek.cases.watch import cases_watch

            now = _moment(options["now"], "Asia/Jakarta") if options["now"] else timezone.now()
            result = cases_watch(now=now)
            self.stdout.write(f"scanned {result.scanned} stages, {result.notified} notifications")
        elif action == "demo":
            from linsek.cases.demo import cases_demo_load

            now = _moment(options["now"], "Asia/Jakarta") if options["now"] else timezone.now()
            cases = cases_demo_load(now=now)
            self.stdout.write(f"{len(cases)} demo cases")

    def _deadline(self, options: dict[str, Any]) -> None:
        try:
            ZoneInfo(options["zone"])
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise CommandError(f"unknown time zone {options['zone']!r}") from exc
        try:
            limit, label = calculator_limit(options["rule"])
        except RuleError as exc:
            raise CommandError(str(exc)) from exc
        rs = rule_set()
        start = _moment(options["start"], options["zone"])
        d = deadline_compute(start=start, limit=limit, calendar=rs.calendar, zone=options["zone"], counting=rs.counting)
        if options["json"]:
            self.stdout.write(json.dumps({"rule": label, **d.as_dict()}, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"{label}: {limit.label()}" + (f" (UU 7/2017 Pasal {limit.article})" if limit.article else "")
        )
        self.stdout.write(f"due: {d.due.isoformat()}")
        for line in d.steps:
            self.stdout.write(f"  {line}")
        for line in d.warnings:
            self.stdout.write(self.style.WARNING(f"  ! {line}"))
