"""The morning job on a controlled clock: waits for the hour, issues yesterday's report once, sends it through
the notification outbox once, and runs inside ``linsek worker --once --now …``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command

from linsek.notify.models import Delivery, InboxItem, Notification
from linsek.reports.models import DistributionList, SituationReport
from linsek.reports.services import sitrep_morning
from linsek.reports.tests.conftest import WIB, VotingDay

pytestmark = pytest.mark.django_db


@pytest.fixture
def distribution(voting_day: VotingDay, settings: Any, tmp_path: Any) -> DistributionList:
    settings.MEDIA_ROOT = tmp_path
    small = voting_day.small
    dist = DistributionList.objects.create(name="Lapsit Jepara", region=small.regency, language="id")
    dist.users.set([small.users["liaison"]])  # Bawaslu's liaison, named
    dist.organisations.set([small.polres])  # everyone at Polres who may read reports (administrator, command)
    for name in ("liaison", "command", "administrator"):
        user = small.users[name]
        user.email = f"{name}@example.test"
        user.save()
    return dist


def test_waits_for_the_hour_then_issues_and_sends_once(distribution: DistributionList, settings: Any) -> None:
    settings.LINSEK_SITREP_HOUR = 6
    early = sitrep_morning(now=datetime(2024, 2, 15, 5, 59, tzinfo=WIB))
    assert (early.waiting, early.issued) == (1, []) and not SituationReport.objects.exists()

    first = sitrep_morning(now=datetime(2024, 2, 15, 6, 5, tzinfo=WIB))
    report = SituationReport.objects.get()
    assert first.issued == [report.pk] and report.status == "issued" and report.date_to == date(2024, 2, 14)
    assert report.renditions.filter(format="pdf", language="id").exists()
    notice = Notification.objects.get(kind="sitrep.daily")
    assert "6 laporan masuk (sebelumnya 2)" in notice.body and report.content_sha256 in notice.body
    small_users = distribution.users.all()
    recipients = set(Delivery.objects.filter(notification=notice).values_list("user__username", flat=True))
    assert recipients == {"liaison", "command", "administrator"}
    assert {u.username for u in small_users} <= recipients

    again = sitrep_morning(now=datetime(2024, 2, 15, 6, 10, tzinfo=WIB))
    assert again.issued == [] and SituationReport.objects.count() == 1
    assert Notification.objects.filter(kind="sitrep.daily").count() == 1


@pytest.mark.django_db(transaction=True)
def test_runs_in_the_worker_with_a_controlled_clock(distribution: DistributionList) -> None:
    """Transactional: the worker closes stale connections between loops, as it must in production."""
    call_command("worker", once=True, now="2024-02-15T06:05:00+07:00", verbosity=0)
    report = SituationReport.objects.get(status="issued")
    assert report.date_to == date(2024, 2, 14)
    # the delivery task of the same loop, or the next one, puts it in the inbox and the mailbox
    call_command("worker", once=True, now="2024-02-15T06:06:00+07:00", verbosity=0)
    assert InboxItem.objects.filter(notification__kind="sitrep.daily").count() == 3
    assert any("Laporan situasi Jepara 2024-02-14" in m.subject for m in mail.outbox)
