"""Delivery channels behind one small interface; in-app and e-mail now, SMS/WhatsApp adapters later.

A channel's ``send`` either returns ``"sent"`` / ``"skipped"`` (nothing to send to, e.g. no address) or
raises :class:`DeliveryFailed`; the worker retries failures with back-off and gives up after a limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from django.conf import settings
from django.core.mail import EmailMessage

from linsek.notify.models import Delivery, InboxItem


class DeliveryFailed(Exception):
    """The channel could not deliver now; the worker will try again later."""


class Channel(Protocol):
    code: str
    related: tuple[str, ...]  # relations of the delivery the channel reads (``select_related``), beyond user

    def send(self, delivery: Delivery) -> str: ...


@runtime_checkable
class BatchChannel(Protocol):
    """A channel that writes only to our database delivers a batch at once, in the transaction that marks it
    sent (the worker calls ``send_many`` instead of ``send``); returns each delivery's outcome by id."""

    code: str
    related: tuple[str, ...]

    def send(self, delivery: Delivery) -> str: ...

    def send_many(self, deliveries: Sequence[Delivery]) -> dict[int, str]: ...


class InAppChannel:
    """Puts the notification in the user's inbox; a repeated delivery finds the item already there."""

    code = Delivery.Channel.INAPP.value
    related: tuple[str, ...] = ()

    def send(self, delivery: Delivery) -> str:
        return self.send_many([delivery])[delivery.pk]

    def send_many(self, deliveries: Sequence[Delivery]) -> dict[int, str]:
        InboxItem.objects.bulk_create(
            [
                InboxItem(user_id=d.user_id, notification_id=d.notification_id, created_at=d.notification.created_at)
                for d in deliveries
            ],
            ignore_conflicts=True,  # inbox_once_per_user: an item delivered before stays as it was
        )
        return dict.fromkeys((d.pk for d in deliveries), "sent")


class EmailChannel:
    """Through Django's configured e-mail backend (SMTP in production, a file or memory elsewhere)."""

    code = Delivery.Channel.EMAIL.value
    related: tuple[str, ...] = ()

    def send(self, delivery: Delivery) -> str:
        address = (delivery.user.email or "").strip()
        if not address:
            return "skipped"
        n = delivery.notification
        link = f"{settings.LINSEK_SITE_URL.rstrip('/')}{n.url}" if n.url else ""
        body = f"{n.body}\n\n{link}".strip() + "\n"
        try:
            EmailMessage(
                subject=f"[linsek] {n.subject}",
                body=body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[address],
                headers={"X-Linsek-Notification": str(n.uuid)},
            ).send(fail_silently=False)
        except OSError as exc:  # SMTP and socket errors
            raise DeliveryFailed(f"e-mail to {address}: {exc}") from exc
        return "sent"


CHANNELS: dict[str, Channel] = {c.code: c for c in (InAppChannel(), EmailChannel())}
