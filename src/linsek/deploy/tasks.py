"""Background tasks of the deploy app (django-tasks API; run by ``linsek worker``)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django_tasks import task

from linsek.deploy.services import plan_job_run, plan_jobs_orphans_fail
from linsek.notify.services import worker_id_default


@task()
def plan_job_task(job_id: int) -> dict[str, Any]:
    """Run one queued planning job (``plan_jobs_enqueue`` queues one per regency); its status is on the job."""
    job = plan_job_run(job_id=job_id, worker=worker_id_default())
    return {"job": job.id, "status": job.status, "plan": job.plan_id, "seconds": job.seconds}


@task()
def plan_jobs_orphans_task(now: str | None = None) -> dict[str, int]:
    """Fail the jobs left "running" by a dead worker (periodic, ``settings.LINSEK_PERIODIC_TASKS``).

    ``now`` (the worker's controlled clock) is accepted but not used: a job's start is stamped with the real
    time, so it is judged by the real time too.
    """
    return {"failed": plan_jobs_orphans_fail(now=timezone.now())}
