"""List routes cost a constant number of queries: the same for 3 rows as for 30."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import SmallJepara
from linsek.accounts.tokens import api_token_create
from linsek.agencies.models import Organisation
from linsek.api.tests.conftest import API, TokenClient
from linsek.regions.models import Region
from tests.factories import OrganisationFactory, PersonFactory, PollingStationFactory

# Per request, with a token whose last use is fresh: the token with its user and whether the user still
# holds the token's role (one query; the token's role is the user's only role for the request); then
# the route's own queries (a COUNT and the page, plus what the route needs, named on each line).
AUTH = 1
EXPECTED: dict[str, tuple[str, dict[str, str], int]] = {
    "regions_list": ("/regions", {"parent": "33.20.05"}, AUTH + 1 + 2),  # + parent look-up
    "region_children": ("/regions/33.20.05/children", {}, AUTH + 1 + 2),  # + the region
    "tps_list": ("/tps", {"district": "33.20.05", "bbox": "100,-10,120,0"}, AUTH + 1 + 2),  # + district
    # + covered region and its ancestors
    "organisations_covering": ("/organisations", {"covers": "33.20.05"}, AUTH + 2 + 2),
    "organisations_of_type": ("/organisations", {"type": "ppk"}, AUTH + 1 + 2),  # + type codes
    # + organisation, duty-role codes; the phone rule: the viewer's jurisdiction roots, their codes, the
    # regions below the one root, the organisations there (it grows with the viewer's roots, not the rows)
    "people_list": ("/people", {"organisation": "ppk-0", "duty_role": "anggota_ppk"}, AUTH + 2 + 4 + 2),
}


def grow(jepara_small: SmallJepara, n: int) -> None:
    """District 33.20.05 with n villages (a TPS each), n PPK covering it, n people in the first PPK."""
    district = Region.objects.create(
        code="33.20.05", name="Pecangaan", level="district", kind="kecamatan", parent=jepara_small.regency
    )
    for i in range(n):
        village = Region.objects.create(
            code=f"33.20.05.{2001 + i}", name=f"Desa {i}", level="village", kind="desa", parent=district
        )
        PollingStationFactory.create(village=village, number=1, lat=-6.7, lon=110.7)
    first: Organisation | None = None
    for i in range(n):
        org = OrganisationFactory.create(code=f"ppk-{i}", name=f"PPK {i}", type_id="ppk")
        org.jurisdiction.set([district])
        first = first or org
    village_ids = list(district.children.values_list("id", flat=True))
    for i in range(n):
        PersonFactory.create(
            organisation=first, duty_role_id="anggota_ppk", home_region_id=village_ids[i], full_name=f"Anggota {i}"
        )


@pytest.mark.parametrize("n", [3, 30])
@pytest.mark.parametrize("route", sorted(EXPECTED))
def test_list_routes_do_not_grow_a_query_per_row(
    jepara_small: SmallJepara, django_assert_num_queries: Any, n: int, route: str
) -> None:
    grow(jepara_small, n)
    _, secret = api_token_create(user=jepara_small.users["liaison"], name="counts")
    api = TokenClient(secret)
    api.get(f"{API}/me")  # first use writes last_used_at; later requests within the minute do not
    path, params, expected = EXPECTED[route]
    with django_assert_num_queries(expected):
        response = api.get(f"{API}{path}", params)
    assert response.status_code == 200, response.content
    body = response.json()
    assert len(body["items"]) >= n and body["count"] >= n


@pytest.mark.parametrize("n", [3, 15])
def test_token_list_is_constant_too(jepara_small: SmallJepara, django_assert_num_queries: Any, n: int) -> None:
    user = jepara_small.users["command"]
    secrets = [api_token_create(user=user, name=f"t{i}")[1] for i in range(n)]
    api = TokenClient(secrets[0])
    api.get(f"{API}/me")
    with django_assert_num_queries(AUTH + 1):
        body = api.get(f"{API}/tokens").json()
    assert body["count"] == n
