"""The agency directory and organisation pages: who covers what, and phones only as the policy allows."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import SmallJepara
from linsek.agencies.models import ContactPoint
from linsek.web.views import PEOPLE_PER_PAGE
from tests.factories import OrganisationFactory, PersonFactory

PHONE = "081234500001"


def _codes(response: object) -> set[str]:
    return {o.code for o in response.context["organisations"]}  # type: ignore[attr-defined]


def test_directory_lists_organisations_with_jurisdiction_and_office_contacts(
    signed_in: Callable[[str], Client], jepara_small: SmallJepara
) -> None:
    ContactPoint.objects.create(organisation=jepara_small.polsek_mayong, kind="phone", value="(0291) 591234")
    response = signed_in("viewer").get("/instansi/")
    assert response.status_code == 200
    assert _codes(response) == {
        "polres-jepara",
        "polsek-mayong",
        "polsek-karimunjawa",
        "bawaslu-jepara",
        "panwascam-mayong",
    }
    body = response.content.decode()
    assert "(0291) 591234" in body  # office contacts are not personal: everyone with agencies.view sees them
    assert 'href="/wilayah/33.20.04/"' in body


def test_directory_filters_by_sector_and_by_district(signed_in: Callable[[str], Client]) -> None:
    client = signed_in("viewer")
    assert _codes(client.get("/instansi/", {"sektor": "bawaslu"})) == {"bawaslu-jepara", "panwascam-mayong"}
    # Karimunjawa: its Polsek, and the regency-wide bodies above it; not Mayong's.
    assert _codes(client.get("/instansi/", {"wilayah": "33.20.10"})) == {
        "polres-jepara",
        "polsek-karimunjawa",
        "bawaslu-jepara",
    }
    assert client.get("/instansi/", {"wilayah": "99"}).status_code == 404


def test_directory_costs_the_same_queries_with_more_organisations(
    signed_in: Callable[[str], Client], jepara_small: SmallJepara
) -> None:
    client = signed_in("command")

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/instansi/").status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for n in range(20):
        org = OrganisationFactory.create(code=f"pps-{n}", name=f"PPS {n}", type_id="pps")
        org.jurisdiction.set([jepara_small.villages["Pule"]])
        ContactPoint.objects.create(organisation=org, kind="phone", value=f"0291-{n}")
        PersonFactory.create(organisation=org)
    assert count() == before
    assert before <= 14


def test_phone_is_hidden_from_an_officer_of_another_area_and_shown_to_command(
    signed_in: Callable[[str], Client], jepara_small: SmallJepara
) -> None:
    PersonFactory.create(organisation=jepara_small.polsek_karimunjawa, full_name="Bripka Anwar", phone=PHONE)
    url = "/instansi/polsek-karimunjawa/"

    officer = signed_in("area_officer").get(url)  # Polsek Mayong: neither its organisation nor its area
    body = officer.content.decode()
    assert "Bripka Anwar" in body
    assert PHONE not in body and "disembunyikan" in body

    command = signed_in("command").get(url)
    assert PHONE in command.content.decode()


def test_phone_is_shown_to_an_officer_for_their_own_organisation(
    signed_in: Callable[[str], Client], jepara_small: SmallJepara
) -> None:
    PersonFactory.create(organisation=jepara_small.polsek_mayong, full_name="Aipda Sutrisno", phone=PHONE)
    assert PHONE in signed_in("area_officer").get("/instansi/polsek-mayong/").content.decode()


def test_a_viewer_sees_no_people_at_all(signed_in: Callable[[str], Client], jepara_small: SmallJepara) -> None:
    PersonFactory.create(organisation=jepara_small.polres, full_name="AKP Wibowo", phone=PHONE)
    body = signed_in("viewer").get("/instansi/polres-jepara/").content.decode()
    assert "AKP Wibowo" not in body and PHONE not in body
    assert "tidak berwenang melihat daftar personel" in body


@pytest.mark.parametrize(("page", "rows"), [("1", PEOPLE_PER_PAGE), ("3", 122 - 2 * PEOPLE_PER_PAGE)])
def test_people_are_paginated_with_constant_queries(
    signed_in: Callable[[str], Client], jepara_small: SmallJepara, page: str, rows: int
) -> None:
    client = signed_in("command")
    url = "/instansi/polres-jepara/"
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    PersonFactory.create_batch(120, organisation=jepara_small.polres, home_region=jepara_small.mayong)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url, {"hal": page})
    assert len(response.context["rows"]) == rows
    assert response.context["page_obj"].paginator.count == 120 + 2  # and the command and administrator users' persons
    assert len(many.captured_queries) == len(few.captured_queries)


def test_people_search_by_name(signed_in: Callable[[str], Client], jepara_small: SmallJepara) -> None:
    PersonFactory.create(organisation=jepara_small.polres, full_name="Bripda Kartini")
    response = signed_in("command").get("/instansi/polres-jepara/", {"q": "kartini"})
    assert [p.full_name for p, _, _ in response.context["rows"]] == ["Bripda Kartini"]
