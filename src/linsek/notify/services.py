"""Writes of the notify app: emitting notifications into the outbox, and delivering them.

Any domain emits through :func:`notification_emit` (one) or :func:`notifications_emit_many` (a batch, for
watchers); :func:`notify_deliver` is the delivery worker's whole job: claim a batch with a lease, send each
through its channel, mark it sent. Pass ``now``: the clock is the caller's, so tests and the demo control it.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction

from linsek.notify.channels import CHANNELS, BatchChannel, DeliveryFailed
from linsek.notify.models import Delivery, InboxItem, Notification

log = logging.getLogger(__name__)

DEFAULT_CHANNELS = (Delivery.Channel.INAPP.value, Delivery.Channel.EMAIL.value)
DEFAULT_LEASE = timedelta(minutes=5)
MAX_ATTEMPTS = 6


@dataclass(frozen=True, slots=True)
class NotificationDraft:
    """A notification to emit, with its recipients (user ids) and channels."""

    kind: str
    subject: str
    recipients: Sequence[int]
    body: str = ""
    url: str = ""
    severity: str = Notification.Severity.INFO.value
    object_type: str = ""
    object_id: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    dedupe_key: str | None = None
    channels: Sequence[str] = DEFAULT_CHANNELS


def notifications_emit_many(drafts: Sequence[NotificationDraft], *, now: datetime) -> int:
    """Put a batch of notifications and their deliveries in the outbox; drafts whose ``dedupe_key``
    was already emitted are left out (an emitter may run twice). Returns how many were new."""
    if not drafts:
        return 0
    unknown = {c for d in drafts for c in d.channels} - CHANNELS.keys()
    if unknown:
        raise ValueError(f"unknown notification channel(s): {sorted(unknown)}")
    with transaction.atomic():
        keys = [d.dedupe_key for d in drafts if d.dedupe_key]
        seen: set[str] = set()
        for i in range(0, len(keys), 900):
            found = Notification.objects.filter(dedupe_key__in=keys[i : i + 900]).values_list("dedupe_key", flat=True)
            seen.update(k for k in found if k)
        fresh: list[NotificationDraft] = []
        for d in drafts:
            if d.dedupe_key and d.dedupe_key in seen:
                continue
            if d.dedupe_key:
                seen.add(d.dedupe_key)
            fresh.append(d)
        rows = Notification.objects.bulk_create(
            [
                Notification(
                    kind=d.kind,
                    severity=d.severity,
                    subject=d.subject[:200],
                    body=d.body,
                    url=d.url,
                    object_type=d.object_type,
                    object_id=d.object_id,
                    data=d.data,
                    dedupe_key=d.dedupe_key,
                    created_at=now,
                )
                for d in fresh
            ],
            batch_size=2000,
        )
        groups: dict[tuple[tuple[int, ...], tuple[str, ...]], list[int]] = {}
        for n, d in zip(rows, fresh, strict=True):
            groups.setdefault((tuple(dict.fromkeys(d.recipients)), tuple(d.channels)), []).append(n.pk)
        for (users, channels), ids in groups.items():
            _deliveries_insert(notification_ids=ids, user_ids=list(users), channels=list(channels), now=now)
    return len(fresh)


def _deliveries_insert(*, notification_ids: list[int], user_ids: list[int], channels: list[str], now: datetime) -> None:
    """Outbox rows for notifications × recipients × channels in few statements: a watcher can owe hundreds of
    thousands. PostgreSQL fans out server-side (``unnest`` × ``unnest``); SQLite runs one prepared statement
    with ``executemany`` (its 999-parameter limit would cut a multi-row INSERT into thousands of statements)."""
    if not notification_ids or not user_ids or not channels:
        return
    qn = connection.ops.quote_name
    columns = [
        "notification_id", "user_id", "channel", "status", "attempts", "available_at", "claimed_by", "last_error",
    ]  # fmt: skip
    # table and column names come from the model; every value is a parameter
    head = f"INSERT INTO {qn(Delivery._meta.db_table)} ({', '.join(qn(c) for c in columns)}) "
    pending = Delivery.Status.PENDING.value
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            fan_out = (
                "SELECT n.id, u.id, c.ch, %s, 0, %s, '', '' FROM unnest(%s::bigint[]) AS n(id) "
                "CROSS JOIN unnest(%s::bigint[]) AS u(id) CROSS JOIN unnest(%s::text[]) AS c(ch)"
            )
            for i in range(0, len(notification_ids), 50_000):
                chunk = notification_ids[i : i + 50_000]
                cursor.execute(head + fan_out, [pending, now, chunk, user_ids, channels])
        else:
            at = connection.ops.adapt_datetimefield_value(now)
            values = f"VALUES ({', '.join(['%s'] * len(columns))})"
            rows = [(n, u, c, pending, 0, at, "", "") for n in notification_ids for u in user_ids for c in channels]
            for i in range(0, len(rows), 20_000):
                cursor.executemany(head + values, rows[i : i + 20_000])


def notification_emit(
    *,
    kind: str,
    subject: str,
    recipients: Iterable[Any],
    now: datetime,
    body: str = "",
    url: str = "",
    severity: str = Notification.Severity.INFO.value,
    object_type: str = "",
    object_id: str | int = "",
    data: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
    channels: Sequence[str] = DEFAULT_CHANNELS,
) -> Notification | None:
    """Emit one notification to users (or user ids); returns it, or the earlier one with the same key."""
    ids = [getattr(r, "pk", r) for r in recipients]
    draft = NotificationDraft(
        kind=kind,
        subject=subject,
        recipients=ids,
        body=body,
        url=url,
        severity=severity,
        object_type=object_type,
        object_id=str(object_id),
        data=data or {},
        dedupe_key=dedupe_key,
        channels=channels,
    )
    notifications_emit_many([draft], now=now)
    if dedupe_key:
        return Notification.objects.filter(dedupe_key=dedupe_key).first()
    return Notification.objects.filter(kind=kind, created_at=now, subject=subject[:200]).order_by("-id").first()


def worker_id_default() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def worker_gone(worker_id: str) -> bool:
    """Whether a worker id (``host:pid``, :func:`worker_id_default`) names a process of this machine that is gone.

    False when it cannot be told: another machine's worker, or an id cut at 64 characters.
    """
    holder_host, _, pid = worker_id.rpartition(":")
    complete = len(worker_id) < 64  # an id cut at 64 characters may have lost digits of its pid
    return complete and holder_host == socket.gethostname() and pid.isdigit() and not _process_alive(int(pid))


def deliveries_release_dead(*, now: datetime) -> int:
    """Free at once the claims of workers on this machine whose process is gone (killed, crashed).

    Without this, what a killed worker had claimed waits for its lease to run out (minutes) — too long
    for a critical report's notification. Claims of other machines' workers, or of a process id that has
    been reused, still fall back on the lease. Returns how many deliveries were freed.
    """
    holders = (
        Delivery.objects.filter(status=Delivery.Status.CLAIMED, lease_until__gte=now)
        .values_list("claimed_by", flat=True)
        .distinct()
    )
    dead = [holder for holder in holders if worker_gone(holder)]
    if not dead:
        return 0
    freed: int = Delivery.objects.filter(status=Delivery.Status.CLAIMED, claimed_by__in=dead).update(
        status=Delivery.Status.PENDING, lease_until=None, available_at=now
    )
    log.warning("notify: freed %d deliveries claimed by dead workers %s", freed, ", ".join(dead))
    return freed


def deliveries_claim(*, worker_id: str, now: datetime, limit: int = 200, lease: timedelta = DEFAULT_LEASE) -> list[int]:
    """Claim up to ``limit`` deliveries that are due, or whose earlier claim's lease has expired.

    PostgreSQL: ``FOR UPDATE SKIP LOCKED`` lets several workers claim disjoint batches. SQLite: the
    transaction is IMMEDIATE (settings), so claimers take turns.
    """
    with transaction.atomic():
        due = Delivery.objects.filter(status=Delivery.Status.PENDING, available_at__lte=now)
        stale = Delivery.objects.filter(status=Delivery.Status.CLAIMED, lease_until__lt=now)
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
            stale = stale.select_for_update(skip_locked=True)
        ids = list(due.order_by("id").values_list("id", flat=True)[:limit])
        if len(ids) < limit:
            ids += list(stale.order_by("id").values_list("id", flat=True)[: limit - len(ids)])
        if ids:
            from django.db.models import F

            Delivery.objects.filter(id__in=ids).update(
                status=Delivery.Status.CLAIMED,
                claimed_by=worker_id,
                lease_until=now + lease,
                attempts=F("attempts") + 1,
            )
    return ids


@dataclass
class DeliverResult:
    claimed: int = 0
    sent: int = 0
    skipped: int = 0
    failed: int = 0
    dead: int = 0


MARK_EVERY = 20  # an outside channel's sends are marked in groups this size: a crash re-sends at most these


def notify_deliver(
    *,
    now: datetime,
    worker_id: str | None = None,
    limit: int = 200,
    lease: timedelta = DEFAULT_LEASE,
    max_attempts: int = MAX_ATTEMPTS,
) -> DeliverResult:
    """One pass of the delivery worker: claim, send, mark sent (or schedule a retry, or give up).

    A channel that writes only to our database (the in-app inbox) delivers its whole share of the batch in the
    transaction that marks it sent: exactly once. A channel that leaves the machine (e-mail, SMS) sends one by
    one and its sends are marked every :data:`MARK_EVERY`: at least once, and a crash re-sends at most that many.
    On election day the outbox holds tens of thousands of deliveries; one transaction each kept the worker
    (and the database) busy long after the burst.
    """
    worker_id = worker_id or worker_id_default()
    result = DeliverResult()
    deliveries_release_dead(now=now)
    ids = deliveries_claim(worker_id=worker_id, now=now, limit=limit, lease=lease)
    result.claimed = len(ids)
    if not ids:
        return result
    related = {"notification", "user"} | {r for c in CHANNELS.values() for r in c.related}
    by_channel: dict[str, list[Delivery]] = {}
    for delivery in Delivery.objects.filter(id__in=ids, claimed_by=worker_id).select_related(*related).order_by("id"):
        by_channel.setdefault(delivery.channel, []).append(delivery)
    for code, batch in by_channel.items():
        channel = CHANNELS.get(code)
        if channel is None:
            for delivery in batch:
                _delivery_failed(delivery, DeliveryFailed(f"no channel '{code}'"), worker_id, now, max_attempts, result)
        elif isinstance(channel, BatchChannel):
            with transaction.atomic():
                outcomes = channel.send_many(batch)
                _deliveries_mark(outcomes, worker_id, now, result)
        else:
            outcomes = {}
            for delivery in batch:
                try:
                    outcomes[delivery.pk] = channel.send(delivery)
                except DeliveryFailed as exc:
                    _delivery_failed(delivery, exc, worker_id, now, max_attempts, result)
                if len(outcomes) >= MARK_EVERY:
                    _deliveries_mark(outcomes, worker_id, now, result)
                    outcomes = {}
            _deliveries_mark(outcomes, worker_id, now, result)
    return result


def _deliveries_mark(outcomes: dict[int, str], worker_id: str, now: datetime, result: DeliverResult) -> None:
    """Mark delivered ones sent (or skipped: nothing to send to), if this worker still holds their claim."""
    for outcome, status in (("sent", Delivery.Status.SENT), ("skipped", Delivery.Status.SKIPPED)):
        done = [pk for pk, o in outcomes.items() if o == outcome]
        if done:
            Delivery.objects.filter(pk__in=done, claimed_by=worker_id, status=Delivery.Status.CLAIMED).update(
                status=status, sent_at=now, lease_until=None, last_error=""
            )
            if outcome == "sent":
                result.sent += len(done)
            else:
                result.skipped += len(done)


def _delivery_failed(
    delivery: Delivery, exc: DeliveryFailed, worker_id: str, now: datetime, max_attempts: int, result: DeliverResult
) -> None:
    """Schedule a retry with exponential back-off, or give up after ``max_attempts``."""
    give_up = delivery.attempts >= max_attempts
    Delivery.objects.filter(pk=delivery.pk, claimed_by=worker_id).update(
        status=Delivery.Status.DEAD if give_up else Delivery.Status.PENDING,
        available_at=now + timedelta(minutes=2 ** min(delivery.attempts, 8)),
        lease_until=None,
        last_error=str(exc)[:300],
    )
    log.warning("delivery %s failed (attempt %s): %s", delivery.pk, delivery.attempts, exc)
    result.dead += int(give_up)
    result.failed += int(not give_up)


def inbox_mark_read(*, user: Any, now: datetime, item_ids: Sequence[int] | None = None) -> int:
    """Mark the user's inbox items read (all unread ones when ``item_ids`` is None)."""
    items = InboxItem.objects.filter(user=user, read_at__isnull=True)
    if item_ids is not None:
        items = items.filter(id__in=item_ids)
    return items.update(read_at=now)
