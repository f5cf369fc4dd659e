"""Organisations and people over the API: filters, jurisdiction and contacts, and phone visibility per role."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from conftest import SmallJepara
from linsek.agencies.models import ContactPoint, DutyRole, Person
from linsek.api.tests.conftest import API, TokenClient
from tests.factories import PersonFactory


@pytest.fixture
def people(jepara_small: SmallJepara) -> dict[str, Person]:
    """The same three people as agencies/tests/test_phone_visibility.py, so both tests read alike."""
    duty = DutyRole.objects.order_by("code").first()
    return {
        "polsek_mayong": PersonFactory.create(
            organisation=jepara_small.polsek_mayong, phone="081200000001", full_name="Aa Mayong", duty_role=duty
        ),
        "polsek_karimunjawa": PersonFactory.create(
            organisation=jepara_small.polsek_karimunjawa,
            phone="081200000002",
            home_region=jepara_small.karimunjawa,
            full_name="Ab Karimunjawa",
        ),
        "stationed_in_pule": PersonFactory.create(
            organisation=jepara_small.polres,
            phone="081200000003",
            home_region=jepara_small.villages["Pule"],
            full_name="Ac Pule",
        ),
    }


def test_organisation_list_and_type_filter(api_as: Callable[[str], TokenClient]) -> None:
    api = api_as("viewer")
    body = api.get(f"{API}/organisations").json()
    assert body["count"] == 5
    polres = next(o for o in body["items"] if o["code"] == "polres-jepara")
    assert polres["type"] == "polres" and polres["sector"] == "polri" and polres["parent"] is None
    polseks = api.get(f"{API}/organisations", {"type": "polsek"}).json()
    assert [o["code"] for o in polseks["items"]] == ["polsek-karimunjawa", "polsek-mayong"]
    assert all(o["parent"] == "polres-jepara" for o in polseks["items"])


def test_organisations_covering_a_village_include_those_of_its_district_and_regency(
    api_as: Callable[[str], TokenClient],
) -> None:
    api = api_as("viewer")
    body = api.get(f"{API}/organisations", {"covers": "33.20.04.2002"}).json()
    assert {o["code"] for o in body["items"]} == {
        "polres-jepara",
        "bawaslu-jepara",
        "polsek-mayong",
        "panwascam-mayong",
    }
    island = api.get(f"{API}/organisations", {"covers": "3320102001", "type": "polsek"}).json()
    assert [o["code"] for o in island["items"]] == ["polsek-karimunjawa"]


def test_organisation_detail_has_jurisdiction_and_office_contacts(
    api_as: Callable[[str], TokenClient], jepara_small: SmallJepara
) -> None:
    ContactPoint.objects.create(organisation=jepara_small.polsek_mayong, kind="phone", value="(0291) 123456")
    ContactPoint.objects.create(organisation=jepara_small.polsek_mayong, kind="radio", value="CH 7", label="HT")
    body = api_as("viewer").get(f"{API}/organisations/polsek-mayong").json()
    assert body["jurisdiction"] == ["33.20.04"]
    assert body["contacts"] == [
        {"kind": "phone", "value": "(0291) 123456", "label": ""},
        {"kind": "radio", "value": "CH 7", "label": "HT"},
    ]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"type": "spaceship"}, "type"),
        ({"type": "<script>"}, "type"),
        ({"covers": "33.20.99"}, "covers"),
        ({"covers": "33.2"}, "covers"),
    ],
)
def test_unknown_organisation_filters_are_422_naming_the_field(
    api_as: Callable[[str], TokenClient], params: dict[str, str], field: str
) -> None:
    response = api_as("viewer").get(f"{API}/organisations", params)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", field]


def test_unknown_organisation_is_404(api_as: Callable[[str], TokenClient]) -> None:
    for code in ("polsek-atlantis", "a/b", "' OR 1=1"):
        response = api_as("viewer").get(f"{API}/organisations/{code}")
        assert response.status_code == 404, code


def test_people_filters(api_as: Callable[[str], TokenClient], people: dict[str, Person]) -> None:
    api = api_as("command")
    mayong = api.get(f"{API}/people", {"organisation": "polsek-mayong"}).json()
    assert {p["full_name"] for p in mayong["items"]} == {
        "Aa Mayong",
        "Petugas area_officer",
        "Petugas field_reporter",
    }
    duty = people["polsek_mayong"].duty_role_id
    by_duty = api.get(f"{API}/people", {"duty_role": duty}).json()
    assert [p["full_name"] for p in by_duty["items"]] == ["Aa Mayong"]
    assert by_duty["items"][0]["duty_role"] == duty and by_duty["items"][0]["organisation"] == "polsek-mayong"
    for params, field in (({"organisation": "nope"}, "organisation"), ({"duty_role": "astronaut"}, "duty_role")):
        response = api.get(f"{API}/people", params)
        assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["query", field]


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        ("administrator", {"polsek_mayong", "polsek_karimunjawa", "stationed_in_pule"}),
        ("command", {"polsek_mayong", "polsek_karimunjawa", "stationed_in_pule"}),
        ("liaison", {"polsek_mayong", "polsek_karimunjawa", "stationed_in_pule"}),
        ("area_officer", {"polsek_mayong", "stationed_in_pule"}),
    ],
)
def test_phone_is_null_unless_the_role_may_see_it(
    api_as: Callable[[str], TokenClient], people: dict[str, Person], role: str, visible: set[str]
) -> None:
    api = api_as(role)
    listed = {p["id"]: p for p in api.get(f"{API}/people", {"limit": 1000}).json()["items"]}
    for name, person in people.items():
        shown = listed[person.pk]["phone"]
        detail = api.get(f"{API}/people/{person.pk}").json()["phone"]
        assert "phone" in listed[person.pk]
        if name in visible:
            assert shown == detail == person.phone, (role, name)
        else:
            assert shown is None and detail is None, (role, name)


@pytest.mark.parametrize("role", ["field_reporter", "viewer"])
def test_roles_without_people_view_get_403_on_the_list_and_404_on_a_person(
    api_as: Callable[[str], TokenClient], people: dict[str, Person], role: str
) -> None:
    api = api_as(role)
    response = api.get(f"{API}/people")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    response = api.get(f"{API}/people/{people['polsek_mayong'].pk}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_person_ids_out_of_range_are_422(api_as: Callable[[str], TokenClient]) -> None:
    api = api_as("command")
    for raw in ("0", "-1", str(2**63), "9" * 40, "abc", "1.5"):
        response = api.get(f"{API}/people/{raw}")
        assert response.status_code == 422, raw
        assert response.json()["detail"][0]["loc"] == ["path", "person_id"]
    assert api.get(f"{API}/people/{2**63 - 1}").status_code == 404
