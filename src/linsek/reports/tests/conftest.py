"""Fixtures of the situation-report tests: a hand-counted voting day in the small Jepara.

Day D = 14 Feb 2024 (voting day), D-1 = 13 Feb. Reports (submitted through the incidents app's own service):

    D-1  politik_uang  Mayong (Pelemkerep)        severity 2
    D-1  kampanye      Karimunjawa                severity 2
    D    politik_uang  Mayong ×3                  severity 2
    D    intimidasi    Mayong ×2                  severity 3   -> notable
    D    logistik_rusak Karimunjawa               severity 2
    D    intimidasi    Mayong, classified restricted -> counted only as "restricted", never listed
    D+1  politik_uang  Mayong                     (outside the day)

Counted by hand: D total 6 (previous 2); politik_uang 3 (1), intimidasi 2 (0), logistik_rusak 1 (0), kampanye 0 (1);
Mayong 5 (1), Karimunjawa 1 (1); notable 2. Open at the end of D (weights 2→1, 3→3; restricted and D+1 reports
left out): Mayong 1+3+6 = 10 → waspada (≥3; also a severity-3 report), Karimunjawa 1+1 = 2 → aman.
Meeting 7 Feb: item due 10 Feb open (overdue by 4 days on D), item due 20 Feb open, item due 12 Feb done on
12 Feb → overdue 1, unresolved 2.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from linsek.coord.models import Meeting
from linsek.coord.services import (
    ActionInput,
    MeetingInput,
    action_item_add,
    action_item_set_status,
    calendar_load,
    meeting_create,
)

WIB = ZoneInfo("Asia/Jakarta")
D = date(2024, 2, 14)


@pytest.fixture(autouse=True)
def _fast_password_hashing(request: pytest.FixtureRequest, settings: Any) -> None:
    if request.node.get_closest_marker("browser") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_reference() -> Any:
    from linsek.incidents.reference import reference_clear

    reference_clear()
    yield
    reference_clear()


def submit(small: Any, *, kind: str, tps: Any, at: datetime, **extra: Any) -> None:
    from linsek.incidents.services import actor_for, report_submit

    data = {"uuid": str(uuid.uuid4()), "kind": kind, "tps": tps.code, "description": f"uji {kind}", **extra}
    report_submit(actor=actor_for(small.users["command"], channel="web"), data=data, now=at)


@dataclass
class VotingDay:
    small: Any
    meeting: Meeting


@pytest.fixture
def voting_day(jepara_small: Any) -> VotingDay:
    j = jepara_small
    mayong, kj = j.tps[0], j.tps[-1]
    calendar_load(now=datetime(2024, 1, 1, tzinfo=WIB))
    at = lambda day, hour: datetime(2024, 2, day, hour, 0, tzinfo=WIB)  # noqa: E731
    submit(j, kind="politik_uang", tps=mayong, at=at(13, 10))
    submit(j, kind="kampanye", tps=kj, at=at(13, 11))
    for h in (8, 9, 10):
        submit(j, kind="politik_uang", tps=mayong, at=at(14, h))
    submit(j, kind="intimidasi", tps=mayong, at=at(14, 11), title="Ancaman kepada KPPS")
    submit(j, kind="intimidasi", tps=mayong, at=at(14, 12))
    submit(j, kind="logistik_rusak", tps=kj, at=at(14, 13))
    submit(j, kind="intimidasi", tps=mayong, at=at(14, 14), classification="restricted")
    submit(j, kind="politik_uang", tps=mayong, at=at(15, 1))
    from linsek.agencies.models import Organisation

    user = j.users["command"]
    meeting = meeting_create(
        actor=user,
        data=MeetingInput(
            title="Rakor kesiapan pemungutan suara",
            starts_at=at(7, 9),
            place="Pendopo R.A. Kartini",
            region=j.regency,
            organiser=j.polres,
            invited_ids=[j.polres.pk, Organisation.objects.get(code="bawaslu-jepara").pk],
        ),
        now=at(7, 12),
    )
    for title, due in (("Pengawalan logistik", date(2024, 2, 10)), ("Rencana rekap", date(2024, 2, 20))):
        action_item_add(actor=user, meeting=meeting, data=ActionInput(title, j.polres, due), now=at(7, 12))
    done = action_item_add(
        actor=user, meeting=meeting, data=ActionInput("Apel pasukan", j.polres, date(2024, 2, 12)), now=at(7, 12)
    )
    action_item_set_status(actor=user, item=done, status="done", evidence="Apel 12 Feb", now=at(12, 10))
    return VotingDay(j, meeting)
