"""Lifecycle, triage and situation-room work: allowed and refused transitions, with the timeline and audit."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from linsek.audit.models import AuditEvent
from linsek.audit.services import audit_verify
from linsek.core.errors import Forbidden, ValidationFailed
from linsek.incidents.lifecycle import TRANSITIONS, InvalidTransition, allowed_actions, transition_target
from linsek.incidents.models import Report, ReportEvent
from linsek.incidents.services import (
    actor_for,
    report_closure_request,
    report_handling_claim,
    report_handling_release,
    report_merge,
    report_reassign,
    report_submit,
    report_transition,
    reports_bulk_transition,
)
from linsek.incidents.tests.conftest import NOW

STATUSES = ["new", "acknowledged", "verified", "rejected", "in_handling", "resolved", "closed"]


def _report(j: Any, kind: str = "intimidasi", **over: Any) -> Report:
    data = {"uuid": str(uuid.uuid4()), "kind": kind, "tps": j.tps[0].code, "description": "uji", **over}
    outcome = report_submit(actor=actor_for(j.users["field_reporter"], channel="web"), data=data, now=NOW)
    return Report.objects.get(pk=outcome.report_pk)


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_transition_table(status: str, action: str) -> None:
    transition = TRANSITIONS[action]
    if status in transition.sources:
        assert transition_target(status=status, action=action) == transition.target
    else:
        with pytest.raises(InvalidTransition) as exc:
            transition_target(status=status, action=action)
        assert status in exc.value.message
        for allowed in allowed_actions(status):
            assert allowed in exc.value.message


def test_full_lifecycle_by_the_lead_agency_leaves_a_timeline(jepara: Any) -> None:
    report = _report(jepara)  # intimidation → Polsek Mayong leads
    officer = jepara.users["area_officer"]  # Polsek Mayong
    for step, action in enumerate(["acknowledge", "verify", "start", "resolve", "close"]):
        report_transition(
            actor=officer, report_id=report.pk, action=action, now=NOW + timedelta(minutes=step), note=f"langkah {step}"
        )
    report.refresh_from_db()
    assert report.status == "closed" and report.acknowledged_at == NOW
    timeline = list(ReportEvent.objects.filter(report=report).values_list("action", "from_status", "to_status"))
    assert timeline == [
        ("submitted", "", "new"),
        ("acknowledge", "new", "acknowledged"),
        ("verify", "acknowledged", "verified"),
        ("start", "verified", "in_handling"),
        ("resolve", "in_handling", "resolved"),
        ("close", "resolved", "closed"),
    ]
    assert AuditEvent.objects.filter(object_type="incidents.report", object_id=str(report.pk)).count() == 6
    assert audit_verify().broken is None


def test_invalid_transition_is_refused_clearly_and_changes_nothing(jepara: Any) -> None:
    report = _report(jepara)
    events = ReportEvent.objects.count()
    with pytest.raises(InvalidTransition, match="acknowledge, verify, reject"):
        report_transition(actor=jepara.users["area_officer"], report_id=report.pk, action="resolve", now=NOW)
    report.refresh_from_db()
    assert report.status == "new" and ReportEvent.objects.count() == events


def test_reject_needs_a_reason(jepara: Any) -> None:
    report = _report(jepara)
    with pytest.raises(ValidationFailed):
        report_transition(actor=jepara.users["area_officer"], report_id=report.pk, action="reject", now=NOW)
    report_transition(actor=jepara.users["area_officer"], report_id=report.pk, action="reject", reason="hoax", now=NOW)
    report.refresh_from_db()
    assert (report.status, report.reject_reason) == ("rejected", "hoax")


def test_only_the_lead_or_command_may_act(jepara: Any) -> None:
    report = _report(jepara)  # Polsek Mayong leads; Koramil Mayong supports; Panwascam informed
    with pytest.raises(Forbidden):
        report_transition(actor=jepara.users["koramil_mayong"], report_id=report.pk, action="acknowledge", now=NOW)
    with pytest.raises(Forbidden):  # the reporter himself
        report_transition(actor=jepara.users["field_reporter"], report_id=report.pk, action="acknowledge", now=NOW)
    report_transition(actor=jepara.users["command"], report_id=report.pk, action="acknowledge", now=NOW)


def test_closure_by_a_supporting_agency_is_a_request_the_lead_approves(jepara: Any) -> None:
    report = _report(jepara)
    officer, koramil = jepara.users["area_officer"], jepara.users["koramil_mayong"]
    for action in ("verify", "start"):
        report_transition(actor=officer, report_id=report.pk, action=action, now=NOW)
    with pytest.raises(Forbidden):
        report_transition(actor=koramil, report_id=report.pk, action="close", now=NOW)
    with pytest.raises(InvalidTransition):  # nothing requested yet
        report_transition(actor=officer, report_id=report.pk, action="approve_closure", now=NOW)
    report_closure_request(actor=koramil, report_id=report.pk, note="massa sudah bubar", now=NOW)
    with pytest.raises(Forbidden):  # the lead closes directly, it does not request
        report_closure_request(actor=officer, report_id=report.pk, note="x", now=NOW)
    report_transition(actor=officer, report_id=report.pk, action="approve_closure", now=NOW)
    report.refresh_from_db()
    assert report.status == "closed" and report.closure_note == "massa sudah bubar"


def test_being_handled_marker_keeps_two_operators_apart(jepara: Any) -> None:
    report = _report(jepara)
    officer, command = jepara.users["area_officer"], jepara.users["command"]
    report_handling_claim(actor=officer, report_id=report.pk, now=NOW)
    with pytest.raises(Forbidden, match="area_officer"):
        report_handling_claim(actor=command, report_id=report.pk, now=NOW)
    report_handling_release(actor=officer, report_id=report.pk, now=NOW)
    report_handling_claim(actor=command, report_id=report.pk, now=NOW)
    report.refresh_from_db()
    assert report.handled_by == command


def test_merge_rejects_the_duplicate_and_points_at_the_survivor(jepara: Any) -> None:
    first, second = _report(jepara), _report(jepara)
    report_merge(actor=jepara.users["area_officer"], report_id=second.pk, into_id=first.pk, now=NOW)
    second.refresh_from_db()
    assert (second.status, second.reject_reason, second.merged_into_id) == ("rejected", "duplicate", first.pk)
    assert ReportEvent.objects.filter(report=first, action="merged_in").exists()


def test_duplicates_are_suggested_automatically(jepara: Any, client: Any) -> None:
    first = _report(jepara)
    second = _report(jepara, observed_at=(NOW - timedelta(minutes=20)).isoformat())
    _report(jepara, kind="kriminal")  # another kind: not a duplicate
    from linsek.incidents.selectors import duplicate_suggestions

    pairs = duplicate_suggestions(jepara.users["command"], report=first)
    assert [(p.report_id, p.other_id) for p in pairs] == [(second.pk, first.pk)] and pairs[0].same_tps


def test_bulk_triage_judges_each_report(jepara: Any) -> None:
    reports = [_report(jepara) for _ in range(3)]
    report_transition(actor=jepara.users["command"], report_id=reports[0].pk, action="verify", now=NOW)
    result = reports_bulk_transition(
        actor=jepara.users["command"], report_ids=[r.pk for r in reports], action="acknowledge", now=NOW
    )
    assert result.done == [reports[1].pk, reports[2].pk] and list(result.refused) == [reports[0].pk]


def test_reassign_by_command_moves_the_lead(jepara: Any) -> None:
    report = _report(jepara)
    with pytest.raises(Forbidden):
        report_reassign(
            actor=jepara.users["area_officer"], report_id=report.pk, organisation_id=jepara.polres.pk, now=NOW
        )
    report_reassign(actor=jepara.users["command"], report_id=report.pk, organisation_id=jepara.polres.pk, now=NOW)
    report.refresh_from_db()
    roles = dict(report.recipients.values_list("organisation__code", "role"))
    assert report.lead_org == jepara.polres and roles["polsek-mayong"] == "support" and roles["polres-jepara"] == "lead"


def test_the_worker_marks_suggested_duplicates_for_the_lists(jepara: Any) -> None:
    from linsek.incidents.flows import reports_notify

    first = _report(jepara)
    second = _report(jepara, observed_at=(NOW - timedelta(minutes=10)).isoformat())
    other = _report(jepara, kind="kriminal")
    reports_notify(now=NOW)
    second.refresh_from_db()
    other.refresh_from_db()
    assert second.suggested_duplicate_id == first.pk and other.suggested_duplicate_id is None


def test_a_stored_suggestion_is_not_replaced_by_a_later_pass(jepara: Any) -> None:
    from linsek.incidents.flows import reports_notify

    first = _report(jepara)
    second = _report(jepara, observed_at=(NOW - timedelta(minutes=10)).isoformat())
    third = _report(jepara, observed_at=(NOW - timedelta(minutes=5)).isoformat())
    other = _report(jepara, kind="kriminal")  # never what the search would suggest for the others
    Report.objects.filter(pk=third.pk).update(suggested_duplicate=other)  # stored earlier (another pass or run)
    reports_notify(now=NOW)
    second.refresh_from_db()
    third.refresh_from_db()
    assert second.suggested_duplicate_id == first.pk and third.suggested_duplicate_id == other.pk


def test_a_notification_pass_reads_no_report_twice(jepara: Any, django_assert_max_num_queries: Any) -> None:
    from linsek.incidents.flows import reports_notify

    for minutes in range(12):
        _report(jepara, observed_at=(NOW - timedelta(minutes=minutes)).isoformat(), severity=3)
    with django_assert_max_num_queries(16):  # a field read late (deferred) would cost a query per report
        assert reports_notify(now=NOW) == 12


def test_registry_rows_a_report_points_to_are_still_guarded_on_delete(jepara: Any) -> None:
    """The references to the registries are kept by Django, not by database constraints (see Report.tps)."""
    from django.db.models import ProtectedError

    from linsek.agencies.models import Organisation
    from linsek.regions.models import PollingStation, Region

    report = _report(jepara)
    assert report.tps_id is not None and report.village_id is not None and report.lead_org_id is not None
    with pytest.raises(ProtectedError):
        PollingStation.objects.filter(pk=report.tps_id).delete()
    with pytest.raises(ProtectedError):
        Organisation.objects.filter(pk=report.lead_org_id).delete()
    with pytest.raises(ProtectedError):
        Region.objects.filter(pk=report.village_id).delete()
    report.refresh_from_db()
    assert report.tps_id is not None and report.village_id is not None


def test_a_pass_that_cannot_take_everything_takes_the_most_severe_first(jepara: Any) -> None:
    from linsek.incidents.flows import reports_notify

    quiet = [_report(jepara, severity=1) for _ in range(3)]
    riot = _report(jepara, kind="bentrok", severity=4)
    warning = _report(jepara, severity=3)
    assert reports_notify(now=NOW, limit=2) == 2
    notified = set(Report.objects.filter(notified_at__isnull=False).values_list("pk", flat=True))
    assert notified == {riot.pk, warning.pk}
    assert reports_notify(now=NOW, limit=2) == 2
    assert Report.objects.filter(notified_at__isnull=True).get().pk == quiet[2].pk  # then in order of arrival


def test_one_notification_run_keeps_its_duplicate_pool_between_passes(jepara: Any) -> None:
    from linsek.incidents.flows import DuplicatePool, reports_notify

    pool = DuplicatePool()
    first = _report(jepara)
    assert reports_notify(now=NOW, pool=pool) == 1
    read_once = dict(pool.facts)
    # reported after the first pass: the second pass adds only what is new, and still finds the pair
    second = _report(jepara, observed_at=(NOW - timedelta(minutes=5)).isoformat())
    assert reports_notify(now=NOW, pool=pool) == 1
    second.refresh_from_db()
    assert second.suggested_duplicate_id == first.pk
    assert read_once.keys() < pool.facts.keys() and pool.max_id == second.pk
    # a report observed before the window read so far makes the pass read the pool again, from earlier
    old_one = _report(jepara, observed_at=(NOW - timedelta(hours=5)).isoformat())
    old_two = _report(jepara, observed_at=(NOW - timedelta(hours=5, minutes=-3)).isoformat())
    assert reports_notify(now=NOW, pool=pool) == 2
    old_two.refresh_from_db()
    assert old_two.suggested_duplicate_id == old_one.pk
    assert pool.since is not None and pool.since <= old_one.observed_at


def test_a_notification_pass_writes_each_report_once(jepara: Any) -> None:
    """``notified_at`` and the suggested duplicate go in one UPDATE: each update of a report row writes to
    every one of its indexes, and the pass is the worker's heaviest write in an election-day burst."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from linsek.incidents.flows import reports_notify

    first = _report(jepara)
    later = [_report(jepara, observed_at=(NOW - timedelta(minutes=m)).isoformat()) for m in (5, 10, 15)]
    with CaptureQueriesContext(connection) as queries:
        assert reports_notify(now=NOW) == 4
    # one statement (on SQLite run with executemany, logged once as "N times: UPDATE …")
    on_reports = [q["sql"] for q in queries.captured_queries if f'UPDATE "{Report._meta.db_table}"' in q["sql"]]
    assert len(on_reports) == 1
    stored = dict(Report.objects.filter(pk__in=[r.pk for r in later]).values_list("pk", "suggested_duplicate_id"))
    assert all(other is not None for other in stored.values()) and first.pk in stored.values()
    assert not Report.objects.filter(notified_at__isnull=True).exists()


def test_reports_another_worker_notified_during_the_search_are_not_notified_twice(
    jepara: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where rows cannot be locked (SQLite), the search runs before the write: a report another worker
    notified meanwhile is dropped from the pass instead of getting a second notification."""
    from django.db import connection

    from linsek.incidents import flows
    from linsek.notify.models import Notification

    if connection.features.has_select_for_update_skip_locked:
        pytest.skip("PostgreSQL locks the pass's rows (SKIP LOCKED); no other worker can take them meanwhile")
    taken, kept = _report(jepara), _report(jepara, kind="kriminal")
    search = flows._duplicates_find

    def search_while_another_worker_notifies(reports: list[Report], pool: Any) -> dict[int, int]:
        Report.objects.filter(pk=taken.pk).update(notified_at=NOW)
        return search(reports, pool)

    monkeypatch.setattr(flows, "_duplicates_find", search_while_another_worker_notifies)
    assert flows.reports_notify(now=NOW) == 1
    about = set(Notification.objects.filter(object_type="incidents.report").values_list("object_id", flat=True))
    assert str(kept.pk) in about and str(taken.pk) not in about


def test_on_postgresql_a_second_worker_takes_other_reports_than_a_running_pass(
    transactional_db: Any, jepara: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The counterpart of the test above: PostgreSQL's pass locks its reports (SKIP LOCKED), so a second worker
    running meanwhile neither waits for them nor takes them; it takes the others."""
    import threading

    from django.db import connection, connections

    from linsek.incidents import flows

    if not connection.features.has_select_for_update_skip_locked:
        pytest.skip("SQLite takes no row locks; the test above covers its re-check")
    held, free = _report(jepara), _report(jepara, kind="kriminal")
    search = flows._duplicates_find
    other: dict[str, Any] = {}

    def second_worker() -> None:
        try:
            other["took"] = flows.reports_notify(now=NOW)
        finally:
            connections.close_all()

    def search_while_a_second_worker_runs(reports: list[Report], pool: Any) -> dict[int, int]:
        if not other:  # the first pass only: it holds its report locked until it commits
            other["started"] = True
            thread = threading.Thread(target=second_worker)
            thread.start()
            thread.join(timeout=20)
            other["finished_while_held"] = not thread.is_alive()
        return search(reports, pool)

    monkeypatch.setattr(flows, "_duplicates_find", search_while_a_second_worker_runs)
    assert flows.reports_notify(now=NOW, limit=1) == 1  # the oldest of equal severity: held
    assert other["finished_while_held"] and other["took"] == 1
    notified = dict(Report.objects.filter(pk__in=[held.pk, free.pk]).values_list("pk", "notified_at"))
    assert all(at is not None for at in notified.values())
