"""``linsek restore FILE`` into an empty database, then verify the audit chain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from linsek.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup (checked against its .sha256) into an empty database, then verify the audit chain."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file")

    def handle(self, *args: Any, **options: Any) -> None:
        connections.close_all()
        try:
            backup_restore(path=Path(options["file"]), db=settings.DATABASES["default"])
        except BackupError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"restored {options['file']}")
        call_command("audit", "verify", stdout=self.stdout)
