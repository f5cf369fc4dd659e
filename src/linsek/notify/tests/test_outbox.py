"""The outbox: idempotent emission, at-least-once delivery with leases, retries, and the inbox."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail

from linsek.notify.models import Delivery, InboxItem, Notification
from linsek.notify.services import deliveries_claim, inbox_mark_read, notification_emit, notify_deliver
from tests.factories import UserFactory

T0 = datetime(2024, 2, 14, 3, 0, tzinfo=UTC)


@pytest.fixture
def people(db: Any, settings: Any) -> list[Any]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    a = UserFactory.create(username="a", email="a@example.test")
    b = UserFactory.create(username="b", email="")
    return [a, b]


def emit(people: list[Any], key: str | None = "k1", now: datetime = T0) -> Notification | None:
    return notification_emit(
        kind="test.event", subject="Uji", body="Isi", url="/x/", recipients=people, now=now, dedupe_key=key
    )


def test_emit_is_idempotent_with_a_key(people: list[Any]) -> None:
    first = emit(people)
    second = emit(people, now=T0 + timedelta(minutes=1))
    assert first is not None and second is not None and first.pk == second.pk
    assert Notification.objects.count() == 1 and Delivery.objects.count() == 4  # 2 users x 2 channels


def test_deliver_sends_in_app_and_email_and_skips_missing_addresses(people: list[Any]) -> None:
    emit(people)
    result = notify_deliver(now=T0, worker_id="w1")
    assert (result.claimed, result.sent, result.skipped) == (4, 3, 1)
    assert InboxItem.objects.filter(user__in=people).count() == 2
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["a@example.test"] and "/x/" in mail.outbox[0].body
    assert notify_deliver(now=T0 + timedelta(minutes=1), worker_id="w1").claimed == 0


def test_a_claimed_but_unsent_row_is_delivered_after_its_lease_expires(people: list[Any]) -> None:
    emit(people)
    # worker w1 claims everything, then "crashes" before delivering anything
    claimed = deliveries_claim(worker_id="w1", now=T0, lease=timedelta(minutes=5))
    assert len(claimed) == 4
    # while the lease holds, another worker finds nothing
    assert notify_deliver(now=T0 + timedelta(minutes=4), worker_id="w2").claimed == 0
    # after it expires, w2 picks them up and delivers each once
    result = notify_deliver(now=T0 + timedelta(minutes=6), worker_id="w2")
    assert (result.claimed, result.sent, result.skipped) == (4, 3, 1)
    rows = list(Delivery.objects.values_list("status", "claimed_by", "attempts"))
    assert (
        {r[0] for r in rows} == {"sent", "skipped"} and {r[1] for r in rows} == {"w2"} and {r[2] for r in rows} == {2}
    )
    assert InboxItem.objects.count() == 2 and len(mail.outbox) == 1


def test_claims_of_a_dead_local_worker_are_freed_at_once(people: list[Any]) -> None:
    emit(people)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    dead_id = f"{socket.gethostname()}:{dead.pid}"
    alive_id = f"{socket.gethostname()}:{os.getpid()}"
    claimed_dead = deliveries_claim(worker_id=dead_id, now=T0, limit=2, lease=timedelta(minutes=5))
    claimed_alive = deliveries_claim(worker_id=alive_id, now=T0, limit=2, lease=timedelta(minutes=5))
    assert len(claimed_dead) == 2 and len(claimed_alive) == 2
    # a minute later, long before the lease ends: the dead worker's rows are delivered, the live one's are not touched
    result = notify_deliver(now=T0 + timedelta(minutes=1), worker_id="w2")
    assert result.claimed == 2
    assert set(Delivery.objects.filter(claimed_by="w2").values_list("id", flat=True)) == set(claimed_dead)
    assert Delivery.objects.filter(claimed_by=alive_id, status="claimed").count() == 2


def test_a_late_worker_cannot_mark_a_row_it_no_longer_holds(people: list[Any]) -> None:
    emit([people[0]])
    deliveries_claim(worker_id="w1", now=T0, lease=timedelta(minutes=5))
    notify_deliver(now=T0 + timedelta(minutes=6), worker_id="w2")
    # w1 wakes up and tries to finish: its conditional update finds nothing to change
    assert Delivery.objects.filter(claimed_by="w1").count() == 0


def test_failures_are_retried_with_backoff_then_given_up(people: list[Any], settings: Any) -> None:
    settings.EMAIL_BACKEND = "linsek.notify.tests.test_outbox.FailingBackend"
    emit([people[0]])
    first = notify_deliver(now=T0, worker_id="w1")
    assert (first.sent, first.failed) == (1, 1)  # in-app delivered; e-mail failed
    row = Delivery.objects.get(channel="email")
    assert row.status == "pending" and row.available_at > T0 and "refused" in row.last_error
    assert notify_deliver(now=T0 + timedelta(seconds=30), worker_id="w1").claimed == 0  # back-off
    now = T0
    for _ in range(10):
        now += timedelta(hours=6)
        notify_deliver(now=now, worker_id="w1", max_attempts=3)
    assert Delivery.objects.get(channel="email").status == "dead"


class FailingBackend:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: Any) -> int:
        raise ConnectionRefusedError("smtp refused")


def test_inbox_mark_read(people: list[Any]) -> None:
    emit(people)
    notify_deliver(now=T0)
    assert inbox_mark_read(user=people[0], now=T0) == 1
    assert InboxItem.objects.get(user=people[0]).read_at == T0
    assert InboxItem.objects.get(user=people[1]).read_at is None


def test_unknown_channel_is_refused(people: list[Any]) -> None:
    with pytest.raises(ValueError, match="channel"):
        notification_emit(kind="x", subject="x", recipients=people, now=T0, channels=["pigeon"])


class FlakyBackend:
    """Refuses the messages to one address, delivers the others (kept in ``sent``)."""

    sent: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def send_messages(self, messages: Any) -> int:
        for message in messages:
            if message.to == ["refuse@example.test"]:
                raise ConnectionRefusedError("smtp refused")
            FlakyBackend.sent.extend(message.to)
        return len(messages)


def test_a_batch_delivers_each_once_and_marks_around_a_failure(db: Any, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "linsek.notify.tests.test_outbox.FlakyBackend"
    FlakyBackend.sent = []
    users = [UserFactory.create(username=f"u{i}", email=f"u{i}@example.test") for i in range(45)]
    users[30].email = "refuse@example.test"
    users[30].save()
    note = emit(users)
    assert note is not None
    # one inbox item is there already (an earlier delivery whose mark was lost): it stays as it was
    InboxItem.objects.create(user=users[0], notification=note, created_at=T0, read_at=T0)
    result = notify_deliver(now=T0, worker_id="w1")
    assert (result.claimed, result.sent, result.failed) == (90, 89, 1)
    assert InboxItem.objects.filter(notification=note).count() == 45
    assert InboxItem.objects.get(user=users[0]).read_at == T0
    assert sorted(FlakyBackend.sent) == sorted(u.email for u in users if u.email != "refuse@example.test")
    failed = Delivery.objects.get(status="pending")
    assert failed.user_id == users[30].pk and failed.channel == "email" and "refused" in failed.last_error
    assert Delivery.objects.filter(status="sent").count() == 89


def test_in_app_delivery_takes_the_same_queries_for_many_recipients(
    db: Any, settings: Any, django_assert_max_num_queries: Any
) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    users = [UserFactory.create(username=f"v{i}", email="") for i in range(150)]
    notification_emit(kind="test.event", subject="Uji", recipients=users, now=T0, channels=["inapp"])
    with django_assert_max_num_queries(12):
        result = notify_deliver(now=T0, worker_id="w1")
    assert (result.claimed, result.sent) == (150, 150)
    assert InboxItem.objects.count() == 150
