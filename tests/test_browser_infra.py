"""The browser tests' infrastructure: the flush after a browser test waits for the server's sessions to be idle."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection

from tests.browser import _until_server_idle


@pytest.mark.django_db
def test_waits_while_another_session_holds_a_transaction_open_then_returns() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite's writers wait on each other, nothing to wait for here")
    import psycopg

    settings = connection.settings_dict
    other = psycopg.connect(
        dbname=settings["NAME"],
        user=settings.get("USER") or None,
        host=settings.get("HOST") or None,
        port=settings.get("PORT") or None,
        password=settings.get("PASSWORD") or None,
    )
    other.execute("SELECT 1")  # psycopg opens a transaction: the session is "idle in transaction"

    def finish(conn: Any) -> None:
        time.sleep(0.6)
        conn.commit()

    started = time.monotonic()
    closer = threading.Thread(target=finish, args=(other,))
    closer.start()
    try:
        _until_server_idle(timeout=10)
        waited = time.monotonic() - started
    finally:
        closer.join()
        other.close()
    assert waited >= 0.5  # it waited for the other session's transaction to end
    assert waited < 5  # and returned soon after, not at its timeout

    started = time.monotonic()
    _until_server_idle(timeout=10)
    assert time.monotonic() - started < 1  # nothing open: it returns at once
