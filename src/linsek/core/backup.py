"""Backup and restore of the whole database, with a SHA-256 checksum beside each file.

SQLite uses its online backup API (consistent while the server keeps writing); PostgreSQL
uses ``pg_dump --format=custom`` and ``pg_restore``. A restore goes only into an empty
database, after the checksum matches, so that it can never silently merge into live data.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from linsek.core.errors import DomainError


class BackupError(DomainError):
    code = "backup_error"


@dataclass(frozen=True)
class BackupFile:
    path: Path
    sha256: str
    size: int


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _checksum_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _pg_url(db: dict[str, Any]) -> str:
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or "5432"
    return f"postgresql://{auth}{host}:{port}/{quote(db['NAME'], safe='')}"


def _is_sqlite(db: dict[str, Any]) -> bool:
    return "sqlite" in db["ENGINE"]


def backup_create(*, db: dict[str, Any], out_dir: Path, now: datetime | None = None) -> BackupFile:
    """Write a consistent copy of the database into ``out_dir`` plus ``<file>.sha256``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    if _is_sqlite(db):
        target = out_dir / f"linsek-{stamp}.sqlite3"
        src = sqlite3.connect(str(db["NAME"]))
        dst = sqlite3.connect(str(target))
        try:
            with dst:
                src.backup(dst)
        finally:
            src.close()
            dst.close()
    else:
        target = out_dir / f"linsek-{stamp}.pgdump"
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise BackupError(
                "pg_dump is not installed: install the PostgreSQL client (apt-get install postgresql-client)"
            )
        proc = subprocess.run(  # noqa: S603  (fixed argv, no shell)
            [pg_dump, "--format=custom", "--no-owner", "--file", str(target), _pg_url(db)],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            target.unlink(missing_ok=True)
            raise BackupError(f"pg_dump failed: {proc.stderr.strip()}")
    digest = file_sha256(target)
    _checksum_path(target).write_text(f"{digest}  {target.name}\n")
    os.chmod(target, 0o600)
    return BackupFile(target, digest, target.stat().st_size)


def backup_check(path: Path) -> str:
    """Verify a backup file against its ``.sha256`` sidecar; returns the digest."""
    if not path.is_file():
        raise BackupError(f"backup file {path} does not exist")
    sidecar = _checksum_path(path)
    if not sidecar.is_file():
        raise BackupError(f"checksum file {sidecar} is missing: a backup is restored only when it can be checked")
    expected = sidecar.read_text().split()[0]
    actual = file_sha256(path)
    if actual != expected:
        raise BackupError(f"checksum mismatch for {path.name}: expected {expected}, file has {actual} (damaged copy?)")
    return actual


def backup_restore(*, path: Path, db: dict[str, Any]) -> None:
    """Restore a checked backup into an *empty* database of the same engine."""
    backup_check(path)
    is_sqlite_file = path.suffix == ".sqlite3"
    if is_sqlite_file != _is_sqlite(db):
        raise BackupError(
            f"{path.name} is a {'SQLite' if is_sqlite_file else 'PostgreSQL'} backup but DATABASE_URL points at "
            f"{'SQLite' if _is_sqlite(db) else 'PostgreSQL'}: restore into the same kind of database"
        )
    if _is_sqlite(db):
        target = Path(str(db["NAME"]))
        if target.exists() and _sqlite_has_tables(target):
            raise BackupError(
                f"{target} already holds tables: restore only into an empty database (move it away first)"
            )
        src = sqlite3.connect(str(path))
        dst = sqlite3.connect(str(target))
        try:
            with dst:
                src.backup(dst)
        finally:
            src.close()
            dst.close()
        return
    url = _pg_url(db)
    psql, pg_restore = shutil.which("psql"), shutil.which("pg_restore")
    if psql is None or pg_restore is None:
        raise BackupError("psql/pg_restore are not installed: install the PostgreSQL client")
    count = subprocess.run(  # noqa: S603
        [psql, url, "-tAc", "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"],
        capture_output=True,
        text=True,
        check=False,
    )
    if count.returncode != 0:
        raise BackupError(f"cannot reach the target database: {count.stderr.strip()}")
    if int(count.stdout.strip() or 0) > 0:
        raise BackupError(f"database {db['NAME']} already holds tables: restore only into an empty database")
    proc = subprocess.run(  # noqa: S603
        [pg_restore, "--no-owner", "--exit-on-error", "--dbname", url, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise BackupError(f"pg_restore failed: {proc.stderr.strip()}")


def _sqlite_has_tables(path: Path) -> bool:
    con = sqlite3.connect(str(path))
    try:
        return con.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] > 0
    finally:
        con.close()
