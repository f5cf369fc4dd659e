"""Escalation with a controllable clock, notifications through notify's outbox, redelivery after a crash."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from linsek.incidents.flows import reports_escalate, reports_notify
from linsek.incidents.models import Report, ReportEvent
from linsek.incidents.services import actor_for, report_submit, report_transition
from linsek.incidents.tests.conftest import NOW
from linsek.notify.models import Delivery, InboxItem, Notification
from linsek.notify.services import deliveries_claim, notify_deliver


def _report(j: Any, **over: Any) -> Report:
    data = {"uuid": str(uuid.uuid4()), "tps": j.tps[0].code, "description": "uji eskalasi", **over}
    outcome = report_submit(actor=actor_for(j.users["field_reporter"], channel="web"), data=data, now=NOW)
    return Report.objects.get(pk=outcome.report_pk)


def test_unacknowledged_critical_report_escalates_up_the_lead_hierarchy(jepara: Any) -> None:
    report = _report(jepara, kind="intimidasi", severity=4)  # Polsek Mayong leads; 5 minutes for critical
    assert report.ack_due_at == NOW + timedelta(minutes=5)
    assert reports_escalate(now=NOW + timedelta(minutes=4, seconds=59)).escalated == 0
    result = reports_escalate(now=NOW + timedelta(minutes=5))
    assert result.escalated == 1
    report.refresh_from_db()
    roles = dict(report.recipients.values_list("organisation__code", "role"))
    assert roles["polres-jepara"] == "escalated" and report.escalation_level == 1
    assert report.ack_due_at == NOW + timedelta(minutes=10)
    assert ReportEvent.objects.filter(report=report, action="escalated").count() == 1
    # The Polres command is notified again (in-app, e-mail, SMS for severity >= 3).
    notification = Notification.objects.get(kind="report.escalated")
    users = set(Delivery.objects.filter(notification=notification).values_list("user__username", flat=True))
    assert users == {"command"}
    assert set(Delivery.objects.filter(notification=notification).values_list("channel", flat=True)) == {
        "inapp",
        "email",
        "sms",
    }
    # Nobody above the Polres in the fixture: the next round exhausts instead of looping.
    assert reports_escalate(now=NOW + timedelta(minutes=10)).exhausted == 1
    report.refresh_from_db()
    assert report.ack_due_at is None


def test_panwascam_escalates_to_bawaslu_after_the_medium_time(jepara: Any) -> None:
    report = _report(jepara, kind="politik_uang", severity=2)  # 30 minutes
    assert reports_escalate(now=NOW + timedelta(minutes=29)).escalated == 0
    reports_escalate(now=NOW + timedelta(minutes=30))
    roles = dict(report.recipients.values_list("organisation__code", "role"))
    assert roles["bawaslu-jepara"] == "escalated"  # was "support": upgraded, not duplicated


def test_acknowledged_report_does_not_escalate(jepara: Any) -> None:
    report = _report(jepara, kind="intimidasi", severity=4)
    report_transition(
        actor=jepara.users["area_officer"], report_id=report.pk, action="acknowledge", now=NOW + timedelta(minutes=2)
    )
    assert reports_escalate(now=NOW + timedelta(hours=1)).escalated == 0


def test_routed_reports_are_notified_once_and_delivered_after_a_crash(
    jepara: Any, settings: Any, tmp_path: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.LINSEK_SMS_GATEWAY = "console"
    settings.VAR_DIR = tmp_path
    report = _report(jepara, kind="intimidasi", severity=3)  # Polsek Mayong lead, Koramil Mayong support
    assert reports_notify(now=NOW) == 1
    assert reports_notify(now=NOW) == 0  # notified_at set in the same transaction
    notification = Notification.objects.get(kind="report.routed")
    assert notification.object_id == str(report.pk)
    recipients = set(Delivery.objects.filter(notification=notification).values_list("user__username", flat=True))
    assert recipients == {"area_officer", "koramil_mayong-user"}
    # A worker claims the batch and dies before delivering anything.
    claimed = deliveries_claim(worker_id="dead-worker", now=NOW, limit=100)
    assert claimed and notify_deliver(now=NOW + timedelta(minutes=1), worker_id="second").claimed == 0
    # After the lease runs out another worker takes them over and delivers each exactly once to the inbox.
    result = notify_deliver(now=NOW + timedelta(minutes=6), worker_id="second")
    assert result.claimed == len(claimed) and result.failed == 0
    assert set(InboxItem.objects.values_list("user__username", flat=True)) == {"area_officer", "koramil_mayong-user"}
    lines = (tmp_path / "sms-outbox.jsonl").read_text().splitlines()
    assert len(lines) == 2 and f"L{report.pk}" in lines[0]
