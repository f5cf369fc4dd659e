"""The ASGI application served by granian (``make serve`` and ``make demo``).

A thin Starlette shell sits in front of Django: it serves the collected static files and carries the
two hot lanes of the design — report intake with group commit (``POST /api/v1/reports`` and
``/api/v1/reports/batch`` with a bearer token: ``linsek.incidents.lane``) and the live report stream
(``GET /live/reports``, Server-Sent Events: ``linsek.live.stream``). Both write and read the same
tables as Django. Everything else — pages, admin, the rest of /api/v1, and intake from the browser's
session — is Django.
"""

from __future__ import annotations

import gc
import logging
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linsek.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.asgi import get_asgi_application  # noqa: E402
from starlette.applications import Starlette  # noqa: E402
from starlette.exceptions import HTTPException  # noqa: E402
from starlette.routing import Mount, Route  # noqa: E402
from starlette.staticfiles import StaticFiles  # noqa: E402

from linsek.incidents.lane import IntakeLane, Receive, Scope, Send  # noqa: E402
from linsek.live.stream import LiveReportsApp  # noqa: E402

log = logging.getLogger("linsek.asgi")

# CPython's defaults but the last: see the gc.set_threshold call at the end of this module.
GC_YOUNG, GC_MIDDLE_PER_YOUNG, GC_FULL_PER_MIDDLE = 700, 10, 1_000


class CollectedStatic(StaticFiles):
    """The collected static files; before ``linsek collectstatic`` has run, a 404 that says so, not a crash."""

    async def check_config(self) -> None:
        if self.directory is not None and not os.path.isdir(self.directory):
            log.error("static files not collected into %s: run 'linsek collectstatic'", self.directory)
            raise HTTPException(404, f"static files not collected: run 'linsek collectstatic' ({self.directory})")
        await super().check_config()


django_app = get_asgi_application()
intake_lane = IntakeLane(fallback=django_app)  # type: ignore[arg-type]

shell = Starlette(
    routes=[
        Mount(settings.STATIC_URL.rstrip("/"), app=CollectedStatic(directory=settings.STATIC_ROOT, check_dir=False)),
        Route("/live/reports", LiveReportsApp(), methods=["GET"]),
        Mount("/", app=django_app),  # type: ignore[arg-type]
    ]
)

# POSTs to these paths go to the async lane (``application`` below): token clients are taken there; session
# clients fall through from the lane to Django, and other methods reach Django through the shell's Mount("/").
INTAKE_PATHS = frozenset({"/api/v1/reports", "/api/v1/reports/batch"})


async def application(scope: Scope, receive: Receive, send: Send) -> None:
    """The served app: intake POSTs go straight to the lane (no routing layers on the hottest path)."""
    if scope["type"] == "http" and scope["method"] == "POST" and scope["path"] in INTAKE_PATHS:
        await intake_lane(scope, receive, send)
        return
    await shell(scope, receive, send)


# Everything built so far (Django, the models, the rules) lives as long as the process: moved out of the
# collector's sight, so that the collections the request path triggers do not rescan it every time.
gc.collect()
gc.freeze()
# What is built on first use (the routing memo, the gazetteer, the directory: ~100,000 objects once warm) is
# not frozen, and under load CPython's default thresholds ran a full collection over it every ~2 s: 40-70 ms
# holding the GIL, and — when the commit thread holds the audit chain's lock meanwhile — stalling the other
# server processes too. That was most of the intake p99. A full collection now waits for 1,000 collections of
# the middle generation (minutes under load) instead of 10; the young generations, where request garbage
# dies, are collected as before. Almost nothing cyclic lives that long here (the full collections found 0).
gc.set_threshold(GC_YOUNG, GC_MIDDLE_PER_YOUNG, GC_FULL_PER_MIDDLE)
