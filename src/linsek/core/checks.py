"""linsek's own deployment checks (run by ``linsek check-deploy`` beside Django's ``check --deploy``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register


@register(Tags.security, deploy=True)
def linsek_deploy_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    problems: list[CheckMessage] = []
    if settings.DEBUG:
        problems.append(Error("DEBUG is on: unset DEBUG (only the demo runs with it)", id="linsek.E101"))
    if "*" in settings.ALLOWED_HOSTS:
        problems.append(Error("ALLOWED_HOSTS contains '*': list the host names served", id="linsek.E102"))
    if len(settings.SECRET_KEY) < 50:
        problems.append(Error("SECRET_KEY is shorter than 50 characters", id="linsek.E103"))
    if not getattr(settings, "SESSION_COOKIE_SECURE", False):
        problems.append(
            Warning(
                "cookies are sent over plain HTTP: serve behind TLS and set LINSEK_HTTPS=1",
                hint="LINSEK_HTTPS=1 turns on secure cookies, HSTS and the HTTPS redirect",
                id="linsek.W104",
            )
        )
    problems += _uploads_outside_static()
    return problems


def _uploads_outside_static() -> list[CheckMessage]:
    """Uploads are served only by views that check access first; inside STATIC_ROOT (or with the static files
    inside MEDIA_ROOT) the static server would hand them to anyone, and ``collectstatic`` could overwrite them."""
    if not settings.MEDIA_ROOT or not settings.STATIC_ROOT:
        return []
    media, static = Path(settings.MEDIA_ROOT).resolve(), Path(settings.STATIC_ROOT).resolve()
    if media.is_relative_to(static) or static.is_relative_to(media):
        return [
            Error(
                f"MEDIA_ROOT ({media}) and STATIC_ROOT ({static}) contain one another: uploads would be public",
                hint="keep them apart, e.g. $LINSEK_VAR/uploads and $LINSEK_VAR/static",
                id="linsek.E105",
            )
        ]
    return []
