"""``linsek audit verify`` and ``linsek audit head``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linsek.audit.services import audit_verify


class Command(BaseCommand):
    help = "Verify the hash-chained audit trail (verify) or print its head hash (head)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "head"])
        parser.add_argument(
            "--workers", type=int, default=None, help="processes for verify (default: one per core for large chains)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = audit_verify(workers=options["workers"])
        if options["action"] == "head":
            self.stdout.write(f"{result.events} {result.head_hash}")
            return
        if result.broken is not None:
            raise CommandError(f"audit chain BROKEN at event #{result.broken.seq}: {result.broken.reason}")
        self.stdout.write(self.style.SUCCESS(f"audit chain OK: {result.events} events, head {result.head_hash}"))
