"""``linsek calendar load [--code pemilu2024]`` and ``linsek calendar matrix [--replace]``.

Loads (or updates to) a versioned calendar file from ``coord/rules/``, and seeds the responsibilities matrix.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from linsek.coord.rules import RuleError, calendar_codes
from linsek.coord.services import calendar_load, responsibilities_load


class Command(BaseCommand):
    help = "The election/operation calendar: 'linsek calendar load' and 'linsek calendar matrix'."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        load = sub.add_parser("load", help="load or update a calendar file (coord/rules/calendar_<code>.json)")
        load.add_argument("--code", default="pemilu2024", help=f"one of: {', '.join(calendar_codes())}")
        matrix = sub.add_parser(
            "matrix", help="seed the responsibilities matrix from coord/rules/responsibilities.json"
        )
        matrix.add_argument("--replace", action="store_true", help="replace the administrator's edits too")

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["what"] == "load":
            try:
                result = calendar_load(code=options["code"], now=now)
            except RuleError as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(
                f"calendar {options['code']}: {result.created} new, {result.updated} updated, "
                f"{result.unchanged} unchanged, {result.withdrawn} withdrawn"
            )
            if result.skipped:
                self.stdout.write(
                    self.style.WARNING(f"skipped (region not in the registry yet): {', '.join(result.skipped)}")
                )
        else:
            rows = responsibilities_load(now=now, replace=options["replace"])
            self.stdout.write(f"responsibilities: {rows} rows written" if rows else "responsibilities: kept as edited")
