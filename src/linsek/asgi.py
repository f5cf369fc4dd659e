"""The ASGI application served by granian (``make serve`` and ``make demo``).

A thin Starlette shell sits in front of Django: it serves the collected static files and carries the
two hot lanes of the design — report intake with group commit (``POST /api/v1/reports`` and
``/api/v1/reports/batch`` with a bearer token: ``linsek.incidents.lane``) and the live report stream
(``GET /live/reports``, Server-Sent Events: ``linsek.live.stream``). Both write and read the same
tables as Django. Everything else — pages, admin, the rest of /api/v1, and intake from the browser's
session — is Django.
"""

from __future__ import annotations

import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linsek.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.routing import Mount, Route  # noqa: E402
from starlette.staticfiles import StaticFiles  # noqa: E402

from linsek.incidents.lane import IntakeLane  # noqa: E402
from linsek.live.stream import LiveReportsApp  # noqa: E402

django_app = get_asgi_application()
intake_lane = IntakeLane(fallback=django_app)  # type: ignore[arg-type]

application = Starlette(
    routes=[
        Mount(settings.STATIC_URL.rstrip("/"), app=StaticFiles(directory=settings.STATIC_ROOT, check_dir=False)),
        # Token clients are taken by the async lane; other methods and session clients fall through to Django.
        Route("/api/v1/reports", intake_lane, methods=["POST"]),
        Route("/api/v1/reports/batch", intake_lane, methods=["POST"]),
        Route("/live/reports", LiveReportsApp(), methods=["GET"]),
        Mount("/", app=django_app),  # type: ignore[arg-type]
    ]
)
