"""Map layers: TPS points, per-area aggregates, boundaries — counts, errors, constant queries."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable

import orjson
import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from conftest import SmallJepara
from linsek.regions.models import Region
from linsek.regions.services import rollups_refresh
from linsek.web.maps import TPS_POINTS_MAX
from linsek.web.tests.conftest import sign_in
from tests.factories import PollingStationFactory, UserFactory

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[110.7, -6.8], [110.9, -6.8], [110.9, -6.6], [110.7, -6.6], [110.7, -6.8]]],
}


@pytest.mark.parametrize(("region", "count"), [("33", 9), ("33.20", 9), ("33.20.04", 7), ("33.20.04.2001", 4)])
def test_tps_layer_returns_every_tps_of_the_region_as_compact_rows(
    signed_in: Callable[[str], Client], region: str, count: int
) -> None:
    response = signed_in("viewer").get("/peta/tps.json", {"region": region})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    layer = response.json()
    assert layer["fields"] == ["code", "lat", "lon", "voters", "status"]
    assert len(layer["rows"]) == count
    assert layer["statuses"][0]["code"] == "registered" and layer["statuses"][0]["colour"].startswith("#")
    code, lat, lon, voters, status = layer["rows"][0]
    assert code.startswith(region + ".") and isinstance(lat, float) and isinstance(lon, float)
    assert voters == 245 and status == 0


def test_tps_layer_leaves_out_tps_without_coordinates_and_says_so(
    signed_in: Callable[[str], Client], jepara_small: SmallJepara
) -> None:
    PollingStationFactory.create(village=jepara_small.villages["Pule"], number=9, lat=None, lon=None)
    layer = signed_in("viewer").get("/peta/tps.json", {"region": "33.20.04.2002"}).json()
    assert len(layer["rows"]) == 3 and layer["missing_coordinates"] == 1


def test_tps_layer_refuses_points_for_a_large_region(
    signed_in: Callable[[str], Client], jepara_small: SmallJepara
) -> None:
    Region.objects.filter(code="33").update(tps_count=TPS_POINTS_MAX + 1)  # a whole province
    response = signed_in("viewer").get("/peta/tps.json", {"region": "33"})
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "too_many_points"
    assert body["areas"] == "/peta/wilayah.json?parent=33&level=regency"


@pytest.mark.parametrize(
    ("query", "status", "error"),
    [
        ({}, 400, "invalid"),
        ({"region": "99.99"}, 404, "not_found"),
        ({"region": "x"}, 404, "not_found"),
    ],
)
def test_tps_layer_client_mistakes_are_4xx_json(
    signed_in: Callable[[str], Client], query: dict[str, str], status: int, error: str
) -> None:
    response = signed_in("viewer").get("/peta/tps.json", query)
    assert response.status_code == status
    assert response.json()["error"] == error


def test_a_user_without_regions_view_sees_no_region(jepara_small: SmallJepara, client: Client) -> None:
    nobody = UserFactory.create(username="tanpa-peran")
    response = sign_in(client, nobody).get("/peta/tps.json", {"region": "33.20"})
    assert response.status_code == 404


def test_tps_layer_is_gzipped_for_browsers_that_accept_it(signed_in: Callable[[str], Client]) -> None:
    response = signed_in("viewer").get("/peta/tps.json", {"region": "33.20"}, HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    assert len(json.loads(gzip.decompress(response.content))["rows"]) == 9


def test_areas_layer_aggregates_children_from_rollups(signed_in: Callable[[str], Client]) -> None:
    layer = signed_in("viewer").get("/peta/wilayah.json", {"parent": "33.20"}).json()
    assert layer["level"] == "district"
    assert layer["fields"] == ["code", "name", "lat", "lon", "tps", "voters_male", "voters_female", "voters"]
    rows = {row[0]: row for row in layer["rows"]}
    assert set(rows) == {"33.20.04", "33.20.10"}
    assert rows["33.20.04"][4] == 7 and rows["33.20.10"][4] == 2
    assert rows["33.20.04"][7] == 7 * 245


def test_areas_layer_national_and_nested_levels(signed_in: Callable[[str], Client]) -> None:
    client = signed_in("viewer")
    national = client.get("/peta/wilayah.json", {"level": "regency"}).json()
    assert [r[0] for r in national["rows"]] == ["33.20"] and national["rows"][0][4] == 9
    villages = client.get("/peta/wilayah.json", {"parent": "33.20", "level": "village"}).json()
    assert [r[0] for r in villages["rows"]] == ["33.20.04.2001", "33.20.04.2002", "33.20.10.2001"]
    assert [r[4] for r in villages["rows"]] == [4, 3, 2]


@pytest.mark.parametrize(
    "query",
    [
        {"level": "village"},  # 83,731 villages of the whole country: never in one answer
        {"level": "kota"},
        {"parent": "33.20", "level": "province"},
        {"parent": "33.20.04.2001"},
    ],
)
def test_areas_layer_refuses_bad_levels(signed_in: Callable[[str], Client], query: dict[str, str]) -> None:
    response = signed_in("viewer").get("/peta/wilayah.json", query)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid" and body["fields"]


def test_boundaries_layer_serves_loaded_outlines_as_geojson(
    signed_in: Callable[[str], Client], jepara_small: SmallJepara
) -> None:
    client = signed_in("viewer")
    assert client.get("/peta/batas.json", {"parent": "33.20"}).json() == {"type": "FeatureCollection", "features": []}
    Region.objects.filter(code="33.20.04").update(boundary=json.dumps(SQUARE))
    Region.objects.filter(code="33.20.10").update(
        boundary=json.dumps({"type": "Feature", "properties": {}, "geometry": SQUARE})
    )
    collection = client.get("/peta/batas.json", {"parent": "33.20"}).json()
    assert [f["properties"]["code"] for f in collection["features"]] == ["33.20.04", "33.20.10"]
    assert all(f["geometry"] == SQUARE for f in collection["features"])
    assert client.get("/peta/batas.json", {"level": "district"}).status_code == 400


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    ["/peta/tps.json?region=33.20", "/peta/wilayah.json?parent=33.20&level=village", "/peta/batas.json?parent=33"],
)
def test_layers_cost_the_same_queries_whatever_the_number_of_rows(
    signed_in: Callable[[str], Client], jepara_small: SmallJepara, url: str
) -> None:
    client = signed_in("viewer")
    before = _queries(client, url)
    village = Region.objects.create(
        code="33.20.04.2003",
        name="Bungu",
        level="village",
        kind="desa",
        parent=jepara_small.mayong,
        lat=-6.7,
        lon=110.8,
    )
    for n in range(1, 41):
        PollingStationFactory.create(village=village, number=n, lat=-6.7, lon=110.8)
    rollups_refresh()
    assert _queries(client, url) == before
    assert before <= 8
    layer = orjson.loads(client.get(url).content)
    if "rows" in layer and url.startswith("/peta/tps"):
        assert len(layer["rows"]) == 49
