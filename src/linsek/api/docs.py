"""The OpenAPI explorer at ``/api/v1/docs``, working offline.

django-ninja serves its bundled Swagger UI only when ``ninja`` is in INSTALLED_APPS and otherwise
renders a page that loads Swagger from cdn.jsdelivr.net — which a command post without internet cannot
reach. This page uses the files bundled in the installed django-ninja package instead, served by
:func:`docs_asset` from the package directory (a fixed list of names, never a path from the request),
so that it works whatever INSTALLED_APPS and ``collectstatic`` say.
"""

from __future__ import annotations

import json
import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING, Any

import ninja
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from ninja.openapi.docs import DocsBase

from linsek.core.errors import NotFound

if TYPE_CHECKING:
    from ninja import NinjaAPI

NINJA_STATIC = Path(ninja.__file__).parent / "static" / "ninja"
DOCS_ASSETS = frozenset({"swagger-ui-bundle.js", "swagger-ui-init.js", "swagger-ui.css", "favicon.svg", "favicon.png"})
ASSET_MAX_AGE = 24 * 3600


class OfflineSwagger(DocsBase):
    """Swagger UI from the installed package's own files; CSRF header added for session "try it out"."""

    # validatorUrl None: Swagger UI would otherwise send the spec to validator.swagger.io for a badge.
    settings: dict[str, Any] = {"layout": "BaseLayout", "deepLinking": True, "validatorUrl": None}

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        settings = {**self.settings, "url": self.get_openapi_url(api, kwargs)}
        context = {
            "api": api,
            # "<" escaped so that no value can close the <script> element that carries the JSON.
            "swagger_settings": json.dumps(settings).replace("<", "\\u003c"),
            # The asset route's URL without its last segment: the template appends each file name.
            "assets": reverse(f"{api.urls_namespace}:docs_asset", kwargs={"name": "x"})[:-1],
        }
        return render(request, "api/swagger.html", context)


def docs_asset(name: str) -> FileResponse:
    """One of the bundled Swagger files, cached by the browser for a day."""
    if name not in DOCS_ASSETS:
        raise NotFound("not found")
    path = NINJA_STATIC / name
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(path.open("rb"), content_type=content_type)
    response["Cache-Control"] = f"public, max-age={ASSET_MAX_AGE}"
    return response
