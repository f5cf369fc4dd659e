"""The /api/v1 router assembly: one NinjaAPI, one router per domain, one error mapping.

Every operation requires authentication (a bearer token or the browser session, see ``auth.py``);
the OpenAPI document (``/api/v1/openapi.json``) and its explorer (``/api/v1/docs``) are public.
"""

from __future__ import annotations

from http import HTTPStatus
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
tokens with `linsek token create USERNAME --name NAME --role ROLE`, a user with `tokens.manage` with
`POST /api/v1/tokens` from a logged-in browser. A token acts as one role of its user (chosen when it is issued)
and for the user's organisation only. The browser's session works too; unsafe methods then need the
`X-CSRFToken` header.

**Codes** are Kemendagri's, dotted (`33.20.04`) or undotted (`332004`); a TPS is its village code plus a
three-digit number (`33.20.04.2001.001`).

**Lists** are pages: `limit` (1–1000, default 100) and `offset`; the answer has `count`, `items`, and the
`next`/`previous` URLs (null at either end).

**Errors** are JSON: `{"detail": "...", "code": "..."}`, or for invalid input (422)
`{"detail": [{"loc": ["query", "bbox"], "msg": "...", "type": "..."}], "code": "invalid"}`, where the last
element of `loc` names the field.
"""


class LinsekAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document states the error answers the shared machinery gives any operation.

    Authentication, CSRF, the two-factor gate, parameter validation and the error mapping are set once on
    the API, so the routers need not repeat in each ``response=`` what every operation may answer:

    - 401 (no or bad credentials) and 403 (a capability, the CSRF check of a session, the two-factor gate)
      for every authenticated operation;
    - 404 for an operation with path parameters (the object is missing or hidden);
    - 422 for an operation that takes parameters or a body (ninja's validation, a domain rule);
    - 400 for an operation with a body (not JSON, too large).

    A router still declares its own other answers (a 409 conflict, a 207 batch).
    """

    def get_openapi_schema(self, *args: Any, **kwargs: Any) -> Any:
        schema = super().get_openapi_schema(*args, **kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if not isinstance(operation, dict) or not operation.get("security"):
                    continue
                places = {p.get("in") for p in operation.get("parameters", [])}
                has_body = "requestBody" in operation
                wanted = [401, 403]
                if "path" in places:
                    wanted.append(404)
                if places or has_body:
                    wanted.append(422)
                if has_body:
                    wanted.append(400)
                responses = operation.setdefault("responses", {})
                for status in wanted:
                    if status not in responses and str(status) not in responses:  # ninja keys responses by int
                        responses[status] = _error_response(status)
        return schema


def _error_response(status: int) -> dict[str, Any]:
    name = "ValidationErrorOut" if status == 422 else "ErrorOut"
    return {
        "description": HTTPStatus(status).phrase,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{name}"}}},
    }


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
