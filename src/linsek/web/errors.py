"""Domain exceptions turned into page answers, in one place.

Every page and layer view is wrapped by :func:`page` (HTML) or :func:`layer` (JSON): both require a
login, and turn :class:`~linsek.core.errors.NotFound` into 404 and :class:`~linsek.core.errors.Forbidden`
into 403, so that no view has to remember either.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import orjson
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from linsek.core.errors import DomainError, Forbidden, NotFound, ValidationFailed

View = Callable[..., HttpResponse]


def page(view: View) -> View:
    """A page for signed-in users; NotFound → the 404 page, Forbidden → the 403 page."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from exc
        except Forbidden as exc:
            _denial_record(request, exc)
            raise PermissionDenied(exc.message) from exc

    return wrapper


def _denial_record(request: HttpRequest, exc: Forbidden) -> None:
    """A refusal inside a view (the route matrix let the request through, the object's need-to-know did not) goes
    to the audit trail like the gate's own refusals (rate-limited per user and client)."""
    from linsek.accounts.denials import permission_denial_record

    permission_denial_record(actor=request.user, method=request.method or "", path=request.path, detail=exc.message)


def json_response(data: Any, *, status: int = 200) -> HttpResponse:
    """A JSON answer serialised with orjson (several times faster than ``json`` on large layers)."""
    return HttpResponse(orjson.dumps(data), status=status, content_type="application/json")


def json_error(status: int, code: str, message: str, **extra: Any) -> HttpResponse:
    """The error body of the layer endpoints: ``{"error": code, "message": ..., ...}``."""
    return json_response({"error": code, "message": message, **extra}, status=status)


def layer(view: View) -> View:
    """A JSON endpoint for the browser's map (session auth): 401/403/404/400 as JSON bodies, never a redirect."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return json_error(401, "unauthenticated", "login required")
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            return json_error(404, exc.code, exc.message)
        except Forbidden as exc:
            _denial_record(request, exc)
            return json_error(403, exc.code, exc.message)
        except ValidationFailed as exc:
            fields = [{"field": p.field, "message": p.message} for p in exc.problems]
            return json_error(400, exc.code, exc.message, fields=fields)
        except DomainError as exc:
            return json_error(400, exc.code, exc.message)

    return wrapper
