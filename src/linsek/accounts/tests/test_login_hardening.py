"""2FA for administrator/command roles, recovery codes, lockout after repeated failures, audited logins."""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from conftest import TEST_PASSWORD, SmallJepara
from linsek.audit.models import AuditEvent


def _login(client: Client, username: str, password: str = TEST_PASSWORD) -> int:
    return client.post("/login/", {"username": username, "password": password}).status_code


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.mark.two_factor
def test_command_user_must_enrol_then_verify(jepara_small: SmallJepara) -> None:
    client = Client()
    assert _login(client, "command") == 302
    first = client.get("/")
    assert first.status_code == 302 and first["Location"].startswith("/2fa/")
    # The API refuses an unverified session too (token clients are unaffected).
    assert client.get("/api/v1/openapi.json").status_code == 403

    enrol = client.get("/2fa/")
    assert b"<svg" in enrol.content  # the QR code is inline SVG
    device = TOTPDevice.objects.get(user=jepara_small.users["command"], confirmed=False)
    wrong = client.post("/2fa/", {"token": "000000" if _code(device) != "000000" else "111111"})
    assert b"recovery-codes" not in wrong.content
    time.sleep(1.1)  # django-otp throttles a device for 1 s after a failure: even the right code waits
    done = client.post("/2fa/", {"token": _code(device), "next": "/"})
    assert done.status_code == 200 and b"recovery-codes" in done.content
    codes = [c.decode() for c in re.findall(rb"<li><code>(\w+)</code></li>", done.content)]
    assert len(codes) == 10
    assert client.get("/").status_code == 200

    # A new session must verify again; a recovery code works exactly once.
    second = Client()
    assert _login(second, "command") == 302
    assert second.get("/").status_code == 302
    assert second.post("/2fa/", {"token": codes[0], "next": "/"}).status_code == 302
    assert second.get("/").status_code == 200
    third = Client()
    _login(third, "command")
    reused = third.post("/2fa/", {"token": codes[0]})
    assert reused.status_code == 200 and third.get("/").status_code == 302
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert "auth.2fa_enrolled" in actions and "auth.2fa_passed" in actions and "auth.2fa_failed" in actions


@pytest.mark.two_factor
def test_field_reporter_needs_no_second_factor(jepara_small: SmallJepara) -> None:
    client = Client()
    assert _login(client, "field_reporter") == 302
    assert client.get("/").status_code == 200


@pytest.mark.lockout
def test_repeated_failures_lock_the_account_even_for_the_right_password(jepara_small: SmallJepara) -> None:
    client = Client()
    for _ in range(5):
        assert _login(client, "viewer", "salah-sandi") in (200, 429)
    locked = client.post("/login/", {"username": "viewer", "password": TEST_PASSWORD})
    assert locked.status_code == 429
    assert "terkunci" in locked.content.decode().lower()
    assert client.get("/").status_code == 302  # still not logged in
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions.count("auth.login_failed") >= 5 and "auth.locked_out" in actions


@pytest.mark.lockout
def test_logins_and_failures_are_audited(jepara_small: SmallJepara) -> None:
    client = Client()
    assert _login(client, "viewer", "salah") == 200
    assert _login(client, "viewer") == 302
    events = list(AuditEvent.objects.order_by("seq").values_list("action", "object_id"))
    assert ("auth.login_failed", "viewer") in events
    assert ("auth.login", str(jepara_small.users["viewer"].pk)) in events
