"""Backups while the server runs, and a lossless export/import round trip on both backends."""

from __future__ import annotations

import json
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask_migrate import upgrade

from app import create_app
from app.discussion.moderation import Action, apply_action
from app.extensions import db
from app.models import Comment, CommentStatus, DiscussionSettings

from .conftest import BASE_TEST_CONFIG
from .live_server import Browser, gunicorn


@pytest.fixture
def populated(app, make_post, make_comment, post_comment):
    """Posts, a thread of replies, every status, Unicode, history and settings."""
    post = make_post(slug="p", title="Хрущёв’s “Secret Speech” 😀")
    make_post(slug="closed", comments_open=False, body="Line one\n\nשלום <b>world</b>")
    post_comment(body="From the form: Привет & <script>x</script>")
    top = make_comment(post, body="Top 🎉", author_url="https://a.example/?q=1&r=<2>")
    reply = make_comment(post, parent_id=top, body="مرحبا reply", status=CommentStatus.PENDING)
    make_comment(post, parent_id=reply, body="deeper\n\twith tab", status=CommentStatus.SPAM)
    make_comment(post, body="binned", status=CommentStatus.TRASH)
    make_comment(post, parent_id=top, body="An approved reply, ñ")
    with app.app_context():
        apply_action([top], Action.UNAPPROVE, actor="prof", instructor=None, now=datetime.now(UTC))
        db.session.add(
            DiscussionSettings(
                id=1, manual_approval=True, require_prior_approval=False, max_links=3,
                moderation_words="essay\nmill", disallowed_words="casino", close_after_days=30,
                notify_email="prof@example.edu",
            )
        )  # fmt: skip
        db.session.commit()
    return app


def test_export_import_round_trip_is_lossless(populated, runner, empty_database_uri, tmp_path):
    export_path = tmp_path / "export.json"
    result = runner.invoke(args=["export", str(export_path)])
    assert result.exit_code == 0, result.output
    assert "Exported 2 post(s) and 6 comment(s)" in result.output
    original = json.loads(export_path.read_text(encoding="utf-8"))
    assert any(c["history"] for c in original["comments"])
    assert {c["status"] for c in original["comments"]} == {"pending", "approved", "spam", "trash"}

    target = create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": empty_database_uri})
    with target.app_context():
        upgrade()
    imported = target.test_cli_runner().invoke(args=["import", str(export_path)])
    assert imported.exit_code == 0, imported.output
    again_path = tmp_path / "again.json"
    assert target.test_cli_runner().invoke(args=["export", str(again_path)]).exit_code == 0
    assert json.loads(again_path.read_text(encoding="utf-8")) == original

    # New rows continue after the imported ids (PostgreSQL sequences were moved on).
    client = target.test_client()
    page = client.get("/posts/p/")
    assert "Хрущёв’s “Secret Speech” 😀" in page.text
    with target.app_context():
        new = Comment(
            post_id=1, author_name="New", author_email="n@example.com", body="After the move"
        )
        db.session.add(new)
        db.session.commit()
        assert new.id > max(c["id"] for c in original["comments"])
    with target.app_context():
        db.engine.dispose()


def test_export_file_is_inert_as_html_and_parses_back(populated, runner, tmp_path):
    path = tmp_path / "export.json"
    runner.invoke(args=["export", str(path)])
    raw = path.read_text(encoding="utf-8")
    assert "<script>" not in raw
    assert "<" not in raw
    data = json.loads(raw)
    assert any(c["body"] == "From the form: Привет & <script>x</script>" for c in data["comments"])


def test_import_refuses_a_database_that_is_not_empty(populated, runner, tmp_path):
    path = tmp_path / "export.json"
    runner.invoke(args=["export", str(path)])
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code != 0
    assert "the database is not empty" in result.output


def test_import_refuses_a_file_that_is_not_an_export(runner, tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{"hello": "world"}')
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code != 0
    assert "not an export of this blog" in result.output


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
