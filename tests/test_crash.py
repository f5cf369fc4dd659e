"""Crash safety, short form of ``bench/crash.py`` (issue 3 item 5), on the database this pytest run uses.

Under a load of API report submissions the real server (granian) is SIGKILLed three times and the worker
three times, each restarted at once; then every acknowledged report must be in the database exactly once,
no report may exist that no client sent, every notification must be delivered by the restarted worker (the
claims of a killed worker are freed at once, not after their lease), and ``linsek audit verify`` must pass.
The server runs in other processes and is killed, so the run uses its own database (a fresh SQLite file,
or ``<name>_crash`` beside the PostgreSQL of ``DATABASE_URL``), never pytest-django's test database;
``crash_run`` stops its processes on every exit path.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _crash_module() -> ModuleType:
    name = "linsek_bench_crash"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / "crash.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def crash_database(tmp_path: Path) -> Iterator[str]:
    """A database of the run's own: PostgreSQL when this pytest run uses it, else an SQLite file."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{tmp_path / 'crash.sqlite3'}"
        return
    import psycopg

    parts = urlsplit(url)
    name = f"{parts.path.lstrip('/') or 'linsek'}_crash"
    admin = urlunsplit(("postgresql", parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.slow
def test_sigkill_under_load_loses_and_duplicates_nothing(crash_database: str, tmp_path: Path) -> None:
    crash = _crash_module()
    lines: list[str] = []
    v: dict[str, Any] = crash.crash_run(
        database_url=crash_database,
        var_dir=tmp_path / "var",
        duration=12.0,
        kills=3,
        worker_kills=3,
        clients=8,
        seed=5,
        log=lines.append,
    )
    story = "\n".join(lines) + f"\n{v}"
    assert v["server_kills"] == 3 and v["worker_kills"] == 3, story
    assert v["acknowledged"] >= 50, story  # the load really ran through the kills
    assert v["resends"] > 0, story  # and the kills really cut requests off
    assert v["refused"] == [] and v["abandoned"] == 0, story
    # every 2xx is in the database exactly once, with the id its client was given; a replay finds it again
    assert v["acked_missing"] == 0 and v["acked_wrong_id"] == 0, story
    assert v["replay_mismatch"] == [], story
    assert v["duplicate_uuids"] == 0 and v["unknown_uuids"] == 0, story
    assert v["rows"] == v["acknowledged"] + v["committed_unacknowledged"], story
    # each report was written whole: its timeline line and its audit event, once
    assert v["reports_without_one_submit_event"] == 0 and v["reports_without_one_audit_event"] == 0, story
    # notifications survived the worker's deaths: all emitted, all delivered, in-app exactly once
    assert v["reports_not_notified"] == 0 and v["routed_notifications_missing"] == 0, story
    assert v["routed_notifications"] > 0, story
    assert v["deliveries_open"] == 0, story
    assert v["inapp_without_one_inbox_item"] == 0, story
    assert v["email_missing"] == 0 and v["sms_missing"] == 0, story
    assert v["audit_verify_ok"], story
    assert crash.crash_ok(v), story
