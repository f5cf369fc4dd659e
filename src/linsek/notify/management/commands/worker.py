"""``linsek worker``: the background worker — periodic jobs plus the django-tasks database queue.

Every loop it enqueues the periodic tasks of ``settings.LINSEK_PERIODIC_TASKS`` that are due (deadline
watcher, notification delivery, …; one waiting copy at most), then runs every ready task in the queue with
django-tasks-db's worker, then sleeps. ``--now`` starts a controlled clock (``--speed`` simulated seconds per
real second) that is handed to the periodic tasks: the demo and tests can fast-forward through deadlines.
"""

from __future__ import annotations

import logging
import signal
import time
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections
from django.utils import timezone
from django.utils.module_loading import import_string

from linsek.notify.services import worker_gone, worker_id_default

log = logging.getLogger(__name__)

PRUNE_EVERY = timedelta(hours=1)
DEAD_CHECK_EVERY = timedelta(minutes=1)  # a dead worker's "running" results are found at start, then this often
KEEP_RESULTS = timedelta(days=2)


class Clock:
    """Real time, or a simulated one that starts at ``start`` and runs ``speed`` times as fast."""

    def __init__(self, start: datetime | None, speed: float) -> None:
        self.start = start
        self.speed = speed
        self.t0 = time.monotonic()

    @property
    def controlled(self) -> bool:
        return self.start is not None

    def now(self) -> datetime:
        if self.start is None:
            return timezone.now()
        return self.start + timedelta(seconds=(time.monotonic() - self.t0) * self.speed)


def periodic_enqueue(*, clock: Clock, last: dict[str, datetime]) -> list[str]:
    """Enqueue each periodic task whose interval has passed and that has no copy waiting; returns their paths."""
    from django_tasks_db.models import DBTaskResult

    enqueued: list[str] = []
    now = clock.now()
    for path, every in settings.LINSEK_PERIODIC_TASKS:
        previous = last.get(path)
        if previous is not None and now - previous < timedelta(seconds=every):
            continue
        try:
            task = import_string(path)
        except ImportError:
            log.exception("periodic task %s cannot be imported; skipped (see the notify system check)", path)
            last[path] = now
            continue
        if DBTaskResult.objects.ready().filter(task_path=task.module_path).exists():
            continue
        task.enqueue(now=now.isoformat() if clock.controlled else None)
        last[path] = now
        enqueued.append(path)
    return enqueued


def queue_run(*, worker_id: str) -> None:
    """Run every ready task once (django-tasks-db's worker in batch mode)."""
    from django_tasks_db.management.commands.db_worker import Worker

    Worker(
        queue_names=["*"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id=worker_id,
        excluded_queue_names=[],
    ).run()


class WorkerGone(Exception):
    """Why a task result was failed by :func:`results_of_dead_workers_fail`."""


def results_of_dead_workers_fail(*, now: datetime) -> int:
    """Mark failed the task results left "running" by a worker of this machine whose process is gone (SIGKILL,
    crash, power cut): nothing will finish them, and an operator reading the task list should not take them for
    work in progress. Other machines' workers, and ids that cannot be told, are left alone. Returns how many."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    dead = [
        result_id
        for result_id, worker_ids in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).values_list(
            "id", "worker_ids"
        )
        if worker_ids and worker_gone(str(worker_ids[-1]))
    ]
    if not dead:
        return 0
    failed: int = DBTaskResult.objects.filter(id__in=dead, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=f"{WorkerGone.__module__}.{WorkerGone.__qualname__}",
        traceback="the worker running this task was gone (killed or crashed) before it finished",
    )
    log.warning("worker: %d task results of dead workers marked failed", failed)
    return failed


def results_prune(*, older_than: timedelta = KEEP_RESULTS) -> int:
    from django_tasks_db.models import DBTaskResult

    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=timezone.now() - older_than).delete()
    return deleted


class Command(BaseCommand):
    help = "Run the background worker: periodic jobs (deadline watcher, notification delivery) and the task queue."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="one loop, then exit")
        parser.add_argument("--interval", type=float, default=2.0, help="seconds to sleep between loops (default 2)")
        parser.add_argument(
            "--now", help="start a controlled clock at this ISO 8601 moment (e.g. 2024-02-20T09:00+07:00)"
        )
        parser.add_argument("--speed", type=float, default=1.0, help="simulated seconds per real second with --now")
        parser.add_argument("--loops", type=int, default=0, help="stop after this many loops (0 = run until stopped)")

    def handle(self, *args: Any, **options: Any) -> None:
        start = None
        if options["now"]:
            try:
                start = datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(f"--now: {exc}") from exc
            if start.tzinfo is None:
                raise CommandError("--now needs a time zone offset, e.g. 2024-02-20T09:00+07:00")
        if options["speed"] <= 0:
            raise CommandError("--speed must be positive")
        clock = Clock(start, options["speed"])
        worker_id = worker_id_default()
        running = True

        def stop(signum: int, frame: Any) -> None:
            nonlocal running
            running = False

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        last: dict[str, datetime] = {}
        last_prune = time.monotonic()
        last_dead_check: float | None = None
        loops = 0
        self.stdout.write(f"linsek worker {worker_id}: clock {'controlled' if clock.controlled else 'real'}")
        while running:
            close_old_connections()
            if last_dead_check is None or time.monotonic() - last_dead_check > DEAD_CHECK_EVERY.total_seconds():
                results_of_dead_workers_fail(now=timezone.now())
                last_dead_check = time.monotonic()
            enqueued = periodic_enqueue(clock=clock, last=last)
            queue_run(worker_id=worker_id)
            if options["verbosity"] > 1 and enqueued:
                self.stdout.write(f"{clock.now().isoformat()} ran {', '.join(enqueued)}")
            if time.monotonic() - last_prune > PRUNE_EVERY.total_seconds():
                results_prune()
                last_prune = time.monotonic()
            loops += 1
            if options["once"] or (options["loops"] and loops >= options["loops"]):
                break
            time.sleep(options["interval"])
