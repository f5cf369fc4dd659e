"""``linsek export regions|tps|organisations|people --format csv|xlsx|geojson [--region CODE] [-o FILE]``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import IO, Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linsek.agencies.exports import organisations_export, people_export
from linsek.core.errors import DomainError
from linsek.regions.exports import FORMATS, regions_export, tps_export

EXPORTS = {"regions": regions_export, "tps": tps_export, "organisations": organisations_export, "people": people_export}


class Command(BaseCommand):
    help = "Export regions, TPS, organisations or people as CSV, XLSX or GeoJSON (the import layouts)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=sorted(EXPORTS), help="what to export")
        parser.add_argument("--format", choices=FORMATS, default="csv", help="file format (default csv)")
        parser.add_argument("--region", default="", help="only this region and what lies in it, e.g. 33.20")
        parser.add_argument("-o", "--output", type=Path, help="output file (default: standard output)")
        parser.add_argument("--user", default="", help="export as this user (people: phones only if allowed)")

    def handle(self, *args: Any, **options: Any) -> None:
        kind, fmt = options["kind"], options["format"]
        if fmt == "geojson" and kind not in ("regions", "tps"):
            raise CommandError("GeoJSON is available for regions and tps only")
        actor = None
        if options["user"]:
            from django.contrib.auth import get_user_model

            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"no user {options['user']!r}")
        output: Path | None = options["output"]
        if output is None and fmt == "xlsx" and sys.stdout.isatty():
            raise CommandError("XLSX is binary: write it to a file with -o FILE")
        try:
            if output is None:
                count = self._run(kind, sys.stdout.buffer, fmt, options["region"], actor)
            else:
                with output.open("wb") as out:
                    count = self._run(kind, out, fmt, options["region"], actor)
        except DomainError as exc:
            if output is not None:
                output.unlink(missing_ok=True)
            raise CommandError(exc.message) from exc
        if output is not None:
            self.stderr.write(f"{count:,} {kind} written to {output}")

    def _run(self, kind: str, out: IO[bytes], fmt: str, region: str, actor: Any) -> int:
        count: int = EXPORTS[kind](out=out, fmt=fmt, region=region or None, actor=actor)
        out.flush()
        return count
