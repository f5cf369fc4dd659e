"""Background tasks of the deploy app (django-tasks API; run by ``linsek worker``)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from linsek.deploy.services import plan_job_run
from linsek.notify.services import worker_id_default


@task()
def plan_job_task(job_id: int) -> dict[str, Any]:
    """Run one queued planning job (``plan_jobs_enqueue`` queues one per regency); its status is on the job."""
    job = plan_job_run(job_id=job_id, worker=worker_id_default())
    return {"job": job.id, "status": job.status, "plan": job.plan_id, "seconds": job.seconds}
