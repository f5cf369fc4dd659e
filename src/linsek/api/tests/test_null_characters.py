"""A NUL character in any API input is a 422 naming the field, on every router and both databases."""

from __future__ import annotations

import pytest
from django.test import Client

from conftest import SmallJepara


@pytest.mark.parametrize("path", ["/api/v1/reports", "/api/v1/tps", "/api/v1/regions", "/api/v1/organisations"])
def test_nul_in_a_filter_is_a_client_error(jepara_small: SmallJepara, path: str) -> None:
    client = Client()
    client.force_login(jepara_small.users["command"])
    response = client.get(path, {"kind": "a\x00b", "district": "\x00"})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "query"


def test_nul_in_a_json_body_is_a_client_error(jepara_small: SmallJepara) -> None:
    client = Client(enforce_csrf_checks=False)
    client.force_login(jepara_small.users["command"])
    response = client.post("/api/v1/tokens", data='{"name": "a\\u0000b"}', content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "name"]
