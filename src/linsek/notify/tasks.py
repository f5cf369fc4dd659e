"""Background tasks of the notify app (django-tasks API; run by ``linsek worker``)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django_tasks import task

from linsek.core.pacing import Pacer
from linsek.notify.services import notify_deliver


@task()
def notify_deliver_task(now: str | None = None) -> dict[str, int]:
    """Deliver what is due in the outbox, batch after batch until it is empty (or 50 batches)."""
    moment = datetime.fromisoformat(now) if now else timezone.now()
    totals = {"claimed": 0, "sent": 0, "skipped": 0, "failed": 0, "dead": 0}
    pacer = Pacer()  # gives way to the server when the cores are busy (an election-day burst)
    for _ in range(50):
        result = notify_deliver(now=moment)
        for key in totals:
            totals[key] += getattr(result, key)
        if result.claimed == 0:
            break
        pacer.pause()
    return totals
