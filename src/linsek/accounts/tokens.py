"""API tokens for machine clients: create, revoke, list, and authenticate a presented secret.

A token reads ``lsk_<prefix>_<secret>``: the prefix (10 characters, stored in clear) names the token in
lists, logs and the CLI; the whole string is the secret, of which only the SHA-256 is stored. A presented
token is looked up by that digest: an indexed equality on a hash leaks nothing about the secret through
timing, so no constant-time comparison of secrets is needed.

A token is scoped to one organisation and one role (:func:`api_token_create`). Authentication hands back
the token's user *narrowed to that scope*: its role-code cache holds the token's role alone and its
superuser/staff flags are off (in memory only), so :func:`linsek.accounts.policy.user_can`, every
``user.role_codes()`` and every superuser short-cut in the selectors see only what the token may do.
A token whose user has lost the role or moved to another organisation is refused.

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
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from linsek.accounts.models import ApiToken, Role, User
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


def _role_pick(user: Any, role: str | None) -> Role:
    """The role a new token acts as: the one asked for, which the user must hold; without one, the
    user's only role. A user holding several roles must choose: guessing would either grant more than
    the client needs or silently break it."""
    held = list(user.roles.order_by("rank", "code"))
    codes = [r.code for r in held]
    if role is None:
        if len(held) == 1:
            return held[0]
        if not held:
            raise ValidationFailed(
                "pengguna tidak memegang peran", [FieldProblem("role", "pengguna tidak memegang peran apa pun")]
            )
        raise ValidationFailed(
            "pilih peran token",
            [FieldProblem("role", f"pengguna memegang beberapa peran; pilih salah satu: {', '.join(codes)}")],
        )
    for r in held:
        if r.code == role:
            return r
    raise ValidationFailed(
        "peran tidak dipegang pengguna",
        [FieldProblem("role", f"peran harus salah satu dari: {', '.join(codes) or '-'}", value=str(role)[:32])],
    )


def _organisation_check(user: Any, organisation: str | None) -> None:
    """A token acts for its user's organisation; naming another one is refused, not silently corrected."""
    if organisation is None:
        return
    own = user.organisation.code if user.organisation_id is not None else None
    if organisation != own:
        raise ValidationFailed(
            "organisasi bukan milik pengguna",
            [FieldProblem("organisation", f"harus organisasi pengguna: {own or '-'}", value=str(organisation)[:64])],
        )


@transaction.atomic
def api_token_create(
    *, user: Any, name: str, actor: Any = None, role: str | None = None, organisation: str | None = None
) -> tuple[ApiToken, str]:
    """Issue a token for ``user``; returns the row and the secret, which is shown once and never stored.

    ``actor`` is who asks: ``None`` for the operator's CLI (may issue for any active user); otherwise a
    user may issue tokens only for themselves and only with ``tokens.manage``.

    ``role`` (a code) must be one the user holds; it may be left out when the user holds exactly one.
    ``organisation`` (a code), when given, must be the user's own: the token is bound to it.
    """
    if actor is not None and (actor.pk != user.pk or not user_can(actor, "tokens.manage")):
        raise Forbidden("tidak berwenang membuat token API")
    if not user.is_active:
        raise ValidationFailed("pengguna tidak aktif", [FieldProblem("user", "pengguna tidak aktif", user.username)])
    clean_name = _name_clean(name)
    scope_role = _role_pick(user, role)
    _organisation_check(user, organisation)
    active = ApiToken.objects.filter(user=user, revoked_at__isnull=True).count()
    if active >= MAX_ACTIVE_TOKENS_PER_USER:
        raise ValidationFailed(
            "terlalu banyak token aktif",
            [FieldProblem("name", f"cabut token lama dulu (maksimal {MAX_ACTIVE_TOKENS_PER_USER} aktif)")],
        )
    prefix = _prefix_new()
    secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    token = ApiToken.objects.create(
        user=user,
        name=clean_name,
        prefix=prefix,
        digest=api_token_digest(secret),
        role=scope_role,
        organisation_id=user.organisation_id,
    )
    audit_append(
        action="api_token.create",
        actor=actor,
        object_type="api_token",
        object_id=token.pk,
        data={
            "prefix": prefix,
            "name": clean_name,
            "user_id": user.pk,
            "username": user.get_username(),
            "role": scope_role.code,
            "organisation_id": user.organisation_id,
        },
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
    return ApiToken.objects.select_related("organisation").filter(user=user).order_by("-created_at", "-id")


def api_token_by_prefix(prefix: str, *, user: Any = None) -> ApiToken:
    """One token by its prefix (of one user, when given), or NotFound; several matches are refused."""
    if not PREFIX_RE.match(prefix):
        raise NotFound(f"token '{prefix[:20]}' tidak ditemukan")
    qs = ApiToken.objects.select_related("user", "organisation").filter(prefix=prefix)
    if user is not None:
        qs = qs.filter(user=user)
    found = list(qs[:2])
    if len(found) != 1:
        raise NotFound(f"token '{prefix}' tidak ditemukan")
    return found[0]


@dataclass(frozen=True, slots=True)
class TokenRejected:
    """Why a presented token was refused (for logs; the client only learns "invalid token"), and the prefix it
    showed (its public part, empty when malformed) so that the audit trail can name which token was tried."""

    reason: str
    prefix: str = ""


def api_token_authenticate(secret: str, *, now: datetime | None = None) -> ApiToken | TokenRejected:
    """The live token (with its user loaded and narrowed to the token's scope) for a presented secret,
    or why it was rejected.

    Malformed strings are refused before touching the database; the look-up, the user and whether the
    user still holds the token's role are one query. ``last_used_at`` is written at most once per
    :data:`LAST_USED_RESOLUTION`, by a conditional UPDATE so that concurrent requests do not all write.
    Reasons: ``malformed``, ``unknown``, ``revoked``, ``user_inactive``, ``unscoped``,
    ``organisation_changed``, ``role_not_held``.
    """
    match = TOKEN_RE.match(secret)
    if match is None:
        return TokenRejected("malformed")
    role_held = User.roles.through.objects.filter(user_id=OuterRef("user_id"), role_id=OuterRef("role_id"))
    token = (
        ApiToken.objects.select_related("user")
        .annotate(role_held=Exists(role_held))
        .filter(digest=api_token_digest(secret))
        .first()
    )
    prefix = match.group(1)
    if token is None or token.prefix != prefix:
        return TokenRejected("unknown", prefix)
    if token.revoked_at is not None:
        return TokenRejected("revoked", prefix)
    if not token.user.is_active:
        return TokenRejected("user_inactive", prefix)
    if token.role_id is None:
        return TokenRejected("unscoped", prefix)
    if token.organisation_id != token.user.organisation_id:
        return TokenRejected("organisation_changed", prefix)
    if not token.role_held:
        return TokenRejected("role_not_held", prefix)
    at = now or timezone.now()
    stale = at - LAST_USED_RESOLUTION
    if token.last_used_at is None or token.last_used_at <= stale:
        ApiToken.objects.filter(pk=token.pk).filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale)).update(
            last_used_at=at
        )
        token.last_used_at = at
    api_token_scope_apply(token)
    return token


def api_token_scope_apply(token: ApiToken) -> None:
    """Narrow ``token.user`` (this instance only, never saved) to the token's role.

    The superuser and staff flags go too: every capability check and superuser short-cut must see the
    role the token was issued for, not the account's full powers. The organisation needs nothing: the
    token is refused unless it equals the user's.
    """
    user = token.user
    user._role_codes = frozenset({token.role_id}) if token.role_id is not None else frozenset()
    user.is_superuser = False
    user.is_staff = False
