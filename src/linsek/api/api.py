"""The /api/v1 router assembly: one NinjaAPI, one router per domain, one error mapping.

Every operation requires authentication (a bearer token or the browser session, see ``auth.py``);
the OpenAPI document (``/api/v1/openapi.json``) and its explorer (``/api/v1/docs``) are public.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import NinjaAPI, Router

from linsek.accounts.api import router as accounts_router
from linsek.agencies.api import router as agencies_router
from linsek.api.auth import API_AUTH
from linsek.api.docs import OfflineSwagger, docs_asset
from linsek.api.errors import errors_register
from linsek.cases.api import router as cases_router
from linsek.coord.api import router as coord_router
from linsek.core.errors import NotFound
from linsek.deploy.api import router as deploy_router
from linsek.incidents.api import router as reports_router
from linsek.regions.api import router as regions_router
from linsek.reports.api import router as sitrep_router
from linsek.risk.api import router as risk_router

DESCRIPTION = """\
Cross-sector election security coordination: regions, polling stations (TPS), organisations and people.

**Authentication.** Machine clients send `Authorization: Bearer lsk_<prefix>_<secret>`; an operator issues
tokens with `linsek token create USERNAME --name NAME`, a user with `tokens.manage` with `POST /api/v1/tokens`
from a logged-in browser. The browser's session works too; unsafe methods then need the `X-CSRFToken` header.

**Codes** are Kemendagri's, dotted (`33.20.04`) or undotted (`332004`); a TPS is its village code plus a
three-digit number (`33.20.04.2001.001`).

**Lists** are pages: `limit` (1–1000, default 100) and `offset`; the answer has `count`, `items`, and the
`next`/`previous` URLs (null at either end).

**Errors** are JSON: `{"detail": "...", "code": "..."}`, or for invalid input (422)
`{"detail": [{"loc": ["query", "bbox"], "msg": "...", "type": "..."}], "code": "invalid"}`, where the last
element of `loc` names the field.
"""


class LinsekAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document states the 401 answer of every authenticated operation.

    Authentication is set once on the API, so the routers need not repeat the 401 in each ``response=``.
    """

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        unauthenticated = {
            "description": "Unauthorized",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
        }
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if isinstance(operation, dict) and operation.get("security"):
                    responses = operation.setdefault("responses", {})
                    if 401 not in responses and "401" not in responses:  # ninja keys responses by int
                        responses[401] = unauthenticated
        return schema


api = LinsekAPI(
    title="linsek API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    auth=API_AUTH,
    docs=OfflineSwagger(),
)
errors_register(api)

# Domain routers: add new ones here, above the fallback at the end of this module.
api.add_router("", regions_router)
api.add_router("", agencies_router)
api.add_router("", accounts_router)
api.add_router("/reports", reports_router)
api.add_router("/risk", risk_router)
api.add_router("/deploy", deploy_router)
api.add_router("/cases", cases_router)
api.add_router("/koordinasi", coord_router)
api.add_router("/laporan-situasi", sitrep_router)


@api.get("/docs/assets/{name}", auth=None, include_in_schema=False, url_name="docs_asset")
def docs_asset_get(request: HttpRequest, name: str) -> FileResponse:
    return docs_asset(name)


# Added last so that it matches only what no route above matched: a JSON 404 instead of the site's page.
fallback = Router()


@fallback.api_operation(["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=None, include_in_schema=False)
def not_found(request: HttpRequest, rest: str) -> None:
    raise NotFound("no such API route")


api.add_router("", fallback)
