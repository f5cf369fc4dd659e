"""Every route needs authentication; the OpenAPI document lists every route with ids, tags and auth;
the explorer works without internet."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from conftest import SmallJepara
from linsek.api.api import api
from linsek.api.tests.conftest import API

# Sample path values that exist in the small Jepara, so that a 401 is not a 404 in disguise; any other
# path parameter (of routes added later) gets "1".
PATH_SAMPLES = {
    "/api/v1/tps/{code}": "33.20.04.2001.001",
    "/api/v1/organisations/{code}": "polsek-mayong",
    "{code}": "33.20.04",
    "{prefix}": "abcdefghij",
}
# The routes this module's routers own; other domains' routers add theirs to the same document.
EXPECTED_OPERATIONS = {
    ("get", "/api/v1/regions"): "regions_list",
    ("get", "/api/v1/regions/{code}"): "region_get",
    ("get", "/api/v1/regions/{code}/children"): "region_children",
    ("get", "/api/v1/tps"): "tps_list",
    ("get", "/api/v1/tps/{code}"): "tps_get",
    ("get", "/api/v1/organisations"): "organisations_list",
    ("get", "/api/v1/organisations/{code}"): "organisation_get",
    ("get", "/api/v1/people"): "people_list",
    ("get", "/api/v1/people/{person_id}"): "person_get",
    ("get", "/api/v1/me"): "me_get",
    ("get", "/api/v1/tokens"): "tokens_list",
    ("post", "/api/v1/tokens"): "token_create",
    ("delete", "/api/v1/tokens/{prefix}"): "token_revoke",
}


def operations() -> list[tuple[str, str, dict[str, Any]]]:
    schema = api.get_openapi_schema(path_prefix=f"{API}/")
    return [(method, path, op) for path, ops in schema["paths"].items() for method, op in ops.items()]


def concrete(path: str) -> str:
    value = PATH_SAMPLES.get(path)
    if value is not None:
        return re.sub(r"\{\w+\}", value, path)
    return re.sub(r"\{\w+\}", lambda m: PATH_SAMPLES.get(m.group(0), "1"), path)


def test_openapi_document_loads_and_lists_every_route(client: Client) -> None:
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    doc = response.json()
    found = {(m, p): op["operationId"] for p, ops in doc["paths"].items() for m, op in ops.items()}
    assert EXPECTED_OPERATIONS.items() <= found.items()
    assert len(set(found.values())) == len(found)  # operation ids are unique
    assert set(doc["components"]["securitySchemes"]) == {"BearerToken", "SessionCookie"}
    assert doc["components"]["securitySchemes"]["BearerToken"]["scheme"] == "bearer"
    for (method, path), _ in found.items():
        op = doc["paths"][path][method]
        assert op["tags"] and op["summary"], (method, path)
        assert {next(iter(s)) for s in op["security"]} <= {"BearerToken", "SessionCookie"}
        assert "401" in op["responses"], (method, path)


def test_token_create_is_documented_as_session_only() -> None:
    op = next(op for m, p, op in operations() if op["operationId"] == "token_create")
    assert [next(iter(s)) for s in op["security"]] == ["SessionCookie"]


ALL_OPERATIONS = sorted((method, path) for method, path, _ in operations())


@pytest.mark.parametrize(("method", "path"), ALL_OPERATIONS)
def test_every_route_is_401_without_credentials(jepara_small: SmallJepara, method: str, path: str) -> None:
    client = Client()
    url = concrete(path)
    response = client.get(url) if method == "get" else getattr(client, method)(url, content_type="application/json")
    assert response.status_code == 401, (method, url, response.content)
    assert response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize(("method", "path"), sorted(k for k in EXPECTED_OPERATIONS if k[0] == "get"))
def test_every_read_route_accepts_the_session(
    jepara_small: SmallJepara, client: Client, method: str, path: str
) -> None:
    client.force_login(jepara_small.users["command"])
    person_id = jepara_small.users["command"].person_id
    url = concrete(path).replace("/people/1", f"/people/{person_id}")
    response = client.get(url)
    assert response.status_code == 200, (url, response.content)


def test_unknown_api_routes_answer_json_404(jepara_small: SmallJepara, client: Client) -> None:
    for url in (f"{API}/nope", f"{API}/regions/33.20/nope/deeper", f"{API}/regions/"):
        response = client.get(url)
        assert response.status_code == 404 and response.json()["code"] == "not_found", url


def test_docs_page_uses_only_bundled_files(client: Client) -> None:
    response = client.get(f"{API}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cdn" not in html.lower() and "https://" not in html and "http://" not in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith(f"{API}/docs/assets/") for s in sources)
    for src in sources:
        asset = client.get(src)
        assert asset.status_code == 200, src
        assert int(asset["Content-Length"]) > 100
        assert "max-age" in asset["Cache-Control"]
        b"".join(asset.streaming_content)  # type: ignore[attr-defined]
    assert f'"url": "{API}/openapi.json"' in html


def test_docs_assets_serve_only_the_bundled_names(client: Client) -> None:
    for name in ("redoc.standalone.js", "..%2F..%2Fmain.py", "swagger-ui-bundle.js.map", "%00"):
        response = client.get(f"{API}/docs/assets/{name}")
        assert response.status_code == 404, name
