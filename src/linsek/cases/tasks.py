"""Background tasks of the cases app (django-tasks API; run by ``linsek worker``)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone
from django_tasks import task

from linsek.cases.watch import cases_watch


@task()
def cases_watch_task(now: str | None = None) -> dict[str, int]:
    """Run the deadline watcher once; ``now`` (ISO 8601) lets the worker run on a controlled clock."""
    moment = datetime.fromisoformat(now) if now else timezone.now()
    result = cases_watch(now=moment)
    return {"scanned": result.scanned, "notified": result.notified}
