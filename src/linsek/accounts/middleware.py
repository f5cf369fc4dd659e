"""Send a user who needs a second factor to /2fa/ until the session is verified."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse

from linsek.accounts.two_factor import two_factor_required

_ALLOWED_PREFIXES = ("/2fa/", "/logout/", "/static/", "/i18n/")


class TwoFactorRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            two_factor_required(user)
            and not user.is_verified()  # type: ignore[union-attr]
            and not request.path.startswith(_ALLOWED_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": "two-factor verification required: finish it at /2fa/ or use an API token"},
                    status=403,
                )
            return redirect(f"{reverse('two_factor')}?next={request.get_full_path()}")
        response: HttpResponse = self.get_response(request)
        return response
