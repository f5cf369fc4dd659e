"""``/api/v1/me`` and ``/api/v1/tokens``: who am I, and my API tokens.

A token is scoped to the caller's organisation and one of the caller's roles (``role`` at creation,
required when the caller holds several); requests made with it act with that role only.

Creating a token needs the browser session (and its CSRF token): a token can list and revoke its
user's tokens but never mint new ones, so a leaked token cannot outlive its own revocation.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema

from linsek.accounts.models import ApiToken
from linsek.accounts.policy import policy, user_can
from linsek.accounts.tokens import NAME_MAX, api_token_by_prefix, api_token_create, api_token_revoke, api_tokens_of
from linsek.api.auth import require, session_auth, token_of, viewer_of
from linsek.api.errors import error_responses

router = Router()


class OrganisationRef(Schema):
    code: str
    name: str
    type: str


class MeOut(Schema):
    username: str
    full_name: str
    roles: list[str] = Field(description="role codes (accounts/rules/policy.json)")
    organisation: OrganisationRef | None = None
    capabilities: list[str] = Field(description="what the caller may do, as capability codes")
    auth: str = Field(description="'token' or 'session'")
    token_prefix: str | None = Field(None, description="prefix of the token used, for token authentication")


class TokenOut(Schema):
    prefix: str
    name: str
    role: str | None = Field(None, description="the one role the token acts as (null: unscoped, refused)")
    organisation: str | None = Field(None, description="code of the organisation the token is bound to")
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    @staticmethod
    def resolve_role(obj: Any) -> str | None:
        return obj["role"] if isinstance(obj, dict) else obj.role_id

    @staticmethod
    def resolve_organisation(obj: Any) -> str | None:
        if isinstance(obj, dict):
            return obj["organisation"]
        return obj.organisation.code if obj.organisation_id is not None else None


class TokenCreatedOut(TokenOut):
    token: str = Field(description="the secret: shown once, store it now (Authorization: Bearer <token>)")


class TokenCreateIn(Schema):
    name: str = Field(min_length=1, max_length=NAME_MAX, description="what the token is for, e.g. 'posko-dashboard'")
    role: str | None = Field(
        None, max_length=32, description="role code the token acts as; required when the caller holds several roles"
    )
    organisation: str | None = Field(
        None, max_length=64, description="organisation code; must be the caller's own (the default)"
    )


class TokenListOut(Schema):
    count: int
    items: list[TokenOut]


@router.get(
    "/me",
    response={200: MeOut, **error_responses(401)},
    operation_id="me_get",
    summary="The caller: roles, organisation, capabilities",
    tags=["me"],
)
def me_get(request: HttpRequest) -> dict[str, Any]:
    """Who the request is authenticated as, and what that user may do."""
    user = viewer_of(request)
    org = user.organisation if user.organisation_id is not None else None
    token = token_of(request)
    return {
        "username": user.get_username(),
        "full_name": user.person.full_name if user.person_id is not None else user.get_full_name(),
        "roles": sorted(user.role_codes()),
        "organisation": {"code": org.code, "name": org.name, "type": org.type_id} if org is not None else None,
        "capabilities": sorted(c for c in policy().capabilities if user_can(user, c)),
        "auth": "token" if token is not None else "session",
        "token_prefix": token.prefix if token is not None else None,
    }


@router.get(
    "/tokens",
    response={200: TokenListOut, **error_responses(401, 403)},
    operation_id="tokens_list",
    summary="My API tokens",
    tags=["tokens"],
)
def tokens_list(request: HttpRequest) -> dict[str, Any]:
    """The caller's tokens, newest first, revoked ones included; never their secrets."""
    user = viewer_of(request)
    require(user, "tokens.manage")
    tokens = list(api_tokens_of(user))
    return {"count": len(tokens), "items": tokens}


@router.post(
    "/tokens",
    auth=[session_auth],
    response={201: TokenCreatedOut, **error_responses(401, 403, 422)},
    operation_id="token_create",
    summary="Create an API token for myself (browser session only)",
    tags=["tokens"],
)
def token_create(request: HttpRequest, payload: TokenCreateIn) -> tuple[int, dict[str, Any]]:
    """Issue a token for the logged-in user (needs ``tokens.manage`` and the CSRF token). The secret is in
    this answer only."""
    user = viewer_of(request)
    token, secret = api_token_create(
        user=user, name=payload.name, actor=user, role=payload.role, organisation=payload.organisation
    )
    return 201, {**TokenOut.from_orm(token).model_dump(), "token": secret}


@router.delete(
    "/tokens/{prefix}",
    response={200: TokenOut, **error_responses(401, 403, 404)},
    operation_id="token_revoke",
    summary="Revoke one of my API tokens",
    tags=["tokens"],
)
def token_revoke(request: HttpRequest, prefix: str) -> ApiToken:
    """Revoke a token of the caller by its prefix (a token may revoke itself). Revoking twice is harmless."""
    user = viewer_of(request)
    token = api_token_by_prefix(prefix, user=user)
    return api_token_revoke(actor=user, token=token)
