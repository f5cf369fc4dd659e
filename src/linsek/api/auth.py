"""Who is calling the API: a bearer token (machine clients) or the browser's session (with CSRF).

Every operation runs both in this order. A request that carries an ``Authorization`` header is judged
by it alone: a malformed, unknown or revoked token is a 401 even if a session cookie came along, so
that a broken client fails loudly instead of silently acting as whoever is logged in to the browser.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from linsek.accounts.denials import token_rejection_record
from linsek.accounts.models import ApiToken
from linsek.accounts.policy import user_can
from linsek.accounts.tokens import TokenRejected, api_token_authenticate
from linsek.core.errors import Forbidden

AUTH_HEADER_MAX = 512


class BearerToken(HttpBearer):
    """``Authorization: Bearer lsk_<prefix>_<secret>`` (create one with ``linsek token create``)."""

    openapi_bearerFormat = "lsk_<prefix>_<secret>"

    def __call__(self, request: HttpRequest) -> Any:
        raw = request.headers.get("Authorization")
        if raw is None:
            return None
        scheme, _, value = raw.strip().partition(" ")
        if scheme.lower() != "bearer" or not value.strip() or len(raw) > AUTH_HEADER_MAX:
            token_rejection_record(reason="bad_header")
            raise AuthenticationError(message="Authorization header must be 'Bearer <token>'")
        return self.authenticate(request, value.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        result = api_token_authenticate(token)
        if isinstance(result, TokenRejected):
            token_rejection_record(reason=result.reason, prefix=result.prefix)
            raise AuthenticationError(message="invalid or revoked API token")
        request.api_token = result  # type: ignore[attr-defined]
        return result.user


class SessionCookie(APIKeyCookie):
    """The browser's Django session; unsafe methods must carry the CSRF token (``X-CSRFToken`` header).

    Unlike ninja's ``SessionAuth``, CSRF is checked only once a session has actually authenticated the
    request: an anonymous request is a plain 401, not a CSRF 403.
    """

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed: send the csrftoken cookie's value in X-CSRFToken")
        return user


bearer_auth = BearerToken()
session_auth = SessionCookie()
API_AUTH = [bearer_auth, session_auth]


def viewer_of(request: HttpRequest) -> Any:
    """The authenticated user of an API request (set by one of the two schemes above)."""
    return request.auth  # type: ignore[attr-defined]


def token_of(request: HttpRequest) -> ApiToken | None:
    """The token that authenticated this request, or None for a session."""
    return getattr(request, "api_token", None)


def require(viewer: Any, capability: str) -> None:
    """Forbidden unless the viewer holds the capability (for list routes; single objects use access_*)."""
    if not user_can(viewer, capability):
        raise Forbidden(f"perlu hak '{capability}'")
