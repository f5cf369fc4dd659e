"""Fixtures for the API tests: token clients per role of the small Jepara, and fast password hashing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from conftest import SmallJepara
from linsek.accounts.tokens import api_token_create

API = "/api/v1"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 is slow on purpose; the fixture creates a user per role."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


class TokenClient:
    """A test client that sends one bearer token with every request."""

    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.client = Client()

    def get(self, path: str, data: dict[str, Any] | None = None) -> Any:
        return self.client.get(path, data, headers=bearer(self.secret))

    def post(self, path: str, data: Any = None) -> Any:
        return self.client.post(path, data, content_type="application/json", headers=bearer(self.secret))

    def delete(self, path: str) -> Any:
        return self.client.delete(path, headers=bearer(self.secret))


@pytest.fixture
def api_as(jepara_small: SmallJepara) -> Callable[[str], TokenClient]:
    """``api_as("command")``: a client authenticated by a fresh token of that role's user."""

    def _client(role: str) -> TokenClient:
        _, secret = api_token_create(user=jepara_small.users[role], name=f"test {role}")
        return TokenClient(secret)

    return _client
