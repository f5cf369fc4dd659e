"""The background worker's own housekeeping (the task queue itself is django-tasks-db's)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from linsek.notify.management.commands.worker import WorkerGone, results_of_dead_workers_fail
from linsek.notify.tasks import notify_deliver_task

NOW = datetime(2024, 2, 14, 9, 0, tzinfo=UTC)


def _running(worker_id: str) -> DBTaskResult:
    result = DBTaskResult.objects.get(id=notify_deliver_task.enqueue().id)
    DBTaskResult.objects.filter(id=result.id).update(status=TaskResultStatus.RUNNING, worker_ids=[worker_id])
    return result


def test_results_left_running_by_a_killed_worker_are_marked_failed(db: Any) -> None:
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    host = socket.gethostname()
    killed = _running(f"{host}:{gone.pid}")
    alive = _running(f"{host}:{os.getpid()}")
    elsewhere = _running(f"another-machine:{gone.pid}")

    assert results_of_dead_workers_fail(now=NOW) == 1
    statuses = dict(DBTaskResult.objects.values_list("id", "status"))
    assert statuses[killed.id] == TaskResultStatus.FAILED
    assert statuses[alive.id] == statuses[elsewhere.id] == TaskResultStatus.RUNNING
    result = DBTaskResult.objects.get(id=killed.id).task_result
    assert result.status == TaskResultStatus.FAILED and result.finished_at == NOW
    assert result.errors[0].exception_class is WorkerGone
    assert results_of_dead_workers_fail(now=NOW) == 0  # once


def test_a_restarted_worker_fails_what_its_killed_predecessor_left_running(transactional_db: Any) -> None:
    from django.core.management import call_command

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    killed = _running(f"{socket.gethostname()}:{gone.pid}")
    call_command("worker", once=True, verbosity=0)  # the first loop looks, before the queue runs
    assert DBTaskResult.objects.get(id=killed.id).status == TaskResultStatus.FAILED
