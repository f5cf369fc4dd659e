"""Give django-ninja's bare 405 answers the API's JSON error body."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

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
