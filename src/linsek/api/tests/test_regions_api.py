"""Regions and TPS over the API: roll-ups, filters (district, village, bbox), pages and error bodies."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from conftest import SmallJepara
from linsek.api.pagination import MAX_LIMIT
from linsek.api.tests.conftest import API, TokenClient

SQUARE = {"type": "Polygon", "coordinates": [[[110.7, -6.8], [110.9, -6.8], [110.9, -6.6], [110.7, -6.8]]]}


@pytest.fixture
def api(api_as: Callable[[str], TokenClient]) -> TokenClient:
    return api_as("viewer")


def codes(body: dict[str, Any]) -> list[str]:
    return [item["code"] for item in body["items"]]


def test_region_detail_has_rollups_point_kind_and_parent(api: TokenClient) -> None:
    response = api.get(f"{API}/regions/33.20.04")
    assert response.status_code == 200
    region = response.json()
    assert region == {
        "code": "33.20.04",
        "name": "Mayong",
        "level": "district",
        "kind": "kecamatan",
        "parent": "33.20",
        "lat": -6.7028,
        "lon": 110.77379,
        "is_island": False,
        "tps_count": 7,
        "voters_male": 7 * 120,
        "voters_female": 7 * 125,
        "voters_total": 7 * 245,
        "boundary": None,
    }


def test_region_codes_are_accepted_undotted(api: TokenClient) -> None:
    assert api.get(f"{API}/regions/3320042001").json()["name"] == "Pelemkerep"
    assert api.get(f"{API}/tps/3320042001001").json()["code"] == "33.20.04.2001.001"
    assert api.get(f"{API}/tps", {"district": "332004"}).json()["count"] == 7


def test_region_boundary_only_on_request(api: TokenClient, jepara_small: SmallJepara) -> None:
    jepara_small.mayong.boundary = json.dumps(SQUARE)
    jepara_small.mayong.save(update_fields=["boundary"])
    assert api.get(f"{API}/regions/33.20.04").json()["boundary"] is None
    assert api.get(f"{API}/regions/33.20.04", {"boundary": "1"}).json()["boundary"] == SQUARE
    assert "boundary" not in api.get(f"{API}/regions", {"level": "district"}).json()["items"][0]


def test_region_list_filters_by_level_parent_and_query(api: TokenClient) -> None:
    assert codes(api.get(f"{API}/regions", {"level": "village"}).json()) == [
        "33.20.04.2001",
        "33.20.04.2002",
        "33.20.10.2001",
    ]
    assert codes(api.get(f"{API}/regions", {"parent": "33.20"}).json()) == ["33.20.04", "33.20.10"]
    assert codes(api.get(f"{API}/regions", {"q": "karimun"}).json()) == ["33.20.10", "33.20.10.2001"]
    assert codes(api.get(f"{API}/regions", {"q": "332004"}).json()) == ["33.20.04", "33.20.04.2001", "33.20.04.2002"]


def test_region_children(api: TokenClient) -> None:
    assert codes(api.get(f"{API}/regions/33.20.04/children").json()) == ["33.20.04.2001", "33.20.04.2002"]
    assert api.get(f"{API}/regions/33.20.04.2001/children").json()["count"] == 0
    assert api.get(f"{API}/regions/33.99/children").status_code == 404


def test_tps_filters_by_district_village_and_regency(api: TokenClient) -> None:
    assert api.get(f"{API}/tps", {"regency": "33.20"}).json()["count"] == 9
    body = api.get(f"{API}/tps", {"district": "33.20.10"}).json()
    assert codes(body) == ["33.20.10.2001.001", "33.20.10.2001.002"]
    assert body["items"][0]["island"] == "Karimunjawa" and body["items"][0]["boat_only"] is True
    assert api.get(f"{API}/tps", {"village": "33.20.04.2002"}).json()["count"] == 3
    assert api.get(f"{API}/tps", {"district": "33.20.04", "village": "33.20.04.2002"}).json()["count"] == 3
    # a village of another district: nothing matches both
    assert api.get(f"{API}/tps", {"district": "33.20.10", "village": "33.20.04.2002"}).json()["count"] == 0


def test_tps_filter_by_bbox(api: TokenClient, jepara_small: SmallJepara) -> None:
    # Pelemkerep's TPS lie at -6.7393+n*0.001, 110.7622+n*0.001 (n = 1..4); Pule's further north-east.
    body = api.get(f"{API}/tps", {"bbox": "110.762,-6.739,110.7645,-6.736"}).json()
    assert codes(body) == ["33.20.04.2001.001", "33.20.04.2001.002"]
    around_karimunjawa = api.get(f"{API}/tps", {"bbox": "110.3,-5.9,110.6,-5.7"}).json()
    assert around_karimunjawa["count"] == 2
    both = api.get(f"{API}/tps", {"bbox": "110.3,-5.9,110.6,-5.7", "district": "33.20.04"}).json()
    assert both["count"] == 0


def test_tps_detail(api: TokenClient) -> None:
    tps = api.get(f"{API}/tps/33.20.10.2001.002").json()
    assert tps["village"] == "33.20.10.2001" and tps["district"] == "33.20.10" and tps["regency"] == "33.20"
    assert tps["village_name"] == "Karimunjawa" and tps["district_name"] == "Karimunjawa"
    assert tps["number"] == 2 and tps["voters_total"] == 245


# --- pages --------------------------------------------------------------------------------------------------


def test_pages_walk_to_the_last_page_and_back(api: TokenClient) -> None:
    first = api.get(f"{API}/tps", {"district": "33.20.04", "limit": 3}).json()
    assert first["count"] == 7 and len(first["items"]) == 3 and first["previous"] is None
    assert "district=33.20.04" in first["next"] and "offset=3" in first["next"]
    second = api.get(first["next"])
    assert codes(second.json())[0] == "33.20.04.2001.004"
    last = api.get(f"{API}/tps", {"district": "33.20.04", "limit": 3, "offset": 6}).json()
    assert len(last["items"]) == 1 and last["next"] is None and "offset=3" in last["previous"]
    all_codes = [
        code
        for offset in (0, 3, 6)
        for code in codes(api.get(f"{API}/tps", {"district": "33.20.04", "limit": 3, "offset": offset}).json())
    ]
    assert len(all_codes) == len(set(all_codes)) == 7


def test_a_page_beyond_the_end_is_empty_and_points_back_to_the_last_page(api: TokenClient) -> None:
    body = api.get(f"{API}/tps", {"limit": 4, "offset": 100}).json()
    assert body["count"] == 9 and body["items"] == [] and body["next"] is None
    assert "offset=8" in body["previous"]


def test_page_size_up_to_the_maximum_and_not_beyond(api: TokenClient) -> None:
    assert api.get(f"{API}/tps", {"limit": MAX_LIMIT}).json()["count"] == 9
    for bad in (MAX_LIMIT + 1, 0, -1):
        response = api.get(f"{API}/tps", {"limit": bad})
        assert response.status_code == 422
        assert response.json()["detail"][0]["loc"] == ["query", "limit"]
    response = api.get(f"{API}/tps", {"offset": -1})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["query", "offset"]


# --- error bodies -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bbox",
    [
        "1,2,3",  # three numbers
        "1,2,3,4,5",
        "a,b,c,d",
        "110.9,-6.8,110.7,-6.6",  # west > east
        "110.7,-6.6,110.9,-6.8",  # south > north
        "200,-6.8,210,-6.6",  # longitude out of range
        "110,-95,111,-6",  # latitude out of range
        "nan,-6.8,110.9,-6.6",
        "inf,-6.8,110.9,-6.6",
        "",
        ",,,",
    ],
)
def test_malformed_bbox_is_422_naming_bbox(api: TokenClient, bbox: str) -> None:
    response = api.get(f"{API}/tps", {"bbox": bbox})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["detail"][0]["loc"] == ["query", "bbox"] and body["detail"][0]["msg"]


@pytest.mark.parametrize(
    ("params", "field", "names"),
    [
        ({"district": "33.20.99"}, "district", "33.20.99"),  # well-formed, unknown
        ({"district": "33.20"}, "district", "33.20"),  # a regency code given as district
        ({"village": "33.20.04"}, "village", "33.20.04"),
        ({"regency": "12.34.56.7890.1"}, "regency", "12.34.56.7890.1"),
        ({"district": "abc"}, "district", ""),  # not digits: refused by the pattern
        ({"parent": "99"}, "parent", "99"),
    ],
)
def test_unknown_or_wrong_filter_codes_are_422_naming_field_and_code(
    api: TokenClient, params: dict[str, str], field: str, names: str
) -> None:
    route = "/regions" if field == "parent" else "/tps"
    response = api.get(f"{API}{route}", params)
    assert response.status_code == 422
    problem = response.json()["detail"][0]
    assert problem["loc"][-1] == field
    assert names in problem["msg"]


def test_unknown_path_codes_are_404_naming_the_code(api: TokenClient) -> None:
    for url, code in [
        ("/regions/33.99", "33.99"),
        ("/regions/xyz", "xyz"),
        ("/tps/33.20.04.2001.999", "33.20.04.2001.999"),
        ("/tps/nonsense", "nonsense"),
    ]:
        response = api.get(f"{API}{url}")
        assert response.status_code == 404, url
        assert response.json() == {"detail": response.json()["detail"], "code": "not_found"}
        assert code in response.json()["detail"]


def test_bad_level_and_boundary_flags_are_422(api: TokenClient) -> None:
    response = api.get(f"{API}/regions", {"level": "planet"})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["query", "level"]
    response = api.get(f"{API}/regions/33.20", {"boundary": "perhaps"})
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["query", "boundary"]
