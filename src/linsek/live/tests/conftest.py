"""Real servers for the live-stream and intake-lane tests: granian processes on the test database.

``start_server(env)`` starts ``granian linsek.asgi:application`` with extra environment (e.g. REDIS_URL),
like the web helper's ``linsek_server`` but several at once and with settings of our choosing. Tests that
use it need ``transactional_db`` so that the server processes see the rows the test commits.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from linsek.incidents.tests.conftest import _fresh_reference, jepara  # noqa: F401
from tests.browser import LiveServer, _database_url, _free_port, _server_env, _wait_until_up


@pytest.fixture(scope="session")
def _collected_static(django_db_setup: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    var_dir = tmp_path_factory.mktemp("live-var")
    subprocess.run(
        [sys.executable, "-m", "django", "collectstatic", "--noinput", "-v", "0"],
        env=_server_env(var_dir, _database_url()),
        check=True,
        capture_output=True,
    )
    return var_dir


@pytest.fixture
def start_server(_collected_static: Path) -> Iterator[Callable[..., LiveServer]]:
    processes: list[subprocess.Popen[bytes]] = []

    def start(extra_env: dict[str, str] | None = None, workers: int = 1) -> LiveServer:
        env = _server_env(_collected_static, _database_url())
        from django.conf import settings

        # The test's own key: sessions made by the test client must be valid in the server.
        env.update({"LINSEK_REQUIRE_2FA": "0", "REDIS_URL": "", "SECRET_KEY": settings.SECRET_KEY, **(extra_env or {})})
        port = _free_port()
        log = _collected_static / f"server-{port}.log"
        granian = Path(sys.executable).parent / "granian"
        command = [
            str(granian),
            "--interface",
            "asgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--no-ws",
            "--workers-kill-timeout",  # as make serve: open live streams do not hold up the stop
            "3",
            "linsek.asgi:application",
        ]
        with log.open("wb") as out:
            process = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        processes.append(process)
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(url, process, log)
        return LiveServer(url=url, log=log, process=process)

    yield start
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
