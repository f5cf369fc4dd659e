"""Give django-ninja's bare 405 answers the API's JSON error body."""

from __future__ import annotations

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
                                "loc": ["query" if field != "body" else "body", field],
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
    def _field_with_nul(request: HttpRequest) -> str | None:
        field = next((k for k, values in request.GET.lists() if any("\x00" in v for v in [k, *values])), None)
        if field is None and request.content_type == "application/json" and b"\\u0000" in request.body:
            field = "body"
        return field
