"""Two-factor authentication (TOTP via django-otp, recovery codes as a static device).

Which roles must use it is data (``two_factor_roles`` in ``rules/policy.json``); it can be
switched off for a whole deployment only by ``LINSEK_REQUIRE_2FA=0`` (the demo does this).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from linsek.accounts.policy import policy
from linsek.audit.services import audit_append

RECOVERY_CODES = 10


def two_factor_required(user: Any) -> bool:
    """Whether this user must present a second factor before using the system."""
    if not getattr(settings, "LINSEK_REQUIRE_2FA", True) or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return bool(user.role_codes() & policy().two_factor_roles)


def totp_confirmed(user: Any) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def totp_enrol_start(*, user: Any) -> TOTPDevice:
    """The user's pending (unconfirmed) authenticator, created on first call and reused until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


@dataclass(frozen=True)
class EnrolResult:
    device: TOTPDevice
    recovery_codes: list[str]


@transaction.atomic
def totp_enrol_confirm(*, user: Any, token: str) -> EnrolResult | None:
    """Confirm the pending authenticator with a code from the app; issue fresh recovery codes."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(token.strip()):
        audit_append(action="auth.2fa_enrol_failed", actor=user, object_type="user", object_id=user.pk)
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    codes = recovery_codes_issue(user=user)
    audit_append(action="auth.2fa_enrolled", actor=user, object_type="user", object_id=user.pk)
    return EnrolResult(device, codes)


def recovery_codes_issue(*, user: Any) -> list[str]:
    """Replace the user's recovery codes with new single-use ones (shown once)."""
    static, _ = StaticDevice.objects.get_or_create(user=user, name="recovery", defaults={"confirmed": True})
    static.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=c) for c in codes])
    return codes


@transaction.atomic
def two_factor_verify(*, user: Any, token: str) -> TOTPDevice | StaticDevice | None:
    """Check a TOTP code, or consume a recovery code; django-otp throttles repeated failures per device."""
    token = token.strip().replace(" ", "")
    for device in list(TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True)) + list(
        StaticDevice.objects.select_for_update().filter(user=user, confirmed=True)
    ):
        if device.verify_token(token):
            kind = "recovery_code" if isinstance(device, StaticDevice) else "totp"
            audit_append(action="auth.2fa_passed", actor=user, object_type="user", object_id=user.pk, data={"by": kind})
            return device
    audit_append(action="auth.2fa_failed", actor=user, object_type="user", object_id=user.pk)
    return None


def session_is_verified(request: Any) -> bool:
    return bool(request.session.get(DEVICE_ID_SESSION_KEY)) and request.user.is_verified()
