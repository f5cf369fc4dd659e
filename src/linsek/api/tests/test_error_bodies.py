"""Domain exceptions become one JSON shape, in one place (``linsek.api.errors``)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import SuspiciousOperation
from django.test import RequestFactory

from linsek.api.api import api
from linsek.core.errors import FieldProblem, Forbidden, NotFound, ValidationFailed


@pytest.mark.parametrize(
    ("exc", "status", "body"),
    [
        (
            NotFound("wilayah '99' tidak ditemukan"),
            404,
            {"detail": "wilayah '99' tidak ditemukan", "code": "not_found"},
        ),
        (Forbidden("perlu hak 'x'"), 403, {"detail": "perlu hak 'x'", "code": "forbidden"}),
        (
            ValidationFailed("bad", [FieldProblem("query.bbox", "four numbers"), FieldProblem("name", "too long")]),
            422,
            {
                "detail": [
                    {"loc": ["query", "bbox"], "msg": "four numbers", "type": "value_error"},
                    {"loc": ["name"], "msg": "too long", "type": "value_error"},
                ],
                "code": "invalid",
            },
        ),
        (
            SuspiciousOperation("too many fields"),
            400,
            {"detail": "request rejected: malformed or too large", "code": "bad_request"},
        ),
    ],
)
@pytest.mark.django_db  # a 403 is also recorded in the audit trail (accounts.denials)
def test_exceptions_map_to_status_and_body(exc: Exception, status: int, body: dict[str, Any]) -> None:
    response = api.on_exception(RequestFactory().get("/api/v1/x"), exc)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content) == body


def test_an_unexpected_exception_is_a_json_500_with_the_request_id(caplog: pytest.LogCaptureFixture) -> None:
    response = api.on_exception(RequestFactory().get("/api/v1/x"), RuntimeError("boom"))
    assert response.status_code == 500
    assert b'"code": "server_error"' in response.content and b"boom" not in response.content
    assert "boom" in caplog.text
