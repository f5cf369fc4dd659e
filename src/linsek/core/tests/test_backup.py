"""Backup → restore into an empty database → the audit chain verifies; a damaged or misplaced restore is refused."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import settings

from conftest import SmallJepara
from linsek.audit.services import audit_append
from linsek.core.backup import BackupError, backup_check, backup_create, backup_restore


def _linsek(args: list[str], database_url: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "LINSEK_VAR": str(tmp_path / "var")}
    return subprocess.run(
        [sys.executable, "-m", "linsek.cli", *args], env=env, capture_output=True, text=True, check=False
    )


@pytest.fixture
def empty_target(tmp_path: Path) -> Iterator[str]:
    """A DATABASE_URL of a new, empty database of the same engine as the test database."""
    db = settings.DATABASES["default"]
    if "sqlite" in db["ENGINE"]:
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"linsek_restore_{uuid.uuid4().hex[:10]}"
    admin_url = f"postgresql://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/postgres"
    with psycopg.connect(admin_url, autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{name}"')
    yield admin_url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(admin_url, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db(transaction=True)
def test_backup_restores_into_an_empty_database_and_verifies(
    jepara_small: SmallJepara, empty_target: str, tmp_path: Path
) -> None:
    for i in range(3):
        audit_append(action="test.backup", object_type="thing", object_id=i)
    backup = backup_create(db=settings.DATABASES["default"], out_dir=tmp_path / "backups")
    assert backup_check(backup.path) == backup.sha256

    result = _linsek(["restore", str(backup.path)], empty_target, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "audit chain OK: 3 events" in result.stdout

    # The restored database holds the same registry.
    if empty_target.startswith("sqlite"):
        import sqlite3

        lite = sqlite3.connect(empty_target.removeprefix("sqlite:///"))
        restored = lite.execute("SELECT count(*) FROM regions_pollingstation").fetchone()[0]
        lite.close()
    else:
        with psycopg.connect(empty_target) as pg:
            row = pg.execute("SELECT count(*) FROM regions_pollingstation").fetchone()
            restored = row[0] if row else 0
    assert restored == len(jepara_small.tps) == 9

    # A second restore into the now non-empty database is refused, and changes nothing.
    again = _linsek(["restore", str(backup.path)], empty_target, tmp_path)
    assert again.returncode != 0 and "already holds tables" in again.stderr


@pytest.mark.django_db(transaction=True)
def test_damaged_backup_is_refused(tmp_path: Path, empty_target: str) -> None:
    audit_append(action="test.backup")
    backup = backup_create(db=settings.DATABASES["default"], out_dir=tmp_path)
    with backup.path.open("r+b") as fh:
        fh.seek(100)
        fh.write(b"\x00tampered\x00")
    with pytest.raises(BackupError, match="checksum mismatch"):
        backup_check(backup.path)
    result = _linsek(["restore", str(backup.path)], empty_target, tmp_path)
    assert result.returncode != 0 and "checksum mismatch" in result.stderr


def test_restore_refuses_the_other_engine(tmp_path: Path) -> None:
    fake = tmp_path / "linsek-x.pgdump"
    fake.write_bytes(b"PGDMP")
    (tmp_path / "linsek-x.pgdump.sha256").write_text(f"{hashlib.sha256(b'PGDMP').hexdigest()}  x\n")
    db: dict[str, Any] = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "t.sqlite3")}
    with pytest.raises(BackupError, match="same kind of database"):
        backup_restore(path=fake, db=db)
