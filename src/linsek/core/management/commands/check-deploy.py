"""``linsek check-deploy``: fail on an insecure production configuration."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Check the production configuration (Django's deploy checks and linsek's own); fails on any warning."

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("check", deploy=True, fail_level="WARNING", stdout=self.stdout, stderr=self.stderr)
        self.stdout.write(self.style.SUCCESS("deployment configuration OK"))
