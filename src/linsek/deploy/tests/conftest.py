"""A staffed small Jepara: people in Polsek Mayong, Polsek Karimunjawa and a Polres unit, TPS categories."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conftest import SmallJepara
from linsek.agencies.models import Organisation, Person
from linsek.risk.services import AssessmentInput, assessments_record_many
from tests.factories import OrganisationFactory, PersonFactory

NOW = datetime(2024, 2, 10, 9, 0, tzinfo=ZoneInfo("Asia/Jakarta"))


@dataclass
class Staffed:
    j: SmallJepara
    samapta: Organisation
    mayong_people: list[Person]
    island_people: list[Person]
    reserve_people: list[Person]


@pytest.fixture
def staffed(jepara_small: SmallJepara) -> Staffed:
    j = jepara_small
    samapta = OrganisationFactory.create(
        code="sat-samapta-jepara",
        name="Sat Samapta Polres Jepara",
        short_name="Sat Samapta",
        type_id="polres_unit",
        parent=j.polres,
    )
    villages = [j.villages["Pelemkerep"], j.villages["Pule"]]
    mayong = [
        PersonFactory.create(
            organisation=j.polsek_mayong,
            full_name=f"Bripka Mayong {i:02d}",
            rank="Bripka",
            home_region=villages[i % 2],
            duty_role_id="personel_polri",
        )
        for i in range(8)
    ]
    PersonFactory.create(organisation=j.polsek_mayong, full_name="Kapolsek Mayong", rank="AKP", duty_role_id="kapolsek")
    island = [
        PersonFactory.create(
            organisation=j.polsek_karimunjawa,
            full_name=f"Brigpol Karimun {i}",
            rank="Brigpol",
            home_region=j.villages["Karimunjawa"],
            duty_role_id="personel_polri",
        )
        for i in range(2)
    ]
    reserve = [
        PersonFactory.create(
            organisation=samapta, full_name=f"Bripda Samapta {i:02d}", rank="Bripda", duty_role_id="personel_polri"
        )
        for i in range(10)
    ]
    values = [{"V2.1": 1, "V2.2": 1, "V3.1": 1}, {"V3.1": 1, "V3.2": 1}] + [{}] * 7
    assessments_record_many(
        actor=None,
        now=NOW,
        source="demo",
        items=[AssessmentInput(tps=t, values=v, assessed_at=NOW) for t, v in zip(j.tps, values, strict=True)],
    )
    return Staffed(j, samapta, mayong, island, reserve)


def rows_digest(plan_id: int) -> Any:
    """Everything stored for a plan, to prove that a failed run changed nothing."""
    from linsek.deploy.models import Assignment, Plan, Post, PostStation

    plan = Plan.objects.get(id=plan_id)
    return (
        plan.status,
        plan.version,
        plan.summary,
        plan.diff,
        sorted(Post.objects.filter(plan=plan).values_list("key", "status", "police_needed")),
        sorted(PostStation.objects.filter(plan=plan).values_list("tps_id", "post__key")),
        sorted(Assignment.objects.filter(plan=plan).values_list("person_id", "post__key")),
    )


@dataclass
class LinmasStaff:
    org: Organisation
    pelemkerep: list[Person]
    pule: list[Person]
    island: list[Person]
    absent: Person


@pytest.fixture
def linmas_staff(staffed: Staffed) -> LinmasStaff:
    """Named Linmas of the small Jepara: a few per village (fewer than the posts need), one on leave."""
    from datetime import date

    from linsek.deploy.models import Availability

    j = staffed.j
    org = OrganisationFactory.create(
        code="linmas-jepara", name="Satlinmas Kabupaten Jepara", short_name="Linmas", type_id="linmas"
    )

    def make(village: str, n: int) -> list[Person]:
        return [
            PersonFactory.create(
                organisation=org,
                full_name=f"Linmas {village} {i}",
                home_region=j.villages[village],
                duty_role_id="linmas",
            )
            for i in range(n)
        ]

    absent = PersonFactory.create(
        organisation=org, full_name="Linmas Pule Cuti", home_region=j.villages["Pule"], duty_role_id="linmas"
    )
    Availability.objects.create(
        person=absent, kind="leave", start=date(2024, 2, 13), end=date(2024, 2, 16), created_at=NOW
    )
    return LinmasStaff(org, make("Pelemkerep", 3), make("Pule", 2), make("Karimunjawa", 1), absent)
