"""The ASGI application served by granian (``make serve`` and ``make demo``).

A thin Starlette shell sits in front of Django: it serves the collected static files and
will carry the hot lanes of the design (report intake with group commit, the live event
stream). Everything else — pages, admin, the /api/v1 — is Django.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linsek.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.routing import Mount  # noqa: E402
from starlette.staticfiles import StaticFiles  # noqa: E402

django_app = get_asgi_application()

application = Starlette(
    routes=[
        Mount(settings.STATIC_URL.rstrip("/"), app=StaticFiles(directory=settings.STATIC_ROOT, check_dir=False)),
        Mount("/", app=django_app),  # type: ignore[arg-type]
    ]
)
