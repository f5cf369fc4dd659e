"""Second-factor pages: enrol an authenticator, verify a code, show recovery codes once."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login

from linsek.accounts.qr import qr_svg
from linsek.accounts.two_factor import (
    totp_confirmed,
    totp_enrol_confirm,
    totp_enrol_start,
    two_factor_verify,
)


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return "/"
    return target


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    """Verify with an existing authenticator, or enrol one first."""
    user = request.user
    next_url = _next_url(request)
    if totp_confirmed(user) is None:
        device = totp_enrol_start(user=user)
        error = ""
        if request.method == "POST":
            result = totp_enrol_confirm(user=user, token=request.POST.get("token", ""))
            if result is not None:
                otp_login(request, result.device)
                return render(
                    request, "accounts/recovery_codes.html", {"codes": result.recovery_codes, "next": next_url}
                )
            error = _("Kode tidak cocok. Periksa jam ponsel Anda dan masukkan kode 6 digit yang sedang tampil.")
        return render(
            request,
            "accounts/two_factor_enrol.html",
            {
                "secret": device.key and _base32(device.bin_key),
                "qr": qr_svg(device.config_url),
                "error": error,
                "next": next_url,
            },
        )
    error = ""
    if request.method == "POST":
        device = two_factor_verify(user=user, token=request.POST.get("token", ""))
        if device is not None:
            otp_login(request, device)
            return redirect(next_url)
        error = _("Kode salah atau sudah dipakai. Setelah beberapa kali salah, tunggu sebentar sebelum mencoba lagi.")
    return render(request, "accounts/two_factor_verify.html", {"error": error, "next": next_url})


def _base32(key: bytes) -> str:
    import base64

    return base64.b32encode(key).decode("ascii").rstrip("=")
