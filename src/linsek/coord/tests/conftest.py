"""Fixtures of the coordination tests: a meeting of the small Jepara with Polres and Bawaslu invited."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from linsek.coord.models import Meeting
from linsek.coord.services import MeetingInput, meeting_create

WIB = ZoneInfo("Asia/Jakarta")


def make_meeting(small: Any, *, at: datetime, title: str = "Rakor Linsek", **over: Any) -> Meeting:
    from linsek.agencies.models import Organisation

    bawaslu = Organisation.objects.get(code="bawaslu-jepara")
    data = MeetingInput(
        title=title,
        starts_at=at,
        place="Pendopo R.A. Kartini",
        region=small.regency,
        organiser=small.polres,
        invited_ids=[small.polres.pk, bawaslu.pk, small.polsek_mayong.pk],
        agenda=["Pembukaan", "Paparan"],
    )
    for k, v in over.items():
        setattr(data, k, v)
    return meeting_create(actor=small.users["command"], data=data, now=at)


@pytest.fixture
def rakor(jepara_small: Any) -> Meeting:
    return make_meeting(jepara_small, at=datetime(2023, 10, 13, 9, 0, tzinfo=WIB))


@pytest.fixture(autouse=True)
def _fast_password_hashing(request: pytest.FixtureRequest, settings: Any) -> None:
    """Argon2 costs ~0.1 s per fixture user; only tests that log in through the real server need it."""
    if request.node.get_closest_marker("browser") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
