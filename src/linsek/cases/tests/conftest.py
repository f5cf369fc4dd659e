"""Fixtures for the cases tests: the small Jepara plus the Kejari and the district court, a user per
Gakkumdu member and the court, and a controllable clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conftest import SmallJepara
from linsek.accounts.models import User
from linsek.agencies.models import Organisation
from linsek.cases.models import Case
from linsek.cases.services import ArticleInput, DocumentInput, PartyInput, case_register
from tests.factories import OrganisationFactory, PersonFactory, UserFactory

WIB = ZoneInfo("Asia/Jakarta")


def client_for(user: Any) -> Client:
    """A browser signed in as ``user``."""
    c = Client()
    c.force_login(user)
    return c


def wib(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=WIB)


@pytest.fixture(autouse=True)
def _fast_password_hashing(request: pytest.FixtureRequest, settings: Any) -> None:
    """Argon2 is slow on purpose; these tests create ~10 users each. Browser tests keep the real hasher
    (the server process must verify the passwords)."""
    if request.node.get_closest_marker("browser") is None:
        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class Gakkumdu:
    j: SmallJepara
    bawaslu: Organisation
    kejari: Organisation
    pn: Organisation
    bawaslu_user: User
    police_user: User
    prosecutor_user: User
    court_user: User
    outsider: dict[str, User]


def _user(username: str, org: Organisation, role: str, email: str = "") -> User:
    person = PersonFactory.create(organisation=org, full_name=f"Petugas {username}")
    user = UserFactory.create(username=username, person=person, organisation=org, role_codes=[role])
    if email:
        user.email = email
        user.save(update_fields=["email"])
    return user


@pytest.fixture
def gakkumdu(jepara_small: SmallJepara, settings: Any, tmp_path: Path) -> Gakkumdu:
    settings.MEDIA_ROOT = str(tmp_path / "uploads")
    j = jepara_small
    kejari = OrganisationFactory.create(code="kejari-jepara", name="Kejaksaan Negeri Jepara", type_id="kejari")
    kejari.jurisdiction.set([j.regency])
    pn = OrganisationFactory.create(code="pn-jepara", name="Pengadilan Negeri Jepara", type_id="pn")
    pn.jurisdiction.set([j.regency])
    bawaslu = Organisation.objects.get(code="bawaslu-jepara")
    j.users["liaison"].email = "bawaslu@example.test"
    j.users["liaison"].save(update_fields=["email"])
    police = _user("penyidik", j.polres, "liaison", "penyidik@example.test")
    prosecutor = _user("jaksa", kejari, "liaison", "jaksa@example.test")
    court = _user("panitera", pn, "liaison", "panitera@example.test")
    outsider = {role: j.users[role] for role in ("administrator", "area_officer", "field_reporter", "viewer")}
    return Gakkumdu(j, bawaslu, kejari, pn, j.users["liaison"], police, prosecutor, court, outsider)


def upload(name: str = "berita-acara.pdf", content: bytes = b"%PDF-1.4 berita acara\n") -> DocumentInput:
    return DocumentInput(upload=SimpleUploadedFile(name, content, content_type="application/pdf"))


def register(
    g: Gakkumdu,
    *,
    now: datetime,
    known_at: datetime | None = None,
    origin: str = "finding",
    can_change_result: bool = False,
    title: str = "Politik uang di TPS 001 Pelemkerep",
) -> Case:
    return case_register(
        actor=g.bawaslu_user,
        origin=origin,
        title=title,
        known_at=known_at or now,
        region=g.j.villages["Pelemkerep"],
        now=now,
        parties=[PartyInput("finder", "Pengawas TPS 001"), PartyInput("reported", "Sdr. X")],
        articles=[ArticleInput(523, "3")],
        can_change_result=can_change_result,
        tps=g.j.tps[0],
    )


def actor_for(g: Gakkumdu, sector: str) -> User:
    return {
        "bawaslu": g.bawaslu_user,
        "polri": g.police_user,
        "kejaksaan": g.prosecutor_user,
        "pengadilan": g.court_user,
    }[sector]


def path_to(target: str) -> list[str]:
    """The shortest chain of stages from the review (where a new case starts) to ``target``."""
    from collections import deque

    from linsek.cases.rules import rule_set

    rs = rule_set()
    start = rs.first_stage
    previous: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        code = queue.popleft()
        if code == target:
            break
        for t in rs.stages[code].transitions:
            if t.to not in previous:
                previous[t.to] = code
                queue.append(t.to)
    chain = [target]
    while previous[chain[-1]] is not None:
        chain.append(previous[chain[-1]])  # type: ignore[arg-type]
    return list(reversed(chain))[1:]


def step(g: Gakkumdu, case: Case, to: str, *, now: datetime, at: datetime | None = None) -> Any:
    """Make one allowed transition with the right actor, document and note."""
    from linsek.cases.rules import rule_set
    from linsek.cases.services import case_transition

    rs = rule_set()
    case.refresh_from_db()
    t = rs.stages[case.stage].transition_to(to)
    assert t is not None, f"{case.stage} → {to}"
    return case_transition(
        actor=actor_for(g, sorted(t.by)[0]),
        case=case,
        to_stage=to,
        now=now,
        at=at,
        note="alasan dicatat" if t.note_required else "",
        document=upload() if t.document else None,
    )


def walk(g: Gakkumdu, case: Case, target: str, *, now: datetime) -> None:
    for code in path_to(target):
        step(g, case, code, now=now)
    case.refresh_from_db()
