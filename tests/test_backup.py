"""Backups of the SQLite database while the server runs (export and import: test_export)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest

from .live_server import Browser, gunicorn


@pytest.mark.slow
@pytest.mark.sqlite_only("backup uses SQLite's online backup API")
def test_backup_while_the_server_writes_is_consistent(
    app, database_uri, make_post, tmp_path, runner
):
    make_post(slug="p")
    live_path = Path(database_uri.removeprefix("sqlite:///"))
    stop = threading.Event()
    written = []

    def writer(server_port: int) -> None:
        browser = Browser(server_port)
        for n in range(500):  # bounded
            if stop.is_set():
                return
            status, _, _ = browser.submit_comment(
                "p", body=f"during backup {n}", author_name="W", author_email="w@example.com"
            )
            if status == 302:
                written.append(n)

    with gunicorn(
        database_uri, tmp_path, workers=2, RATELIMIT_ENABLED="false", COMMENT_FLOOD_SECONDS="0"
    ) as server:
        thread = threading.Thread(target=writer, args=(server.port,))
        thread.start()
        while len(written) < 20 and thread.is_alive():
            threading.Event().wait(0.05)
        backup_path = tmp_path / "backup.sqlite3"
        result = runner.invoke(args=["backup", str(backup_path)])
        stop.set()
        thread.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert "Backed up the database" in result.output
    with sqlite3.connect(backup_path) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        copied = copy.execute("SELECT COUNT(*) FROM comments").fetchone()[0]
    with sqlite3.connect(live_path) as live:
        final = live.execute("SELECT COUNT(*) FROM comments").fetchone()[0]
    assert 20 <= copied <= final


def test_backup_refuses_to_overwrite(app, runner, tmp_path):
    path = tmp_path / "exists.sqlite3"
    path.write_text("keep me")
    result = runner.invoke(args=["backup", str(path)])
    assert result.exit_code != 0
    assert path.read_text() == "keep me"
