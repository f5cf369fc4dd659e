"""API tokens: issued once, stored hashed, authenticate, record last use sparingly, revoke, audited; CLI."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from conftest import SmallJepara
from linsek.accounts.models import ApiToken
from linsek.accounts.tokens import (
    MAX_ACTIVE_TOKENS_PER_USER,
    TOKEN_RE,
    TokenRejected,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)
from linsek.api.tests.conftest import API, TokenClient, bearer
from linsek.audit.models import AuditEvent
from linsek.audit.services import audit_verify
from linsek.core.errors import Forbidden, ValidationFailed


def test_token_is_shown_once_and_stored_only_as_its_sha256(jepara_small: SmallJepara) -> None:
    token, secret = api_token_create(user=jepara_small.users["command"], name="posko")
    assert TOKEN_RE.match(secret) and secret.startswith(f"lsk_{token.prefix}_")
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {stored.digest, stored.prefix, stored.name}
    other_token, other = api_token_create(user=jepara_small.users["command"], name="posko")
    assert other != secret and other_token.prefix != token.prefix


def test_token_create_and_revoke_append_audit_events_and_the_chain_verifies(jepara_small: SmallJepara) -> None:
    user = jepara_small.users["liaison"]
    token, _ = api_token_create(user=user, name="bawaslu-sync", actor=user)
    api_token_revoke(actor=user, token=token)
    api_token_revoke(actor=user, token=token)  # twice: recorded once
    events = list(AuditEvent.objects.filter(object_type="api_token", object_id=str(token.pk)).order_by("seq"))
    assert [e.action for e in events] == ["api_token.create", "api_token.revoke"]
    assert events[0].actor_id == user.pk and events[0].data["prefix"] == token.prefix
    assert "digest" not in events[0].data and all(token.digest not in str(e.data) for e in events)
    assert audit_verify().broken is None


def test_authenticate_accepts_a_live_token_and_rejects_revoked_unknown_malformed(jepara_small: SmallJepara) -> None:
    token, secret = api_token_create(user=jepara_small.users["viewer"], name="x")
    result = api_token_authenticate(secret)
    assert isinstance(result, ApiToken) and result.user == jepara_small.users["viewer"]
    altered = secret[:-1] + ("A" if secret[-1] != "A" else "B")
    assert api_token_authenticate(altered) == TokenRejected("unknown", token.prefix)
    assert api_token_authenticate("lsk_short") == TokenRejected("malformed")
    assert api_token_authenticate("") == TokenRejected("malformed")
    api_token_revoke(actor=None, token=token)
    assert api_token_authenticate(secret) == TokenRejected("revoked", token.prefix)


def test_token_of_an_inactive_user_is_rejected(jepara_small: SmallJepara, client: Client) -> None:
    user = jepara_small.users["viewer"]
    token, secret = api_token_create(user=user, name="x")
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert api_token_authenticate(secret) == TokenRejected("user_inactive", token.prefix)
    assert client.get(f"{API}/me", headers=bearer(secret)).status_code == 401


def test_last_used_is_written_at_most_once_a_minute(jepara_small: SmallJepara) -> None:
    token, secret = api_token_create(user=jepara_small.users["viewer"], name="x")
    assert token.last_used_at is None
    t0 = timezone.now()
    api_token_authenticate(secret, now=t0)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == t0
    api_token_authenticate(secret, now=t0 + timedelta(seconds=30))
    assert ApiToken.objects.get(pk=token.pk).last_used_at == t0
    later = t0 + timedelta(seconds=61)
    api_token_authenticate(secret, now=later)
    assert ApiToken.objects.get(pk=token.pk).last_used_at == later


def test_a_fresh_last_used_costs_no_write(jepara_small: SmallJepara, django_assert_num_queries: object) -> None:
    _, secret = api_token_create(user=jepara_small.users["viewer"], name="x")
    api_token_authenticate(secret)
    with django_assert_num_queries(1):  # type: ignore[operator]
        api_token_authenticate(secret)


def test_a_user_issues_tokens_only_for_themselves_and_with_tokens_manage(jepara_small: SmallJepara) -> None:
    command, viewer = jepara_small.users["command"], jepara_small.users["viewer"]
    with pytest.raises(Forbidden):
        api_token_create(user=viewer, name="x", actor=command)
    with pytest.raises(Forbidden):
        api_token_create(user=viewer, name="x", actor=viewer)  # viewer lacks tokens.manage
    token, _ = api_token_create(user=viewer, name="x")  # the operator's CLI may
    with pytest.raises(Forbidden):
        api_token_revoke(actor=command, token=token)


@pytest.mark.parametrize("name", ["", "   ", "x" * 81, "bell\x07", "nul\x00"])
def test_token_names_must_be_short_printable_text(jepara_small: SmallJepara, name: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        api_token_create(user=jepara_small.users["command"], name=name)
    assert caught.value.problems[0].field == "name"


def test_token_name_whitespace_is_collapsed(jepara_small: SmallJepara) -> None:
    token, _ = api_token_create(user=jepara_small.users["command"], name="  posko\t dashboard ")
    assert token.name == "posko dashboard"


def test_active_tokens_per_user_are_capped(jepara_small: SmallJepara) -> None:
    user = jepara_small.users["command"]
    for n in range(MAX_ACTIVE_TOKENS_PER_USER):
        api_token_create(user=user, name=f"t{n}")
    with pytest.raises(ValidationFailed):
        api_token_create(user=user, name="one too many")


# --- over HTTP ----------------------------------------------------------------------------------------------


def test_bearer_token_authenticates_and_me_names_the_token(api_as: Callable[[str], TokenClient]) -> None:
    response = api_as("area_officer").get(f"{API}/me")
    assert response.status_code == 200
    me = response.json()
    assert me["username"] == "area_officer" and me["roles"] == ["area_officer"]
    assert me["organisation"] == {"code": "polsek-mayong", "name": "Polsek Mayong", "type": "polsek"}
    assert "people.view" in me["capabilities"] and "people.phone.all" not in me["capabilities"]
    assert me["auth"] == "token" and me["token_prefix"]


@pytest.mark.parametrize(
    "header",
    [
        "Bearer",
        "Bearer ",
        "Bearer lsk_",
        "Bearer lsk_abcdefghij_" + "A" * 43,  # well-formed, unknown
        "Bearer lsk_ABCDEFGHIJ_" + "A" * 43,  # upper-case prefix
        "Bearer " + "x" * 600,
        "Basic dXNlcjpwYXNz",
        "Token abc",
        "bearer ' OR 1=1 --",
        "Bearer <script>alert(1)</script>",
        "Bearer lsk_abcdefghij_" + "é" * 43,
    ],
)
def test_malformed_or_unknown_tokens_are_401_with_a_json_body(jepara_small: SmallJepara, header: str) -> None:
    response = Client().get(f"{API}/regions", headers={"Authorization": header})
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "unauthenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_bad_token_is_401_even_with_a_logged_in_session(jepara_small: SmallJepara, client: Client) -> None:
    client.force_login(jepara_small.users["viewer"])
    assert client.get(f"{API}/me").status_code == 200
    assert client.get(f"{API}/me", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_revoked_token_stops_working_at_once(api_as: Callable[[str], TokenClient]) -> None:
    api = api_as("liaison")
    me = api.get(f"{API}/me").json()
    response = api.delete(f"{API}/tokens/{me['token_prefix']}")  # a token may revoke itself
    assert response.status_code == 200 and response.json()["revoked_at"] is not None
    assert api.get(f"{API}/me").status_code == 401


def test_token_list_shows_own_tokens_without_secrets(jepara_small: SmallJepara) -> None:
    user = jepara_small.users["command"]
    _, secret = api_token_create(user=user, name="first")
    api_token_create(user=user, name="second")
    api_token_create(user=jepara_small.users["liaison"], name="someone else's")
    body = TokenClient(secret).get(f"{API}/tokens").json()
    assert body["count"] == 2 and [t["name"] for t in body["items"]] == ["second", "first"]
    assert secret not in str(body) and "digest" not in body["items"][0]


def test_tokens_of_another_user_cannot_be_revoked(jepara_small: SmallJepara) -> None:
    theirs, _ = api_token_create(user=jepara_small.users["liaison"], name="theirs")
    _, mine = api_token_create(user=jepara_small.users["command"], name="mine")
    response = TokenClient(mine).delete(f"{API}/tokens/{theirs.prefix}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert ApiToken.objects.get(pk=theirs.pk).revoked_at is None


def test_a_token_cannot_mint_tokens(api_as: Callable[[str], TokenClient]) -> None:
    response = api_as("command").post(f"{API}/tokens", {"name": "child"})
    assert response.status_code == 401
    assert ApiToken.objects.filter(name="child").count() == 0


# --- session auth and CSRF ----------------------------------------------------------------------------------


def _csrf_client(user: object) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)  # type: ignore[arg-type]
    client.get(f"{API}/docs")  # the page renders the CSRF token, which sets the cookie
    return client, client.cookies["csrftoken"].value


def test_session_auth_reads_without_csrf(jepara_small: SmallJepara) -> None:
    client, _ = _csrf_client(jepara_small.users["viewer"])
    response = client.get(f"{API}/me")
    assert response.status_code == 200 and response.json()["auth"] == "session"


def test_session_token_create_needs_the_csrf_token(jepara_small: SmallJepara) -> None:
    client, csrf = _csrf_client(jepara_small.users["liaison"])
    refused = client.post(f"{API}/tokens", {"name": "sync"}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert "CSRF" in refused.json()["detail"]
    forged = client.post(
        f"{API}/tokens", {"name": "sync"}, content_type="application/json", headers={"X-CSRFToken": "x" * 32}
    )
    assert forged.status_code == 403
    assert ApiToken.objects.count() == 0
    created = client.post(
        f"{API}/tokens", {"name": "sync"}, content_type="application/json", headers={"X-CSRFToken": csrf}
    )
    assert created.status_code == 201
    body = created.json()
    assert TOKEN_RE.match(body["token"]) and body["name"] == "sync" and body["revoked_at"] is None
    assert TokenClient(body["token"]).get(f"{API}/me").json()["username"] == "liaison"


def test_session_token_revoke_needs_the_csrf_token(jepara_small: SmallJepara) -> None:
    user = jepara_small.users["command"]
    token, _ = api_token_create(user=user, name="x")
    client, csrf = _csrf_client(user)
    assert client.delete(f"{API}/tokens/{token.prefix}").status_code == 403
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert client.delete(f"{API}/tokens/{token.prefix}", headers={"X-CSRFToken": csrf}).status_code == 200
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


def test_token_create_needs_tokens_manage(jepara_small: SmallJepara) -> None:
    client, csrf = _csrf_client(jepara_small.users["viewer"])
    response = client.post(
        f"{API}/tokens", {"name": "sync"}, content_type="application/json", headers={"X-CSRFToken": csrf}
    )
    assert response.status_code == 403 and ApiToken.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "field"), [({}, "name"), ({"name": ""}, "name"), ({"name": 5}, "name"), ({"name": "a\x00b"}, "name")]
)
def test_token_create_names_the_bad_field(jepara_small: SmallJepara, body: dict[str, object], field: str) -> None:
    client, csrf = _csrf_client(jepara_small.users["command"])
    response = client.post(f"{API}/tokens", body, content_type="application/json", headers={"X-CSRFToken": csrf})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field


def test_token_create_with_a_broken_json_body_is_a_4xx(jepara_small: SmallJepara) -> None:
    client, csrf = _csrf_client(jepara_small.users["command"])
    bodies = [
        ("application/json", "{"),
        ("application/json", "[]"),
        ("application/json", "null"),
        ("application/json", "\xff\xfe"),
        ("application/json", '{"name": "' + "x" * 10_000 + '"}'),
        ("application/json", "[" * 100_000),  # deeper than the JSON parser recurses
        ("application/json", '{"name": "' + "x" * (11 * 1024 * 1024) + '"}'),  # over DATA_UPLOAD_MAX_MEMORY_SIZE
        ("text/plain", "name=x"),
        ("multipart/form-data; boundary=zz", "--zz\r\nbroken"),
    ]
    for content_type, raw in bodies:
        response = client.post(f"{API}/tokens", raw, content_type=content_type, headers={"X-CSRFToken": csrf})
        assert 400 <= response.status_code < 500, (content_type, raw[:40])
        assert "detail" in response.json()
    assert ApiToken.objects.count() == 0


# --- the CLI ------------------------------------------------------------------------------------------------


def test_cli_creates_lists_and_revokes(jepara_small: SmallJepara) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("token", "create", "viewer", "--name", "dashboard", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    assert TOKEN_RE.match(secret)
    token = ApiToken.objects.get(user=jepara_small.users["viewer"])
    assert token.prefix in err.getvalue() and token.name == "dashboard"

    listing = io.StringIO()
    call_command("token", "list", "viewer", stdout=listing)
    assert token.prefix in listing.getvalue() and "active" in listing.getvalue()
    assert secret not in listing.getvalue()

    call_command("token", "revoke", token.prefix, stdout=io.StringIO())
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None
    listing = io.StringIO()
    call_command("token", "list", stdout=listing)
    assert "revoked" in listing.getvalue()
    event = AuditEvent.objects.filter(action="api_token.revoke").get()
    assert event.actor_id is None and event.actor_label == "system"


def test_cli_refuses_unknown_users_and_prefixes(jepara_small: SmallJepara) -> None:
    with pytest.raises(CommandError):
        call_command("token", "create", "nobody", "--name", "x", stdout=io.StringIO(), stderr=io.StringIO())
    with pytest.raises(CommandError):
        call_command("token", "revoke", "abcdefghij", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("token", "revoke", "../../etc", stdout=io.StringIO())
