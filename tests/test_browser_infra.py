"""The browser tests' infrastructure: the flush after a browser test waits for the server's sessions to be idle."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.db import connection

from tests.browser import _until_server_idle


def _other_session() -> Any:
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
    return other


@pytest.mark.django_db
def test_waits_while_another_session_holds_a_transaction_open_then_returns() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite's writers wait on each other, nothing to wait for here")
    other = _other_session()

    def finish(conn: Any) -> None:
        time.sleep(0.6)
        conn.commit()

    started = time.monotonic()
    closer = threading.Thread(target=finish, args=(other,))
    closer.start()
    try:
        idle = _until_server_idle(timeout=30)
        waited = time.monotonic() - started
    finally:
        closer.join()
        other.close()
    assert idle
    assert waited >= 0.5  # it waited for the other session's transaction to end
    assert waited < 30  # and returned when it ended, not at its timeout

    assert _until_server_idle(timeout=30)  # nothing open now


@pytest.mark.django_db
def test_gives_up_after_its_timeout_while_a_transaction_stays_open() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite's writers wait on each other, nothing to wait for here")
    other = _other_session()
    try:
        assert not _until_server_idle(timeout=0.5)
    finally:
        other.close()
