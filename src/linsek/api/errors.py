"""Every error of the API turned into one JSON shape, in one place.

- ``{"detail": "<message>", "code": "<machine code>"}`` for 401, 403, 404, 405, 429;
- ``{"detail": [{"loc": [...], "msg": "...", "type": "..."}], "code": "invalid"}`` for 422, whether the
  input failed ninja's own parameter validation or a domain rule (:class:`ValidationFailed`): the
  last element of ``loc`` always names the field.

An unexpected exception is logged and answered with a JSON 500 carrying the request id, never a page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from linsek.accounts.denials import permission_denial_record
from linsek.core.errors import DomainError, Forbidden, NotFound, ValidationFailed
from linsek.core.middleware import current_request_id

logger = logging.getLogger("linsek.api")


class ErrorOut(Schema):
    detail: str
    code: str


class FieldErrorOut(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(Schema):
    detail: list[FieldErrorOut]
    code: str


def error_responses(*statuses: int) -> dict[int, Any]:
    """The documented error answers of an operation (for ``response={200: X, **error_responses(...)}``)."""
    return {status: ValidationErrorOut if status == 422 else ErrorOut for status in statuses}


_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    429: "throttled",
}


def _error(api: NinjaAPI, request: HttpRequest, status: int, code: str, detail: Any) -> HttpResponse:
    return api.create_response(request, {"detail": detail, "code": code}, status=status)


def field_error(loc: Sequence[str | int], msg: str, type_: str = "value_error") -> dict[str, Any]:
    return {"loc": list(loc), "msg": msg, "type": type_}


def _on(api: NinjaAPI, exc_class: type[Exception], handler: Callable[[HttpRequest, Any], HttpResponse]) -> None:
    api.add_exception_handler(exc_class, handler)


def errors_register(api: NinjaAPI) -> None:
    """Install the handlers on the API (called once where the NinjaAPI is assembled)."""

    def on_not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
        return _error(api, request, 404, exc.code, exc.message)

    def denial_record(request: HttpRequest, detail: str) -> None:
        actor = getattr(request, "auth", None)
        if actor is None:
            user = getattr(request, "user", None)
            actor = user if user is not None and user.is_authenticated else None
        permission_denial_record(actor=actor, method=request.method or "", path=request.path, detail=detail)

    def on_forbidden(request: HttpRequest, exc: Forbidden) -> HttpResponse:
        denial_record(request, exc.message)
        return _error(api, request, 403, exc.code, exc.message)

    def on_validation_failed(request: HttpRequest, exc: ValidationFailed) -> HttpResponse:
        problems = exc.problems or []
        detail = [field_error(p.field.split("."), p.message) for p in problems] or [field_error([], exc.message)]
        return _error(api, request, 422, exc.code, detail)

    def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return _error(api, request, 400, exc.code, exc.message)

    def on_ninja_validation(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        detail = [
            field_error(tuple(e.get("loc", ())), str(e.get("msg", "")), str(e.get("type", "value_error")))
            for e in exc.errors
        ]
        return _error(api, request, 422, "invalid", detail)

    def on_authentication(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        message = exc.message if exc.message != "Unauthorized" else "authentication required: Bearer token or session"
        response = _error(api, request, 401, "unauthenticated", message)
        response["WWW-Authenticate"] = 'Bearer realm="linsek"'
        return response

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        if exc.status_code == 403:  # a failed CSRF check of a session request
            denial_record(request, str(exc.message))
        return _error(api, request, exc.status_code, _HTTP_CODES.get(exc.status_code, "error"), exc.message)

    def on_http404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return _error(api, request, 404, "not_found", "not found")

    def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        denial_record(request, str(exc) or "forbidden")
        return _error(api, request, 403, "forbidden", "forbidden")

    def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
        # Too many query fields, an oversized body, a disallowed host: the client's doing, so a 400.
        return _error(api, request, 400, "bad_request", "request rejected: malformed or too large")

    def on_body_consumed(request: HttpRequest, exc: RawPostDataException) -> HttpResponse:
        # A multipart body sent to a JSON route: the session's CSRF check parsed it as a form, so the
        # raw body is gone. The client sent the wrong content type.
        return _error(api, request, 400, "bad_request", "this route takes a JSON body (Content-Type: application/json)")

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("unhandled error in %s %s", request.method, request.path, exc_info=exc)
        return _error(api, request, 500, "server_error", f"internal error; request id {current_request_id.get()}")

    _on(api, NotFound, on_not_found)
    _on(api, Forbidden, on_forbidden)
    _on(api, ValidationFailed, on_validation_failed)
    _on(api, DomainError, on_domain_error)
    _on(api, NinjaValidationError, on_ninja_validation)
    _on(api, AuthenticationError, on_authentication)
    _on(api, HttpError, on_http_error)
    _on(api, Http404, on_http404)
    _on(api, PermissionDenied, on_permission_denied)
    _on(api, SuspiciousOperation, on_suspicious)
    _on(api, RawPostDataException, on_body_consumed)
    _on(api, Exception, on_unexpected)
