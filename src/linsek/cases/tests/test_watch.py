"""Watching deadlines with a controllable clock: notifications at 50 %, 80 % and 100 %, each exactly once."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core import mail

from linsek.cases.models import CaseStage
from linsek.cases.tests.conftest import Gakkumdu, register, step, walk, wib
from linsek.cases.watch import cases_watch
from linsek.notify.models import Delivery, InboxItem, Notification
from linsek.notify.services import notify_deliver


def test_notifications_at_50_80_and_100_percent_delivered_once(gakkumdu: Gakkumdu) -> None:
    # investigation: 14 days from 14 Feb 2024 12:00 WIB → due 28 Feb 23:59:59 WIB (347 h 59 m 59 s)
    case = register(gakkumdu, now=wib(2024, 2, 12, 9))
    walk(gakkumdu, case, "forwarding", now=wib(2024, 2, 13, 12))
    stage = step(gakkumdu, case, "investigation", now=wib(2024, 2, 14, 12))
    assert stage.due_at is not None
    span = stage.due_at - stage.started_at
    readers = {
        gakkumdu.bawaslu_user.pk,
        gakkumdu.police_user.pk,
        gakkumdu.prosecutor_user.pk,
        gakkumdu.j.users["command"].pk,
    }

    def at(share: float) -> datetime:
        return stage.started_at + span * share

    # the review stages earlier in the walk ended before any threshold: nothing pending for them
    assert cases_watch(now=at(0.49)).notified == 0
    assert Notification.objects.count() == 0

    for share, percent in ((0.5, 50), (0.8, 80), (1.0, 100)):
        first = cases_watch(now=at(share) + timedelta(seconds=1))
        again = cases_watch(now=at(share) + timedelta(minutes=1))
        assert (first.notified, again.notified) == (1, 0), percent
        n = Notification.objects.get(dedupe_key=f"case-stage:{stage.pk}:{percent}")
        assert n.data["percent"] == percent and case.number in n.subject
        recipients = set(Delivery.objects.filter(notification=n).values_list("user_id", flat=True))
        assert recipients == readers  # the court is not told before filing, outsiders never
        result = notify_deliver(now=at(share) + timedelta(minutes=2))
        # in-app for every reader, e-mail for those with an address (the command user has none: skipped)
        assert (result.sent, result.skipped, result.failed) == (len(readers) * 2 - 1, 1, 0)
        assert notify_deliver(now=at(share) + timedelta(minutes=3)).claimed == 0

    assert Notification.objects.filter(kind="case.deadline").count() == 3
    overdue = Notification.objects.get(dedupe_key=f"case-stage:{stage.pk}:100")
    assert overdue.severity == "critical" and "LEWAT TENGGAT" in overdue.subject
    assert InboxItem.objects.filter(user=gakkumdu.police_user).count() == 3
    assert len(mail.outbox) == 3 * 3  # 3 notifications x 3 readers with an address
    assert CaseStage.objects.get(pk=stage.pk).next_alert_at is None


def test_a_watcher_that_was_down_sends_only_the_highest_threshold(gakkumdu: Gakkumdu) -> None:
    case = register(gakkumdu, now=wib(2024, 2, 12, 9))
    review = case.stages.get(code="review")
    assert review.due_at is not None
    assert cases_watch(now=review.due_at + timedelta(hours=1)).notified == 1
    assert list(Notification.objects.values_list("data__percent", flat=True)) == [100]
    assert cases_watch(now=review.due_at + timedelta(days=3)).notified == 0


def test_an_ended_stage_is_no_longer_watched(gakkumdu: Gakkumdu) -> None:
    case = register(gakkumdu, now=wib(2024, 2, 12, 9))
    review = case.stages.get(code="review")
    step(gakkumdu, case, "gakkumdu_1", now=wib(2024, 2, 12, 10))
    assert review.due_at is not None
    # gakkumdu_1 shares the review's due moment and is watched instead; the review itself is not
    result = cases_watch(now=review.due_at + timedelta(hours=1))
    keys = list(Notification.objects.values_list("dedupe_key", flat=True))
    assert result.notified == 1 and keys == [f"case-stage:{case.stages.get(code='gakkumdu_1').pk}:100"]


def test_the_court_is_notified_from_filing_on(gakkumdu: Gakkumdu) -> None:
    case = register(gakkumdu, now=wib(2024, 2, 12, 9))
    walk(gakkumdu, case, "court_trial", now=wib(2024, 2, 13, 9))
    trial = case.stages.get(code="court_trial")
    assert trial.due_at is not None
    cases_watch(now=trial.due_at)
    n = Notification.objects.get(dedupe_key=f"case-stage:{trial.pk}:100")
    assert Delivery.objects.filter(notification=n, user=gakkumdu.court_user).exists()
