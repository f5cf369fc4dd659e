"""Signing in for the web tests, including the second factor where the deployment requires one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client


def sign_in(client: Client, user: Any) -> Client:
    """Log the user in and, when django-otp is installed, mark the session as verified with a TOTP device."""
    client.force_login(user)
    if "django_otp" in settings.INSTALLED_APPS:
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def signed_in(client: Client, jepara_small: Any) -> Callable[[str], Client]:
    """``signed_in("command")``: the test client, logged in as that role's user of ``jepara_small``."""

    def _sign_in(role: str) -> Client:
        return sign_in(client, jepara_small.users[role])

    return _sign_in
