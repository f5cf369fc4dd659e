"""``linsek token create USERNAME --name NAME [--role ROLE] [--organisation CODE]`` ·
``linsek token list [USERNAME]`` · ``linsek token revoke PREFIX``."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from linsek.accounts.models import ApiToken
from linsek.accounts.tokens import api_token_by_prefix, api_token_create, api_token_revoke
from linsek.core.errors import DomainError


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value is not None else "-"


def _org(token: ApiToken) -> str:
    return token.organisation.code if token.organisation is not None else "-"


class Command(BaseCommand):
    help = "Create, list and revoke API tokens (the secret is printed once, at creation)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="create|list|revoke")
        create = sub.add_parser("create", help="issue a token for a user and print its secret once")
        create.add_argument("username")
        create.add_argument("--name", required=True, help="what the token is for, e.g. 'posko-dashboard'")
        create.add_argument(
            "--role", help="the one role the token acts as (required when the user holds several), e.g. field_reporter"
        )
        create.add_argument("--organisation", help="organisation code; must be the user's own (the default)")
        listing = sub.add_parser("list", help="list tokens (of one user, or of everyone)")
        listing.add_argument("username", nargs="?")
        revoke = sub.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _user(self, username: str) -> Any:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"no user '{username}'")
        return user

    def _create(self, options: dict[str, Any]) -> None:
        user = self._user(options["username"])
        token, secret = api_token_create(
            user=user,
            name=options["name"],
            actor=None,
            role=options.get("role"),
            organisation=options.get("organisation"),
        )
        self.stderr.write(
            f"token {token.prefix} '{token.name}' for {user.get_username()} as {token.role_id} of "
            f"{_org(token)}; shown once, store it now:"
        )
        self.stdout.write(secret)

    def _list(self, options: dict[str, Any]) -> None:
        qs = ApiToken.objects.select_related("user", "organisation").order_by("user__username", "-created_at")
        if options.get("username"):
            qs = qs.filter(user=self._user(options["username"]))
        self.stdout.write(
            f"{'PREFIX':<12} {'USER':<20} {'NAME':<24} {'ROLE':<16} {'ORGANISATION':<20} "
            f"{'CREATED':<16} {'LAST USED':<16} STATUS"
        )
        for t in qs:
            status = f"revoked {_when(t.revoked_at)}" if t.revoked_at else "active"
            self.stdout.write(
                f"{t.prefix:<12} {t.user.get_username()[:20]:<20} {t.name[:24]:<24} "
                f"{(t.role_id or 'UNSCOPED')[:16]:<16} {_org(t)[:20]:<20} "
                f"{_when(t.created_at):<16} {_when(t.last_used_at):<16} {status}"
            )

    def _revoke(self, options: dict[str, Any]) -> None:
        token = api_token_by_prefix(options["prefix"])
        was_revoked = token.revoked_at is not None
        token = api_token_revoke(actor=None, token=token)
        state = "was already revoked" if was_revoked else "revoked"
        self.stdout.write(f"token {token.prefix} '{token.name}' of {token.user.get_username()} {state}")
