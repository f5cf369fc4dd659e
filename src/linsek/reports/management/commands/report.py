"""``linsek report daily --date 2024-02-14 --format pdf [--region 33.20] [--to DATE] [--lang en] [--issue]``.

Builds the daily situation report of a region, stores it (a snapshot, or with ``--issue`` the day's frozen
official report), writes the file and prints its path with the SHA-256 of the content and of the file.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from linsek.coord.calendar_grid import local_date
from linsek.core.errors import ValidationFailed
from linsek.regions.models import Region
from linsek.reports.content import region_zone
from linsek.reports.services import rendition_get, sitrep_generate


class Command(BaseCommand):
    help = "Situation reports: 'linsek report daily --date YYYY-MM-DD --format pdf|xlsx|html [--region CODE]'."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        daily = sub.add_parser("daily", help="the daily situation report of a region")
        daily.add_argument("--date", help="the day (YYYY-MM-DD); default yesterday in the region's zone")
        daily.add_argument("--to", help="last day of a range (YYYY-MM-DD)")
        daily.add_argument("--format", choices=["pdf", "xlsx", "html"], default="pdf")
        daily.add_argument(
            "--region", help="Kemendagri code (province, regency or district); default the first regency"
        )
        daily.add_argument("--lang", choices=["id", "en"], default="id")
        daily.add_argument("--issue", action="store_true", help="issue and freeze the day's official report")
        daily.add_argument("--out", help="output file (default ./lapsit-<region>-<date>.<format>)")

    def handle(self, *args: Any, **options: Any) -> None:
        region = (
            Region.objects.filter(code=options["region"]).first()
            if options["region"]
            else Region.objects.filter(level="regency").order_by("code").first()
        )
        if region is None:
            raise CommandError(f"region '{options['region'] or 'regency'}' is not in the registry")
        now = timezone.now()
        try:
            day = (
                date.fromisoformat(options["date"])
                if options["date"]
                else local_date(now, region_zone(region)) - timedelta(days=1)
            )
            last = date.fromisoformat(options["to"]) if options["to"] else day
        except ValueError as exc:
            raise CommandError(f"--date/--to: {exc}") from exc
        try:
            report = sitrep_generate(
                actor=None, region=region, date_from=day, date_to=last, now=now, issue=options["issue"]
            )
        except ValidationFailed as exc:
            raise CommandError(exc.message) from exc
        fmt, language = options["format"], options["lang"]
        suffix = f"{day.isoformat()}" + (f"_{last.isoformat()}" if last != day else "")
        out = Path(options["out"] or f"lapsit-{region.code}-{suffix}.{fmt}")
        if fmt == "html":
            import json

            from linsek.reports.render import sitrep_html

            data = sitrep_html(
                json.loads(report.content_json), language, content_sha256=report.content_sha256, report=report
            ).encode("utf-8")
        else:
            data = rendition_get(report=report, fmt=fmt, language=language, now=now).file.read()
        out.write_bytes(data)
        if not report.has_data:
            self.stdout.write(self.style.WARNING(f"no data for {region.code} {suffix}: the report says so"))
        self.stdout.write(
            f"{out} ({len(data):,} bytes)  report #{report.pk} {report.status}\n"
            f"  content sha256 {report.content_sha256}\n  file    sha256 {hashlib.sha256(data).hexdigest()}"
        )
