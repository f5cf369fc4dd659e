"""Request-scoped context: a request id for the audit trail and logs."""

from __future__ import annotations

import contextvars
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("linsek_request_id", default="")
current_client_addr: contextvars.ContextVar[str] = contextvars.ContextVar("linsek_client_addr", default="")


class RequestIdMiddleware:
    """Give every request an id (honouring a sane incoming X-Request-ID) and echo it back."""

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if incoming and len(incoming) <= 64 and incoming.isprintable() else uuid.uuid4().hex
        token_id = current_request_id.set(rid)
        token_addr = current_client_addr.set(request.META.get("REMOTE_ADDR", "") or "")
        try:
            response: HttpResponse = self.get_response(request)
        finally:
            current_request_id.reset(token_id)
            current_client_addr.reset(token_addr)
        response["X-Request-ID"] = rid
        return response


class ServerTimingMiddleware:
    """Report the time Django spent on a request in a ``Server-Timing`` header (read by benchmarks and ops)."""

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response: HttpResponse = self.get_response(request)
        response["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.2f}"
        return response
