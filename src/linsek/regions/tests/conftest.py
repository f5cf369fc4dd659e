"""Helpers for the import tests: write a file, and take a snapshot of what the registry holds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from linsek.audit.models import AuditEvent
from linsek.regions.models import PollingStation, Region

TPS_HEADER = "kode_desa,no_tps,alamat,laki_laki,perempuan,jumlah,lintang,bujur"
WriteFile = Callable[[str, "str | bytes"], Path]


@pytest.fixture
def write_file(tmp_path: Path) -> WriteFile:
    """``write_file("tps.csv", text_or_bytes)`` → its path (text is written as UTF-8)."""

    def write(name: str, content: str | bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(content.encode() if isinstance(content, str) else content)
        return path

    return write


def tps_csv(*rows: str, header: str = TPS_HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def registry_state() -> dict[str, Any]:
    """Everything an import could change, to assert that a rejected import changed nothing."""
    return {
        "tps": list(
            PollingStation.objects.order_by("code").values_list(
                "code", "address", "lat", "lon", "voters_male", "voters_female", "voters_total", "island"
            )
        ),
        "regions": list(
            Region.objects.order_by("code").values_list("code", "name", "kind", "lat", "lon", "tps_count", "boundary")
        ),
        "audit": AuditEvent.objects.count(),
    }
