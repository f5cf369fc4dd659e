"""``linsek backup [--out DIR]``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from linsek.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the whole database (SQLite online backup or pg_dump) with a SHA-256 checksum file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", default=str(settings.VAR_DIR / "backups"), help="directory (default var/backups)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_create(db=settings.DATABASES["default"], out_dir=Path(options["out"]))
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{result.path}  {result.size:,} bytes  sha256 {result.sha256}")
