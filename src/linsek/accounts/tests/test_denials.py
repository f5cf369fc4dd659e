"""Rejected API tokens and permission denials reach the audit trail, at most one event per client and
reason a minute, with the refusals suppressed in between counted in the next event."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from conftest import SmallJepara
from linsek.accounts.denials import _cache_key
from linsek.accounts.tokens import api_token_create, api_token_revoke
from linsek.api.tests.conftest import API, TokenClient
from linsek.audit.models import AuditEvent

BAD = "lsk_abcdefghij_" + "A" * 43


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _window_ends(action: str, key: str) -> None:
    """What a minute of waiting does: the gate of this key expires (the suppressed count stays)."""
    cache.delete(_cache_key(f"{action}:gate", key))


def _events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


def test_a_flood_of_bad_tokens_makes_one_event_a_minute_counting_the_rest(jepara_small: SmallJepara) -> None:
    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(25):
        assert client.get(f"{API}/regions", headers={"Authorization": f"Bearer {BAD}"}).status_code == 401
    events = _events("auth.token_rejected")
    assert len(events) == 1
    assert events[0].data["reason"] == "unknown" and events[0].data["suppressed"] == 0
    assert events[0].client_addr == "203.0.113.9" and events[0].object_id == "abcdefghij"
    _window_ends("auth.token_rejected", "203.0.113.9|unknown")
    client.get(f"{API}/regions", headers={"Authorization": f"Bearer {BAD}"})
    events = _events("auth.token_rejected")
    assert len(events) == 2 and events[1].data["suppressed"] == 24


def test_each_reason_and_client_is_recorded_on_its_own(jepara_small: SmallJepara) -> None:
    token, secret = api_token_create(user=jepara_small.users["viewer"], name="x")
    api_token_revoke(actor=None, token=token)
    a, b = Client(REMOTE_ADDR="203.0.113.1"), Client(REMOTE_ADDR="203.0.113.2")
    for c in (a, a, b):
        c.get(f"{API}/me", headers={"Authorization": f"Bearer {secret}"})
        c.get(f"{API}/me", headers={"Authorization": "Bearer nope"})
        c.get(f"{API}/me", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    seen = {(e.client_addr, e.data["reason"]) for e in _events("auth.token_rejected")}
    assert seen == {
        (addr, reason) for addr in ("203.0.113.1", "203.0.113.2") for reason in ("revoked", "malformed", "bad_header")
    }
    assert len(_events("auth.token_rejected")) == 6
    # a well-formed token's public prefix names which token was tried; a malformed one has none
    assert {e.object_id for e in _events("auth.token_rejected") if e.data["reason"] == "revoked"} == {token.prefix}
    assert secret not in str([e.data for e in _events("auth.token_rejected")])


def test_a_live_token_records_no_rejection(jepara_small: SmallJepara) -> None:
    _, secret = api_token_create(user=jepara_small.users["viewer"], name="x")
    assert TokenClient(secret).get(f"{API}/me").status_code == 200
    assert _events("auth.token_rejected") == []


def test_permission_denials_are_recorded_rate_limited(jepara_small: SmallJepara) -> None:
    user = jepara_small.users["field_reporter"]
    _, secret = api_token_create(user=user, name="x")
    api = TokenClient(secret)
    for _ in range(5):
        assert api.get(f"{API}/people").status_code == 403
    events = _events("auth.permission_denied")
    assert len(events) == 1
    assert events[0].actor_id == user.pk and events[0].data["path"] == f"{API}/people"
    assert "people.view" in events[0].data["detail"] and events[0].data["suppressed"] == 0
    _window_ends("auth.permission_denied", f"127.0.0.1|{user.pk}")
    api.get(f"{API}/tokens")
    events = _events("auth.permission_denied")
    assert len(events) == 2 and events[1].data["suppressed"] == 4 and events[1].data["path"] == f"{API}/tokens"


def test_a_forged_csrf_token_is_recorded_as_a_denial(jepara_small: SmallJepara) -> None:
    user = jepara_small.users["command"]
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(
        f"{API}/tokens", {"name": "x"}, content_type="application/json", headers={"X-CSRFToken": "x" * 32}
    )
    assert response.status_code == 403
    events = _events("auth.permission_denied")
    assert len(events) == 1 and events[0].actor_id == user.pk and "CSRF" in events[0].data["detail"]
