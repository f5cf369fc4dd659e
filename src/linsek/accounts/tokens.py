"""API tokens for machine clients: create, revoke, list, and authenticate a presented secret.

A token reads ``lsk_<prefix>_<secret>``: the prefix (10 characters, stored in clear) names the token in
lists, logs and the CLI; the whole string is the secret, of which only the SHA-256 is stored. A presented
token is looked up by that digest: an indexed equality on a hash leaks nothing about the secret through
timing, so no constant-time comparison of secrets is needed.

Kept in one module (services and selectors of one small entity) rather than spread over
``services.py``/``selectors.py``; every write still goes through a function here and is audited.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from linsek.accounts.models import ApiToken
from linsek.accounts.policy import user_can
from linsek.audit.services import audit_append
from linsek.core.errors import FieldProblem, Forbidden, NotFound, ValidationFailed

TOKEN_PREFIX = "lsk"  # noqa: S105  (the public marker of a linsek token, not a secret)
PREFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
PREFIX_LENGTH = 10
SECRET_BYTES = 32
NAME_MAX = 80
# A leaked browser session could otherwise mint tokens without bound; 20 covers every real client.
MAX_ACTIVE_TOKENS_PER_USER = 20
# last_used_at is for "is this token still in use?", not an access log: one write a minute at most.
LAST_USED_RESOLUTION = timedelta(minutes=1)

TOKEN_RE = re.compile(rf"^{TOKEN_PREFIX}_([a-z0-9]{{{PREFIX_LENGTH}}})_([A-Za-z0-9_-]{{43}})$")
PREFIX_RE = re.compile(rf"^[a-z0-9]{{{PREFIX_LENGTH}}}$")


def api_token_digest(secret: str) -> str:
    """The stored form of a token: SHA-256 hex of the whole ``lsk_…`` string."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _prefix_new() -> str:
    for _ in range(8):
        prefix = "".join(secrets.choice(PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))
        if not ApiToken.objects.filter(prefix=prefix).exists():
            return prefix
    raise RuntimeError("could not draw an unused token prefix")  # 36^10 values: does not happen


def _name_clean(name: str) -> str:
    cleaned = " ".join(str(name).split())
    if not cleaned or len(cleaned) > NAME_MAX or not cleaned.isprintable():
        raise ValidationFailed(
            "nama token tidak sah",
            [FieldProblem("name", f"1–{NAME_MAX} karakter yang dapat dicetak", value=str(name)[:NAME_MAX])],
        )
    return cleaned


@transaction.atomic
def api_token_create(*, user: Any, name: str, actor: Any = None) -> tuple[ApiToken, str]:
    """Issue a token for ``user``; returns the row and the secret, which is shown once and never stored.

    ``actor`` is who asks: ``None`` for the operator's CLI (may issue for any active user); otherwise a
    user may issue tokens only for themselves and only with ``tokens.manage``.
    """
    if actor is not None and (actor.pk != user.pk or not user_can(actor, "tokens.manage")):
        raise Forbidden("tidak berwenang membuat token API")
    if not user.is_active:
        raise ValidationFailed("pengguna tidak aktif", [FieldProblem("user", "pengguna tidak aktif", user.username)])
    clean_name = _name_clean(name)
    active = ApiToken.objects.filter(user=user, revoked_at__isnull=True).count()
    if active >= MAX_ACTIVE_TOKENS_PER_USER:
        raise ValidationFailed(
            "terlalu banyak token aktif",
            [FieldProblem("name", f"cabut token lama dulu (maksimal {MAX_ACTIVE_TOKENS_PER_USER} aktif)")],
        )
    prefix = _prefix_new()
    secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    token = ApiToken.objects.create(user=user, name=clean_name, prefix=prefix, digest=api_token_digest(secret))
    audit_append(
        action="api_token.create",
        actor=actor,
        object_type="api_token",
        object_id=token.pk,
        data={"prefix": prefix, "name": clean_name, "user_id": user.pk, "username": user.get_username()},
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken, now: datetime | None = None) -> ApiToken:
    """Revoke a token from now on. ``actor`` is its owner, or ``None`` for the operator's CLI.

    Revoking twice changes nothing and records nothing the second time.
    """
    if actor is not None and actor.pk != token.user_id:
        raise Forbidden("tidak berwenang mencabut token ini")
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is not None:
        return locked
    locked.revoked_at = now or timezone.now()
    locked.save(update_fields=["revoked_at"])
    audit_append(
        action="api_token.revoke",
        actor=actor,
        object_type="api_token",
        object_id=locked.pk,
        data={"prefix": locked.prefix, "name": locked.name, "user_id": locked.user_id},
    )
    return locked


def api_tokens_of(user: Any) -> QuerySet[ApiToken]:
    """The user's tokens, newest first (revoked ones too: the list is their history)."""
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")


def api_token_by_prefix(prefix: str, *, user: Any = None) -> ApiToken:
    """One token by its prefix (of one user, when given), or NotFound; several matches are refused."""
    if not PREFIX_RE.match(prefix):
        raise NotFound(f"token '{prefix[:20]}' tidak ditemukan")
    qs = ApiToken.objects.select_related("user").filter(prefix=prefix)
    if user is not None:
        qs = qs.filter(user=user)
    found = list(qs[:2])
    if len(found) != 1:
        raise NotFound(f"token '{prefix}' tidak ditemukan")
    return found[0]


@dataclass(frozen=True, slots=True)
class TokenRejected:
    """Why a presented token was refused (for logs; the client only learns "invalid token")."""

    reason: str


def api_token_authenticate(secret: str, *, now: datetime | None = None) -> ApiToken | TokenRejected:
    """The live token (with its user loaded) for a presented secret, or why it was rejected.

    Malformed strings are refused before touching the database. ``last_used_at`` is written at most
    once per :data:`LAST_USED_RESOLUTION`, by a conditional UPDATE so that concurrent requests do not
    all write.
    """
    match = TOKEN_RE.match(secret)
    if match is None:
        return TokenRejected("malformed")
    token = ApiToken.objects.select_related("user").filter(digest=api_token_digest(secret)).first()
    if token is None or token.prefix != match.group(1):
        return TokenRejected("unknown")
    if token.revoked_at is not None:
        return TokenRejected("revoked")
    if not token.user.is_active:
        return TokenRejected("user_inactive")
    at = now or timezone.now()
    stale = at - LAST_USED_RESOLUTION
    if token.last_used_at is None or token.last_used_at <= stale:
        ApiToken.objects.filter(pk=token.pk).filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale)).update(
            last_used_at=at
        )
        token.last_used_at = at
    return token
