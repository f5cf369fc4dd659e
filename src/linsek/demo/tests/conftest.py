"""The full Jepara demo, loaded once per test module inside a transaction that is rolled back afterwards.

A full load takes a couple of seconds; loading it for every test would multiply that. Tests in a
module that uses ``demo_full`` run inside savepoints of the outer transaction (pytest-django's
``db`` nests), so each test sees the loaded demo and leaves it unchanged.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction

from linsek.demo.jepara import DemoSummary, demo_load

LOAD_AT = datetime(2024, 2, 1, 1, 0, tzinfo=UTC)


def shared_data_dir() -> Path:
    """``shared/data`` beside the checkout (override with LINSEK_SHARED_DATA)."""
    default = Path(__file__).resolve().parents[4].parent / "shared" / "data"
    return Path(os.environ.get("LINSEK_SHARED_DATA", default))


@pytest.fixture(scope="module")
def demo_full(django_db_setup: Any, django_db_blocker: Any) -> Iterator[DemoSummary]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield demo_load(now=LOAD_AT)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
