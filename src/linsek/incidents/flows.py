"""Background flows over many reports: escalation of unacknowledged ones, and notifying recipients.

Both run in the worker (``incidents.tasks``) on the clock they are given, in batches, and are safe to
run twice or concurrently: escalation locks the rows it takes (``SKIP LOCKED`` on PostgreSQL) and
re-checks them; notification is keyed (``dedupe_key``) in notify's outbox and marks ``notified_at`` in
the same transaction, so a crash between the two repeats the work instead of losing it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction

from linsek.audit.services import audit_append
from linsek.incidents import reference
from linsek.incidents.models import Report, ReportEvent, ReportRecipient
from linsek.incidents.routing import Place, escalation_target
from linsek.incidents.rules import escalation_rules, taxonomy
from linsek.live.bus import publish

NOTIFY_ROLES = ("command", "liaison", "area_officer")
SEVERITY_NAMES = {1: "info", 2: "sedang", 3: "tinggi", 4: "KRITIS"}


@dataclass
class EscalationResult:
    escalated: int = 0
    exhausted: int = 0


def reports_escalate(*, now: datetime, limit: int = 200) -> EscalationResult:
    """Escalate every new report whose acknowledgement time has passed, one step up the lead's hierarchy."""
    rules = escalation_rules()
    directory = reference.DIRECTORY.get()
    result = EscalationResult()
    changed: list[int] = []
    with transaction.atomic():
        due = Report.objects.filter(status="new", ack_due_at__lte=now).order_by("ack_due_at")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        reports = list(due[:limit])
        if not reports:
            return result
        recipients: dict[int, list[tuple[int, str]]] = {}
        for report_id, org_id, role in (
            ReportRecipient.objects.filter(report__in=reports)
            .order_by("added_at", "id")
            .values_list("report_id", "organisation_id", "role")
        ):
            recipients.setdefault(report_id, []).append((org_id, role))
        drafts: list[Any] = []
        for report in reports:
            rows = recipients.get(report.pk, [])
            escalated = [org for org, role in rows if role == "escalated"]
            current = escalated[-1] if escalated else report.lead_org_id
            place = Place(report.village_id, report.district_id, report.regency_id, report.province_id)
            target = None
            if current is not None and report.escalation_level < rules.max_levels:
                target = escalation_target(
                    org_id=current,
                    place=place,
                    directory=directory,
                    exclude=[o for o, r in rows if r in ("lead", "escalated")],
                )
            if target is None:
                report.ack_due_at = None  # nobody above: stays on the command post's board, no more timers
                report.save(update_fields=["ack_due_at"])
                result.exhausted += 1
                ReportEvent.objects.create(
                    report=report,
                    at=now,
                    actor_label="system",
                    action="escalation_exhausted",
                    from_status="new",
                    to_status="new",
                    note="tidak ada tingkat lebih tinggi untuk eskalasi",
                )
                continue
            ReportRecipient.objects.update_or_create(
                report=report, organisation_id=target.id, defaults={"role": "escalated", "added_at": now}
            )
            report.escalation_level += 1
            report.ack_due_at = now + timedelta(minutes=rules.ack_minutes[report.severity])
            report.updated_at = now
            report.save(update_fields=["escalation_level", "ack_due_at", "updated_at"])
            note = f"belum diterima dalam batas waktu; dieskalasi ke {target.name} (tingkat {report.escalation_level})"
            ReportEvent.objects.create(
                report=report,
                at=now,
                actor_label="system",
                action="escalated",
                from_status="new",
                to_status="new",
                note=note,
                data={"to": target.id, "level": report.escalation_level},
            )
            audit_append(
                action="report.escalate",
                actor=None,
                object_type="incidents.report",
                object_id=report.pk,
                data={"to": target.id, "level": report.escalation_level, "from": current},
                now=now,
            )
            drafts.append(
                _draft(report, [target.id], _users_of([target.id]), kind="report.escalated", subject_prefix="ESKALASI")
            )
            changed.append(report.pk)
            result.escalated += 1
        _emit(drafts, now=now)
        if changed:
            transaction.on_commit(lambda: _publish(changed))
    return result


def _publish(report_ids: list[int]) -> None:
    from linsek.incidents.services import report_live_event

    publish(
        [
            report_live_event(r)
            for r in Report.objects.filter(pk__in=report_ids).select_related("lead_org", "handled_by")
        ]
    )


def _users_of(org_ids: Iterable[int]) -> dict[int, list[int]]:
    from linsek.accounts.models import User

    out: dict[int, list[int]] = {}
    for user_id, org_id in (
        User.objects.filter(organisation_id__in=list(org_ids), is_active=True, roles__code__in=NOTIFY_ROLES)
        .values_list("id", "organisation_id")
        .distinct()
    ):
        out.setdefault(org_id, []).append(user_id)
    return out


def _draft(
    report: Report, org_ids: list[int], users_by_org: dict[int, list[int]], *, kind: str, subject_prefix: str
) -> Any:
    from linsek.notify.services import NotificationDraft

    users = [u for org in org_ids for u in users_by_org.get(org, [])]
    kind_name = taxonomy().kinds[report.kind].name_id if report.kind in taxonomy().kinds else report.kind
    severity = "critical" if report.severity >= 4 else "warning" if report.severity == 3 else "info"
    channels = ["inapp", "email"] + (["sms"] if report.severity >= 3 else [])
    return NotificationDraft(
        kind=kind,
        subject=f"{subject_prefix} L{report.pk}: {kind_name} ({SEVERITY_NAMES.get(report.severity, '')})",
        recipients=users,
        body=(report.title or report.description)[:500],
        url=f"/laporan/{report.pk}/",
        severity=severity,
        object_type="incidents.report",
        object_id=str(report.pk),
        dedupe_key=f"{kind}:{report.pk}:{report.escalation_level}",
        channels=channels,
    )


def _emit(drafts: list[Any], *, now: datetime) -> None:
    from linsek.notify.services import notifications_emit_many

    drafts = [d for d in drafts if d.recipients]
    if drafts:
        notifications_emit_many(drafts, now=now)


def reports_notify(*, now: datetime, limit: int | None = None, pool: DuplicatePool | None = None) -> int:
    """Put routed-report notifications in notify's outbox for reports not yet notified, and suggest duplicates.

    Returns how many reports. Passing the same ``pool`` to the passes of one run keeps the duplicate search's
    pool between them: in an election-day burst, rereading the open reports of the window every pass fell behind.
    Each report is written once per pass: ``notified_at`` and the suggested duplicate in one UPDATE. (A report
    row carries many indexes and ``notified_at`` is in one's predicate, so every update of it writes a new entry in
    each: two updates a report cost the database as much as the intake's insert did.) On PostgreSQL the pass's
    reports are locked (``SKIP LOCKED``, so concurrent workers share the work) and searched inside the
    transaction, which blocks nobody; on SQLite (one writer at a time) the search runs before the short write
    transaction, so the intake is not held up behind it, and the write keeps only the reports still unnotified.
    """
    if limit is None:
        limit = NOTIFY_PASS_SQLITE if connection.vendor == "sqlite" else NOTIFY_PASS
    pool = pool if pool is not None else DuplicatePool()
    locking = connection.features.has_select_for_update_skip_locked
    with transaction.atomic() if locking else contextlib.nullcontext():
        # What the notification and the duplicate search read; the rest (the routing record above all) is not
        # decoded for thousands of reports a pass.
        needed = ("kind", "severity", "status", "title", "description", "observed_at", "tps", "lat", "lon")
        # The most severe first: when the worker falls behind in a burst, a riot is not queued behind the
        # reports of a quiet morning.
        pending = Report.objects.filter(notified_at__isnull=True).only(*needed, "escalation_level")
        pending = pending.order_by("-severity", "id")
        if locking:
            pending = pending.select_for_update(skip_locked=True)
        reports = list(pending[:limit])
        if not reports:
            return 0
        suggestion = _duplicates_find(reports, pool)
        with transaction.atomic(savepoint=False):
            if not locking:  # another worker may have notified some meanwhile
                ids = [r.pk for r in reports]
                still = set(Report.objects.filter(pk__in=ids, notified_at__isnull=True).values_list("pk", flat=True))
                reports = [r for r in reports if r.pk in still]
            receivers: dict[int, list[int]] = {}
            for report_id, org_id in ReportRecipient.objects.filter(
                report__in=reports, role__in=("lead", "support", "escalated")
            ).values_list("report_id", "organisation_id"):
                receivers.setdefault(report_id, []).append(org_id)
            users_by_org = _users_of({org for orgs in receivers.values() for org in orgs})
            drafts = [
                _draft(r, receivers.get(r.pk, []), users_by_org, kind="report.routed", subject_prefix="Laporan baru")
                for r in reports
                if r.status == "new"
            ]
            _emit(drafts, now=now)
            _reports_mark_notified([r.pk for r in reports], suggestion, now=now)
    return len(reports)


NOTIFY_PASS = 2000
NOTIFY_PASS_SQLITE = 250
OPEN_FOR_DUPLICATES = ("new", "acknowledged", "verified", "in_handling")
DUPLICATE_POOL_MAX = 200_000


@dataclass
class DuplicatePool:
    """The open reports a new report may duplicate, kept across the passes of one notification run.

    The first pass reads the open reports of the time window and indexes them; later passes read and index only
    the reports added since (by id). A report closed meanwhile may still be suggested for the rest of the run: a
    suggestion is only that, a person confirms or dismisses it. A target observed before the window read at first
    makes a full reread.
    """

    since: datetime | None = None
    max_id: int = 0
    facts: dict[int, Any] = field(default_factory=dict)
    index: Any = None  # picture.DuplicateIndex of facts


def _duplicates_find(reports: list[Report], pool: DuplicatePool) -> dict[int, int]:
    """For each new report, an older open report it looks like (same kind, near, close in time), if any.

    The suggestion is shown in lists and confirmed or dismissed by a person.
    """
    from linsek.incidents.picture import DupFacts, DuplicateIndex, duplicate_suggestions_in
    from linsek.incidents.rules import intake_limits

    if not reports:
        return {}
    limits = intake_limits()
    window = timedelta(minutes=limits.duplicate_window_minutes)
    targets = [DupFacts(r.pk, r.kind, r.observed_at, r.tps_id, r.lat, r.lon) for r in reports]
    earliest = min(t.observed_at for t in targets) - window
    rows = Report.objects.filter(status__in=OPEN_FOR_DUPLICATES)
    reread = pool.since is None or earliest < pool.since or len(pool.facts) > DUPLICATE_POOL_MAX
    if reread:
        pool.since, pool.max_id = earliest, 0
        pool.facts.clear()
        rows = rows.filter(observed_at__gte=earliest)
    else:
        rows = rows.filter(id__gt=pool.max_id, observed_at__gte=pool.since)
    new = [DupFacts(*row) for row in rows.values_list("id", "kind", "observed_at", "tps_id", "lat", "lon")]
    for facts in new[:DUPLICATE_POOL_MAX]:
        pool.facts[facts.id] = facts
        pool.max_id = max(pool.max_id, facts.id)
    index = pool.index
    if reread or index is None or index.radius_m != limits.duplicate_radius_m or not index.fits([*new, *targets]):
        pool.index = index = DuplicateIndex.of(pool.facts.values(), targets, limits.duplicate_radius_m)
    else:
        index.add(new)
    return duplicate_suggestions_in(targets, index, window_minutes=limits.duplicate_window_minutes)


def _reports_mark_notified(report_ids: list[int], suggestion: dict[int, int], *, now: datetime) -> None:
    """Mark reports notified and store their suggested duplicates (where none is set yet), one statement per
    pass: an election-day pass marks thousands, and the ORM's ``bulk_update`` (one CASE branch per row) cost
    more than the search itself."""
    if not report_ids:
        return
    table, qn = Report._meta.db_table, connection.ops.quote_name
    column, pk = qn(Report._meta.get_field("suggested_duplicate").column), qn(Report._meta.pk.column)
    notified = qn(Report._meta.get_field("notified_at").column)
    others = [suggestion.get(report_id) for report_id in report_ids]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"UPDATE {qn(table)} AS r SET {notified} = %s, {column} = COALESCE(r.{column}, u.other) "  # noqa: S608
                f"FROM unnest(%s::bigint[], %s::bigint[]) AS u(id, other) WHERE r.{pk} = u.id",  # names: the model
                [now, report_ids, others],
            )
        else:
            at = connection.ops.adapt_datetimefield_value(now)
            cursor.executemany(
                f"UPDATE {qn(table)} SET {notified} = %s, {column} = COALESCE({column}, %s) WHERE {pk} = %s",  # noqa: S608
                [(at, other, report_id) for report_id, other in zip(report_ids, others, strict=True)],
            )
