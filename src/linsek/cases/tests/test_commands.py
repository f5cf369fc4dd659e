"""`linsek cases …`, `linsek worker` (django-tasks queue with a controlled clock) and the demo loader."""

from __future__ import annotations

import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django_tasks_db.models import DBTaskResult

from linsek.cases.demo import cases_demo_load
from linsek.cases.models import Case
from linsek.cases.selectors import cases_visible_to
from linsek.cases.tests.conftest import Gakkumdu, register, wib
from linsek.notify.models import Delivery, InboxItem, Notification


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_deadline_command() -> None:
    text = run("cases", "deadline", "--rule", "registration.report", "--start", "2024-02-09 10:00")
    assert "due: 2024-02-21T23:59:59+07:00" in text and "Rabu, 14 Februari 2024" in text
    data = json.loads(run("cases", "deadline", "--rule", "forwarding", "--start", "2024-02-13 15:30", "--json"))
    assert data["due"] == "2024-02-14T15:30:00+07:00"


@pytest.mark.parametrize(
    "args",
    [
        ["--rule", "nope", "--start", "2024-02-09 10:00"],
        ["--rule", "7d", "--start", "9 Feb"],
        ["--rule", "7d", "--start", "2024-02-09 10:00", "--zone", "Mars/Olympus"],
    ],
)
def test_deadline_command_refuses_bad_input(args: list[str]) -> None:
    with pytest.raises(CommandError):
        run("cases", "deadline", *args)


def test_worker_runs_the_watcher_and_delivery_through_django_tasks(transactional_db: Any, gakkumdu: Gakkumdu) -> None:
    """Transactional: the worker closes stale connections between loops, as it must in production."""
    case = register(gakkumdu, now=wib(2024, 2, 12, 9))
    review = case.stages.get(code="review")
    assert review.due_at is not None
    later = (review.due_at + timedelta(minutes=5)).isoformat()
    run("worker", "--once", "--now", later)
    # both periodic tasks were enqueued through the django-tasks API and run by the database worker
    done = set(DBTaskResult.objects.filter(status="SUCCESSFUL").values_list("task_path", flat=True))
    assert {"linsek.cases.tasks.cases_watch_task", "linsek.notify.tasks.notify_deliver_task"} <= done
    n = Notification.objects.get(dedupe_key=f"case-stage:{review.pk}:100")
    assert not Delivery.objects.filter(notification=n, status__in=["pending", "claimed"]).exists()
    assert InboxItem.objects.filter(user=gakkumdu.police_user, notification=n).exists()
    run("worker", "--once", "--now", later)
    assert Notification.objects.filter(kind="case.deadline").count() == 1


def test_worker_refuses_a_naive_clock(db: Any) -> None:
    with pytest.raises(CommandError, match="offset"):
        run("worker", "--once", "--now", "2024-02-20T09:00")


def test_demo_cases_load_once_in_different_stages_and_only_gakkumdu_sees_them(gakkumdu: Gakkumdu) -> None:
    from linsek.regions.models import Region

    # the demo places cases in Mayong and Karimunjawa; the small fixture has both
    assert Region.objects.filter(code__in=["33.20.04", "33.20.10"]).count() == 2
    now = wib(2024, 3, 1, 9)
    cases = cases_demo_load(now=now)
    again = cases_demo_load(now=now)
    assert [c.pk for c in cases] == [c.pk for c in again] and Case.objects.count() == 6
    stages = {c.stage for c in cases}
    assert {"review", "forwarding", "investigation", "prosecution", "court_trial", "closed_administrative"} == stages
    fwd = next(c for c in cases if c.stage == "forwarding")
    assert fwd.current_due_at == now - timedelta(hours=20) + timedelta(hours=24)  # right to the hour
    assert cases_visible_to(gakkumdu.j.users["viewer"]).count() == 0
    assert cases_visible_to(gakkumdu.court_user).count() == 1  # only the filed one
    assert cases_visible_to(gakkumdu.bawaslu_user).count() == 6
