"""The first gate of every request: the route × role matrix (``rules/routes.json``) applied before the view.

Pages and layers: :class:`RouteGateMiddleware` resolves the URL name in ``process_view`` (after the session,
the user and the second factor are known) and answers an anonymous caller with the login redirect (pages) or
a 401 body (JSON layers), a signed-in caller without the rule's capability with 403.

API operations: the bearer token is only known once django-ninja has authenticated the request, and one URL
pattern serves several operations (GET and POST of ``/tokens``), so the gate is installed on each operation
instead: :func:`api_gate_install` wraps its checks so that right after authentication — before the body is
validated and before the view — the operation's matrix entry is consulted and a refusal becomes the API's
403 body. The views' own object-level checks (``access_*``) stay as they are.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import orjson
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, get_resolver
from django.views.defaults import page_not_found, permission_denied
from ninja.operation import Operation, PathView

from linsek.accounts.routes import Rule, Verdict, route_matrix, route_verdict
from linsek.core.errors import DomainError, Forbidden, NotFound
from linsek.web.errors import json_error

logger = logging.getLogger("linsek.accounts.route_gate")

GATE_HEADER = "X-Linsek-Gate"  # set on every refusal made here, so tests can tell the gate from a view


def _denial_detail(name: str, rule: Rule | None) -> str:
    return f"perlu hak '{rule.label()}' untuk {name}" if rule is not None else f"rute {name} tidak ada di matriks"


def _hides(name: str, method: str) -> bool:
    """Whether to refuse a read like a hidden object (404) rather than with 403 (routes in ``hidden_as_missing``);
    a write to an object the caller may read but not change stays a 403."""
    entry = route_matrix().entry(name)
    return entry is not None and entry.refuse == "not_found" and method.upper() in ("GET", "HEAD", "OPTIONS")


def _denial_record(request: HttpRequest, detail: str) -> None:
    from linsek.accounts.denials import permission_denial_record

    permission_denial_record(actor=request.user, method=request.method or "", path=request.path, detail=detail)


def ninja_path_view(view: Any) -> PathView | None:
    """The django-ninja ``PathView`` behind a resolved view function (its closure), or None for other views."""
    for cell in getattr(view, "__closure__", None) or ():
        try:
            contents = cell.cell_contents
        except ValueError:  # an empty cell
            continue
        if isinstance(contents, PathView):
            return contents
    return None


def url_names(
    patterns: list[Any] | None = None, namespace: str = "", prefix: str = ""
) -> Iterator[tuple[str, str, Any]]:
    """Every URL pattern of the project: (``namespace:name``, route, callback), recursively."""
    for p in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from url_names(p.url_patterns, ns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            # Django names an unnamed pattern by its view's dotted path (ResolverMatch.view_name).
            own = p.name or f"{p.callback.__module__}.{getattr(p.callback, '__qualname__', '')}"
            name = f"{namespace}:{own}" if namespace else own
            yield name, prefix + str(p.pattern), p.callback


def api_operations() -> dict[int, tuple[str, Operation]]:
    """id(operation) → (its URL name, the operation), for every django-ninja operation in the URL conf.

    django-ninja emits one URL pattern per operation, in the order of ``PathView.operations``, all calling
    the same ``PathView``; the k-th pattern of a PathView therefore names its k-th operation.
    """
    seen: dict[int, int] = {}
    found: dict[int, tuple[str, Operation]] = {}
    for name, _route, callback in url_names():
        path_view = ninja_path_view(callback)
        if path_view is None:
            continue
        k = seen.get(id(path_view), 0)
        seen[id(path_view)] = k + 1
        if k < len(path_view.operations):
            operation = path_view.operations[k]
            # Keyed "api:<operation>" whatever namespace mounts the router (tests mount routers on their own APIs).
            found[id(operation)] = (f"api:{name.rsplit(':', 1)[-1]}", operation)
    return found


def _gated_checks(operation: Operation, name: str) -> Callable[[HttpRequest], HttpResponse | None]:
    original = getattr(operation, "_linsek_ungated_checks", None) or operation._run_checks
    operation._linsek_ungated_checks = original  # type: ignore[attr-defined]

    def run_checks(request: HttpRequest) -> HttpResponse | None:
        error = original(request)
        if error is not None:
            return error
        user = getattr(request, "auth", None) or getattr(request, "user", None)
        verdict, rule = route_verdict(user, name, request.method or "GET")
        if verdict is Verdict.ALLOW:
            return None
        if verdict is Verdict.METHOD:
            return HttpResponseNotAllowed(sorted(operation.methods))
        if verdict is Verdict.LOGIN:
            from ninja.errors import AuthenticationError

            response = operation.api.on_exception(request, AuthenticationError())
        elif _hides(name, request.method or "GET"):
            response = _api_refusal(operation, request, NotFound("tidak ditemukan"), 404)
        else:
            response = _api_refusal(operation, request, Forbidden(_denial_detail(name, rule)), 403)
        response[GATE_HEADER] = "refused"
        return response

    run_checks.linsek_gate = name  # type: ignore[attr-defined]
    return run_checks


def _api_refusal(operation: Operation, request: HttpRequest, exc: DomainError, status: int) -> HttpResponse:
    """The API's own answer to ``exc`` (linsek's NinjaAPI maps and records it); a bare NinjaAPI without those
    handlers (tests mount routers on their own) gets the same body from here."""
    try:
        return operation.api.on_exception(request, exc)
    except DomainError:
        body = orjson.dumps({"detail": exc.message, "code": exc.code})
        return HttpResponse(body, status=status, content_type="application/json")


def api_gate_install() -> int:
    """Put the matrix check behind authentication of every API operation (idempotent); returns how many."""
    installed = 0
    for name, operation in api_operations().values():
        if getattr(operation._run_checks, "linsek_gate", None) == name:
            continue
        if getattr(operation, "is_async", False):
            raise RuntimeError(f"route gate: async operation {name} is not supported; add it to route_gate")
        operation._run_checks = _gated_checks(operation, name)  # type: ignore[method-assign,assignment]
        installed += 1
    return installed


class RouteGateMiddleware:
    """Refuse a request the route matrix does not allow, before its view runs (see the module docstring)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        route_matrix()  # a broken matrix stops the server at start, not at the first request
        api_gate_install()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if ninja_path_view(view) is not None:
            return None  # gated per operation after authentication (api_gate_install)
        match = request.resolver_match
        name = match.view_name if match is not None else ""
        if match is not None and getattr(view, "func", view).__module__.startswith("ninja."):
            name = f"api:{match.url_name}"  # the OpenAPI views of any NinjaAPI (tests mount their own)
        verdict, rule = route_verdict(request.user, name, request.method or "GET")
        if verdict is Verdict.ALLOW:
            return None
        entry = route_matrix().entry(name)
        if entry is None:
            logger.error("route %r (%s) is not in the route matrix: refused; add it to routes.json", name, request.path)
        as_json = entry is None or entry.answer == "json"
        if verdict is Verdict.METHOD:
            allowed = sorted(entry.methods()) if entry is not None else []
            response: HttpResponse = HttpResponseNotAllowed(allowed)
        elif verdict is Verdict.LOGIN:
            if as_json:
                response = json_error(401, "unauthenticated", "login required")
            else:
                response = redirect_to_login(request.get_full_path())
        elif _hides(name, request.method or "GET"):
            response = (
                json_error(404, "not_found", "tidak ditemukan") if as_json else page_not_found(request, Http404())
            )
        else:
            detail = _denial_detail(name, rule)
            _denial_record(request, detail)
            if as_json:
                response = json_error(403, "forbidden", detail)
            else:
                response = permission_denied(request, PermissionDenied(detail))  # the site's 403 page
        response[GATE_HEADER] = "refused"
        return response
