"""``linsek sms receive --from 0812… "LAPOR 33.20.04.2001.001 PU …"``: feed one text through the SMS intake.

For the demo and for an operator typing in a report that came by phone: the message goes through the
same handling as the webhook (parsing, threading, rate limit, report creation) and the reply is printed.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from linsek.core.errors import DomainError
from linsek.intake.services import inbound_message_handle


class Command(BaseCommand):
    help = "Feed one SMS/WhatsApp text through the intake (as if the gateway had delivered it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["receive"])
        parser.add_argument("text")
        parser.add_argument("--from", dest="sender", required=True, help="the sender's number, e.g. 081234567890")
        parser.add_argument("--channel", choices=["sms", "whatsapp"], default="sms")
        parser.add_argument("--id", dest="provider_id", default="", help="provider message id (default: a new one)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = inbound_message_handle(
                channel=options["channel"],
                provider_id=options["provider_id"] or f"cli-{uuid.uuid4().hex}",
                sender=options["sender"],
                text=options["text"],
                now=timezone.now(),
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"{result.outcome}: {result.reply}")
