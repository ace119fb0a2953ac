"""Backups: a consistent copy of the live SQLite file, taken while the server writes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Engine


class BackupError(Exception):
    """A backup that cannot be taken, with the reason."""


def backup_sqlite(engine: Engine, target: Path) -> int:
    """Copy the live SQLite database to ``target`` with SQLite's online backup API.

    Safe while the server is writing: the copy is one consistent snapshot. Returns its size in
    bytes. Refuses other databases and an existing target.
    """
    if engine.dialect.name != "sqlite" or not engine.url.database:
        raise BackupError("backup copies an SQLite file; for PostgreSQL use pg_dump or `export`.")
    if target.exists():
        raise BackupError(f"{target} already exists; choose a new file name.")
    source = sqlite3.connect(engine.url.database)
    destination = sqlite3.connect(target)
    try:
        with destination:
            source.backup(destination)
    finally:
        destination.close()
        source.close()
    return target.stat().st_size
