"""Nothing a client sends makes the API answer 500: garbage in every parameter of every route.

The routes and their parameters are read from the OpenAPI document, so a new route is fuzzed too.
Hypothesis runs derandomised (the same examples on every run) and without an example database.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import SmallJepara
from linsek.api.api import api
from linsek.api.tests.conftest import API

PAYLOADS = [
    "",
    " ",
    "' OR '1'='1",
    "1; DROP TABLE regions_region; --",
    '"); DELETE FROM accounts_user; --',
    "<script>alert(1)</script>",
    "../../../../etc/passwd",
    "%00",
    "\x00",
    "\u202e\u0661\u0662",  # right-to-left override, Arabic-Indic digits
    "３３．２０",  # full-width digits
    "🗳️",
    "9" * 400,
    str(2**64),
    str(-(2**63) - 1),
    "1e309",
    "-0",
    "NaN",
    "Infinity",
    "1,2,3,4",
    "0,0,0,0",
    "-180,-90,180,90",
    "33.20.04",
    "3320042001001",
    "true",
    "null",
    "[]",
    "{}",
]

values = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(max_size=60),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.lists(st.sampled_from(["33", "20", "04", "2001", "001", ".", ",", "-", "e"]), max_size=8).map("".join),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=10,
)


def operations() -> list[tuple[str, str, list[str]]]:
    schema = api.get_openapi_schema(path_prefix=f"{API}/")
    return [
        (method, path, [p["name"] for p in op.get("parameters", []) if p["in"] == "query"])
        for path, ops in schema["paths"].items()
        for method, op in ops.items()
    ]


def assert_handled(response: Any, what: str) -> None:
    assert response.status_code < 500, (what, response.status_code, getattr(response, "content", b"")[:300])
    if response.status_code >= 400:
        assert response["Content-Type"].startswith("application/json"), what
        assert "detail" in response.json(), what


@pytest.fixture
def signed_in(jepara_small: SmallJepara) -> Client:
    """A browser-like session with CSRF enforced; unsafe requests carry the right token, so that the
    garbage reaches the validation instead of stopping at the door."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(jepara_small.users["command"])
    client.get(f"{API}/docs")
    client.defaults["HTTP_X_CSRFTOKEN"] = client.cookies["csrftoken"].value
    return client


CONTENT_TYPES = [
    "application/json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=zz",
    "application/json; charset=utf-16",
]


FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize(("method", "path", "query_names"), operations(), ids=lambda v: str(v))
@FUZZ
@given(data=st.data())
def test_garbage_never_causes_a_500(
    signed_in: Client, method: str, path: str, query_names: list[str], data: st.DataObject
) -> None:
    url = re.sub(r"\{\w+\}", lambda _: quote(data.draw(values, label="path"), safe=""), path)
    names = [*query_names, "unexpected", "limit", "offset"]
    params = data.draw(st.dictionaries(st.sampled_from(names), values, max_size=5), label="query")
    what = f"{method.upper()} {url} {params!r}"
    if method == "get":
        response = signed_in.get(url, params)
    elif method == "post":
        body = data.draw(st.one_of(json_values.map(json.dumps), st.text(max_size=80)), label="body")
        content_type = data.draw(st.sampled_from(CONTENT_TYPES), label="content type")
        query = "&".join(f"{quote(k)}={quote(v)}" for k, v in params.items())
        response = signed_in.post(f"{url}?{query}", body, content_type=content_type)
        what += f" {content_type} body={body!r}"
    else:
        response = getattr(signed_in, method)(url)
    assert_handled(response, what)


@FUZZ
@given(
    header=st.one_of(
        st.text(max_size=80),
        st.text(max_size=80).map(lambda t: f"Bearer {t}"),
        st.sampled_from(PAYLOADS).map(lambda t: f"Bearer lsk_{t}"),
    )
)
def test_garbage_authorization_headers_are_401(jepara_small: SmallJepara, header: str) -> None:
    response = Client().get(f"{API}/regions", headers={"Authorization": header})
    if header.strip() == "":
        assert response.status_code == 401  # no credentials at all
    else:
        assert response.status_code == 401, header
        assert response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_in_every_text_filter_are_4xx_or_empty(signed_in: Client, payload: str) -> None:
    for path, names in [
        ("/regions", ["parent", "q", "level"]),
        ("/tps", ["regency", "district", "village", "bbox"]),
        ("/organisations", ["type", "covers"]),
        ("/people", ["organisation", "duty_role"]),
    ]:
        for name in names:
            response = signed_in.get(f"{API}{path}", {name: payload})
            assert_handled(response, f"{path}?{name}={payload!r}")
            if response.status_code == 422:
                assert response.json()["detail"][0]["loc"][-1] == name


def test_oversized_and_repeated_query_strings_are_handled(signed_in: Client) -> None:
    assert_handled(signed_in.get(f"{API}/tps", {"district": "3" * 100_000}), "long value")
    many = "&".join(f"k{i}=v" for i in range(5000))
    assert_handled(signed_in.get(f"{API}/tps?{many}"), "many fields")
    assert_handled(signed_in.get(f"{API}/tps?limit=1&limit=2&limit=abc"), "repeated limit")
