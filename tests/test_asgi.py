"""The ASGI shell in front of Django (``linsek.asgi``): what it answers itself."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from linsek.asgi import CollectedStatic, shell


def _get(app: Any, path: str) -> tuple[int, bytes]:
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
        "scheme": "http",
        "http_version": "1.1",
    }
    sent: list[dict[str, Any]] = []
    received = False

    async def receive() -> dict[str, Any]:
        nonlocal received
        if received:  # the client stays connected until the response is complete
            await asyncio.Event().wait()
        received = True
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def run() -> None:
        await app(scope, receive, send)

    asyncio.run(run())
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return status, body


def test_static_files_not_collected_is_a_404_that_says_what_to_run(tmp_path: Path) -> None:
    missing = tmp_path / "never-collected"
    app = shell.__class__(routes=[])  # a bare Starlette app to mount the static files on, as linsek.asgi does
    from starlette.routing import Mount

    app.router.routes.append(Mount("/static", app=CollectedStatic(directory=missing, check_dir=False)))
    status, body = _get(app, "/static/web/site.js")
    assert status == 404
    assert b"linsek collectstatic" in body


def test_static_files_are_served_once_collected(tmp_path: Path) -> None:
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "site.js").write_text("console.log('linsek')")
    from starlette.routing import Mount

    app = shell.__class__(routes=[Mount("/static", app=CollectedStatic(directory=tmp_path, check_dir=False))])
    status, body = _get(app, "/static/web/site.js")
    assert status == 200 and body == b"console.log('linsek')"


def test_served_process_freezes_its_startup_heap_and_rarely_runs_full_collections() -> None:
    """In a fresh interpreter, as granian loads it: full collections over the warm caches were the intake p99."""
    import json
    import os
    import subprocess
    import sys

    probe = "import gc, json, linsek.asgi; print(json.dumps([gc.get_threshold(), gc.get_freeze_count()]))"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "linsek.settings"}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    threshold, frozen = json.loads(done.stdout.strip().splitlines()[-1])
    assert threshold[0] == 700  # the young generations as CPython's default: request garbage dies there
    assert threshold[2] >= 1_000  # a full collection waits for many middle ones (default 10)
    assert frozen > 10_000  # Django, the models and the rules are out of the collector's sight
