"""Give django-ninja's bare 405 answers the API's JSON error body."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse


class ApiMethodNotAllowedMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)
        if (
            response.status_code == 405
            and request.path.startswith("/api/")
            and "json" not in response.get("Content-Type", "")
        ):
            allowed = response.get("Allow", "")
            body = JsonResponse(
                {"detail": f"method {request.method} is not allowed here; allowed: {allowed}", "code": "method"},
                status=405,
            )
            body["Allow"] = allowed
            return body
        return response


class ApiNullCharacterMiddleware:
    """Refuse NUL characters in API input (query or JSON body) with a 422 naming the field.

    No text of ours may hold one, and PostgreSQL cannot store one: without this guard a NUL
    in any filter or field of any router would surface as a server error instead of a client error.
    """

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            try:
                field = self._field_with_nul(request)
            except SuspiciousOperation:  # too many fields, bad encoding: the API's own handler answers those
                field = None
            if field is not None:
                return JsonResponse(
                    {
                        "detail": [
                            {
                                "loc": list(field),
                                "msg": "must not contain NUL characters",
                                "type": "value_error",
                            }
                        ],
                        "code": "invalid",
                    },
                    status=422,
                )
        response: HttpResponse = self.get_response(request)
        return response

    @staticmethod
    def _field_with_nul(request: HttpRequest) -> tuple[str | int, ...] | None:
        """The location of the first NUL: ``("query", name)`` or ``("body", key, …)``; None when there is none."""
        for name, values in request.GET.lists():
            if any("\x00" in v for v in [name, *values]):
                return ("query", name)
        if request.content_type == "application/json" and b"\\u0000" in request.body:
            try:
                return ("body", *_nul_path(json.loads(request.body)))
            except ValueError:  # not JSON: the route's own validation answers
                return None
        return None


def _nul_path(value: Any) -> tuple[str | int, ...]:
    if isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in str(key):
                return (str(key),)
            found = _nul_path(item)
            if found or (isinstance(item, str) and "\x00" in item):
                return (str(key), *found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_path(item)
            if found or (isinstance(item, str) and "\x00" in item):
                return (index, *found)
    return ()
