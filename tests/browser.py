"""Browser test infrastructure: the real server (granian + the ASGI app) and Debian's Chromium via Playwright.

``linsek_server`` starts ``granian --interface asgi linsek.asgi:application`` on a free port, as a
subprocess pointed at the pytest test database, after ``collectstatic`` into a temporary
``LINSEK_VAR``. Tests that use it must use ``transactional_db`` (data committed, so that the server
process sees it). ``page`` is a fresh Playwright page (sync API) in its own browser context.

Registered as a plugin by ``pytest_plugins = ["tests.browser"]`` in the root ``conftest.py``.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

CHROMIUM = os.environ.get("LINSEK_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_TIMEOUT_S = 40.0


@dataclass(frozen=True)
class LiveServer:
    """A running linsek server: its base URL, the log file of its process and (where started here) the process."""

    url: str
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def __call__(self, path: str = "/") -> str:
        return self.url + path

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:]) if self.log.exists() else ""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _database_url() -> str:
    """The URL of the test database pytest-django has set up (its NAME is the test database's by now)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    engine = db["ENGINE"]
    if engine == "django.db.backends.sqlite3":
        name = str(db["NAME"])
        if name == ":memory:" or "mode=memory" in name:
            raise RuntimeError("browser tests need a file-based SQLite test database (settings set TEST.NAME)")
        return f"sqlite:///{Path(name).resolve()}"
    if engine == "django.db.backends.postgresql":
        user = quote(str(db.get("USER") or ""), safe="")
        password = quote(str(db.get("PASSWORD") or ""), safe="")
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        host = db.get("HOST") or "127.0.0.1"
        port = db.get("PORT") or 5432
        return f"postgres://{auth}{host}:{port}/{quote(str(db['NAME']), safe='')}"
    raise RuntimeError(f"no live-server support for database engine {engine}")


def _server_env(var_dir: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_ALLOW_ASYNC", "LINSEK_TEST"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "linsek.settings",
            "LINSEK_VAR": str(var_dir),
            "SECRET_KEY": secrets.token_urlsafe(50),
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url,
            "CONN_MAX_AGE": "0",  # no connection outlives a request: the test database can be flushed and dropped
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    last_error = ""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}:\n{log.read_text(errors='replace')}")
        try:
            with urllib.request.urlopen(url + "/login/", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
            last_error = str(exc)
        time.sleep(0.2)
    raise RuntimeError(
        f"the server did not answer within {SERVER_START_TIMEOUT_S:.0f} s ({last_error}):\n{log.read_text()}"
    )


@pytest.fixture(scope="session")
def linsek_server(django_db_setup: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real ASGI server (granian, one worker) on the test database; stopped before the database is dropped."""
    var_dir = tmp_path_factory.mktemp("linsek-var")
    env = _server_env(var_dir, _database_url())
    bin_dir = Path(sys.executable).parent
    subprocess.run(
        [sys.executable, "-m", "django", "collectstatic", "--noinput", "-v", "0"],
        env=env,
        check=True,
        capture_output=True,
    )
    port = _free_port()
    log = var_dir / "server.log"
    granian = bin_dir / "granian"
    command = [
        str(granian) if granian.exists() else "granian",
        "--interface",
        "asgi",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        "1",
        "--no-ws",
        "linsek.asgi:application",
    ]
    with log.open("wb") as log_file:
        process = subprocess.Popen(command, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        yield LiveServer(url=url, log=log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (sync API), one per test module.

    Playwright's sync API keeps an asyncio loop running in this thread while it lives, which makes
    Django refuse ORM calls ("async context"); the tests' own ORM calls are synchronous and safe, so
    the check is lifted for the module's lifetime only, and the browser is not kept for other modules
    (whose async_to_sync calls would meet the running loop).
    """
    from playwright.sync_api import sync_playwright

    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(chromium: Any, linsek_server: LiveServer) -> Iterator[Any]:
    """A fresh page (own cookies) with the server's URL as base; console errors fail the test."""
    context = chromium.new_context(base_url=linsek_server.url, viewport={"width": 1366, "height": 900}, locale="id-ID")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        yield page
    finally:
        context.close()
        _until_server_idle()
    assert not errors, f"browser errors: {errors}\nserver log:\n{linsek_server.log_tail()}"


SERVER_IDLE_TIMEOUT_S = 20.0


def _until_server_idle(timeout: float = SERVER_IDLE_TIMEOUT_S) -> bool:
    """Wait until no other session of the test database is running a statement or holds a transaction open.

    True once they are all idle (at once on SQLite); False if one is still busy after ``timeout`` s, in which
    case the flush that follows reports its own error.

    After a browser test pytest-django empties the database (one TRUNCATE of every table). A request the page
    sent just before it closed (a status poll, say) may still be running in the server, its transaction taking
    table locks in another order than the TRUNCATE; a CI run on PostgreSQL failed so ("couldn't be flushed"), and
    the next browser test then started on the old rows. (SQLite's writers wait on each other.)
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return True
    busy = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
    busy += " AND state IN ('active', 'idle in transaction', 'idle in transaction (aborted)')"
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # inside a transaction the view would not change
            cursor.execute(busy)
            row = cursor.fetchone()
            if row is None or row[0] == 0:
                return True
            time.sleep(0.1)
    return False


def _totp_for(username: str) -> str | None:
    """A current TOTP code for the user's authenticator (created confirmed if missing); None without django-otp."""
    from django.conf import settings

    if "django_otp" not in settings.INSTALLED_APPS:
        return None
    from django.contrib.auth import get_user_model
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = get_user_model().objects.get(username=username)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="browser test", confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def browser_login(page: Any, username: str, password: str) -> None:
    """Sign in through the login form, as a person would, and pass the second factor when it is asked for."""
    code = _totp_for(username)
    page.goto("/login/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(lambda url: "/login/" not in url)
    if "/2fa/" in page.url:
        assert code is not None, "the server asks for a second factor but django-otp is not installed here"
        page.fill("input[name='token']", code)
        page.press("input[name='token']", "Enter")
        page.wait_for_url(lambda url: "/2fa/" not in url)
