"""Planning through the worker queue: enqueue, the worker runs the job, the page follows its status."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_tasks.signals import task_enqueued
from django_tasks_db.models import DBTaskResult

from linsek.deploy.models import Plan, PlanJob
from linsek.deploy.selectors import plan_jobs_status
from linsek.deploy.services import ENQUEUE_CHUNK, plan_approve, plan_generate, plan_job_run, plan_jobs_enqueue
from linsek.deploy.tests.conftest import NOW, Staffed
from linsek.notify.management.commands.worker import queue_run
from linsek.regions.models import Region

FORM: dict[str, Any] = {
    "mode": "auto",
    "label": "uji antrean",
    "duty_start": "2024-02-14",
    "duty_end": "2024-02-15",
    "reserve_share": "0.2",
}
for _cat, (_p, _t, _l, _r) in {
    "kurang_rawan": (2, 16, 32, 4000),
    "rawan": (2, 6, 12, 2000),
    "sangat_rawan": (2, 1, 2, 500),
    "khusus": (2, 1, 2, 500),
}.items():
    FORM.update({f"{_cat}__police": _p, f"{_cat}__tps": _t, f"{_cat}__linmas": _l, f"{_cat}__tni": 0})
    FORM[f"{_cat}__radius_m"] = _r

# The worker closes and reopens its database connection around every task, as in production: these tests
# commit for real (a transactional test case) instead of running inside one rolled-back transaction.
pytestmark = pytest.mark.django_db(transaction=True)


def test_page_enqueues_the_plan_and_shows_its_status_until_done(client: Client, staffed: Staffed) -> None:
    client.force_login(staffed.j.users["command"])
    bad = client.post("/pengamanan/wilayah/33.20/", {**FORM, "rawan__tps": "0"})
    assert bad.status_code == 200 and "T harus ≥ 1" in bad.content.decode() and not PlanJob.objects.exists()
    made = client.post("/pengamanan/wilayah/33.20/", FORM)
    assert made.status_code == 302 and made["Location"] == "/pengamanan/wilayah/33.20/"
    job = PlanJob.objects.get()
    assert job.status == "queued" and not Plan.objects.exists()  # the request did not plan
    assert DBTaskResult.objects.filter(id=job.task_id, status="READY").exists()
    again = client.post("/pengamanan/wilayah/33.20/", FORM)  # one open job per regency
    assert again.status_code == 302 and PlanJob.objects.count() == 1
    fragment = client.get("/pengamanan/wilayah/33.20/pekerjaan/").content.decode()
    assert 'data-status="queued"' in fragment and 'hx-trigger="every 2s"' in fragment

    queue_run(worker_id="test-worker")  # what `linsek worker` does every loop

    job.refresh_from_db()
    plan = Plan.objects.get()
    assert job.status == "done" and job.plan == plan and job.seconds and job.seconds > 0
    assert plan.label == "uji antrean" and plan.summary["posts"] > 0
    assert DBTaskResult.objects.get(id=job.task_id).status == "SUCCESSFUL"
    fragment = client.get("/pengamanan/wilayah/33.20/pekerjaan/").content.decode()
    assert 'data-status="done"' in fragment and f"/pengamanan/rencana/{plan.id}/" in fragment
    assert "hx-trigger" not in fragment  # polling stops once nothing is open
    assert f"/pengamanan/rencana/{plan.id}/peta/" in client.get(f"/pengamanan/rencana/{plan.id}/").content.decode()


def test_failed_job_keeps_the_approved_plan_and_shows_the_error(client: Client, staffed: Staffed) -> None:
    approved = plan_approve(actor=None, plan=plan_generate(actor=None, regency=staffed.j.regency, now=NOW), now=NOW)
    _, [job] = plan_jobs_enqueue(actor=staffed.j.users["command"], regencies=[staffed.j.regency], now=NOW)
    broken = dict(approved.patterns)
    broken["patterns"] = [{**p, "tps": 0} for p in broken["patterns"]]
    PlanJob.objects.filter(id=job.id).update(patterns=broken)  # a row gone bad after it was checked
    queue_run(worker_id="test-worker")
    job.refresh_from_db()
    assert job.status == "failed" and "pola pengamanan tidak sah" in job.error and job.plan is None
    approved.refresh_from_db()
    assert approved.status == "approved" and Plan.objects.count() == 1
    client.force_login(staffed.j.users["command"])
    page = client.get("/pengamanan/wilayah/33.20/").content.decode()
    assert (
        'data-status="failed"' in page
        and "pola pengamanan tidak sah" in page
        and "Tidak ada rencana yang diubah" in page
    )


def test_a_job_runs_once_even_if_delivered_twice(staffed: Staffed) -> None:
    _, [job] = plan_jobs_enqueue(actor=None, regencies=[staffed.j.regency], now=NOW)
    first = plan_job_run(job_id=job.id, worker="a")
    second = plan_job_run(job_id=job.id, worker="b")
    assert first.status == second.status == "done" and second.worker == "a" and Plan.objects.count() == 1


def test_a_job_left_running_by_a_dead_worker_fails_and_frees_its_regency(client: Client, staffed: Staffed) -> None:
    _, [job] = plan_jobs_enqueue(actor=None, regencies=[staffed.j.regency], now=NOW)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    # the worker claimed the job, then was killed before it finished
    PlanJob.objects.filter(id=job.id).update(
        status="running", started_at=NOW, worker=f"{socket.gethostname()}:{dead.pid}"
    )
    client.force_login(staffed.j.users["command"])
    client.get("/pengamanan/wilayah/33.20/pekerjaan/")  # the page only reads: the sweep is the worker's
    job.refresh_from_db()
    assert job.status == "running"
    call_command("worker", once=True, verbosity=0)  # its periodic sweep (settings.LINSEK_PERIODIC_TASKS)
    job.refresh_from_db()
    assert job.status == "failed" and "Antrekan lagi" in job.error and Plan.objects.count() == 0
    assert DBTaskResult.objects.get(task_path="linsek.deploy.tasks.plan_jobs_orphans_task").return_value == {
        "failed": 1
    }
    _, again = plan_jobs_enqueue(actor=None, regencies=[staffed.j.regency], now=NOW)
    assert len(again) == 1  # the regency could be queued again


def test_a_job_of_a_live_worker_is_left_running(staffed: Staffed) -> None:
    _, [job] = plan_jobs_enqueue(actor=None, regencies=[staffed.j.regency], now=NOW)
    PlanJob.objects.filter(id=job.id).update(
        status="running", started_at=timezone.now(), worker=f"{socket.gethostname()}:{os.getpid()}"
    )
    call_command("worker", once=True, verbosity=0)
    job.refresh_from_db()
    assert job.status == "running"
    _, again = plan_jobs_enqueue(actor=None, regencies=[staffed.j.regency], now=NOW)
    job.refresh_from_db()
    assert job.status == "running" and again == []


def test_cli_queues_every_regency_and_reports_the_batch(staffed: Staffed, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("plan", "--all-regencies", "--mode", "full")
    out = capsys.readouterr().out
    batch = out.split()[1].rstrip(":")
    st = plan_jobs_status(batch=batch)
    assert st["total"] == 1 and st["counts"]["queued"] == 1  # jepara_small has one regency with TPS
    call_command("plan", "--all-regencies")  # the open job stands: nothing new
    assert PlanJob.objects.count() == 1
    queue_run(worker_id="test-worker")
    call_command("plan", "--status", batch, "--wait")
    out = capsys.readouterr().out
    assert "1 done, 0 failed, 0 running, 0 queued" in out and "p50" in out
    assert plan_jobs_status(batch=batch)["counts"]["done"] == 1


def test_a_failure_while_queueing_leaves_no_job_without_its_task(staffed: Staffed) -> None:
    province = staffed.j.regency.parent
    regencies = [staffed.j.regency] + [
        Region.objects.create(code=f"33.{71 + i}", name=f"Kota Uji {i}", level="regency", kind="kota", parent=province)
        for i in range(ENQUEUE_CHUNK + 5)
    ]
    calls = 0

    def fail_in_the_second_chunk(sender: Any, **kwargs: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == ENQUEUE_CHUNK + 3:
            raise RuntimeError("queue lost")

    task_enqueued.connect(fail_in_the_second_chunk, dispatch_uid="test-queue-lost")
    try:
        with pytest.raises(RuntimeError, match="queue lost"):
            plan_jobs_enqueue(actor=None, regencies=regencies, now=NOW)
    finally:
        task_enqueued.disconnect(dispatch_uid="test-queue-lost")
    jobs = list(PlanJob.objects.all())
    assert len(jobs) == ENQUEUE_CHUNK  # the first chunk stands, whole; the second left nothing behind
    tasks = set(DBTaskResult.objects.values_list("id", flat=True))
    assert all(j.status == "queued" and j.task_id and j.task_id in {str(t) for t in tasks} for j in jobs)
    assert len(tasks) == len(jobs)  # nor a task without its job
    _, again = plan_jobs_enqueue(actor=None, regencies=regencies, now=NOW)
    assert len(again) == 6  # the regencies of the failed chunk are not blocked
