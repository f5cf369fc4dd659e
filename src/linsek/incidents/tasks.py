"""Background tasks of the incidents app (django-tasks API; enqueued periodically by ``linsek worker``)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django_tasks import task

from linsek.core.pacing import Pacer
from linsek.incidents.flows import DuplicatePool, reports_escalate, reports_notify


@task()
def reports_escalate_task(now: str | None = None) -> dict[str, int]:
    """Escalate unacknowledged reports; ``now`` (ISO 8601) lets the worker run on a controlled clock."""
    moment = datetime.fromisoformat(now) if now else timezone.now()
    result = reports_escalate(now=moment)
    return {"escalated": result.escalated, "exhausted": result.exhausted}


@task()
def reports_notify_task(now: str | None = None) -> dict[str, int]:
    """Put notifications for newly routed reports in the outbox (delivered by notify's task)."""
    moment = datetime.fromisoformat(now) if now else timezone.now()
    total = 0
    pool = DuplicatePool()  # read once, then only what is new, across the passes of this run
    pacer = Pacer()  # gives way to the server when the cores are busy (an election-day burst)
    for _ in range(20):
        done = reports_notify(now=moment, pool=pool)
        total += done
        if done == 0:
            break
        pacer.pause()
    return {"reports": total}
