"""``linsek check-deploy`` fails on an insecure production configuration and passes on a hardened one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _check_deploy(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "LINSEK_VAR": str(tmp_path), "DEBUG": "", "LINSEK_HTTPS": "", **env}
    return subprocess.run(
        [sys.executable, "-m", "linsek.cli", "check-deploy"], env=full, capture_output=True, text=True, check=False
    )


def test_debug_and_plain_http_fail(tmp_path: Path) -> None:
    result = _check_deploy(tmp_path, DEBUG="1")
    assert result.returncode != 0
    assert "linsek.E101" in result.stderr and "linsek.W104" in result.stderr


def test_wildcard_host_fails(tmp_path: Path) -> None:
    result = _check_deploy(tmp_path, ALLOWED_HOSTS="*", LINSEK_HTTPS="1")
    assert result.returncode != 0 and "linsek.E102" in result.stderr


def test_hardened_configuration_passes(tmp_path: Path) -> None:
    result = _check_deploy(tmp_path, LINSEK_HTTPS="1", ALLOWED_HOSTS="linsek.polres-jepara.example")
    assert result.returncode == 0, result.stderr
    assert "deployment configuration OK" in result.stdout
