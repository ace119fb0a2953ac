"""Faults: a failing write, a missing migration. Nothing a reader was told about is lost."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import event, text

from app import create_app
from app.extensions import db
from app.models import Comment, StatusChange
from app.startup import StartupError, check_schema_is_current

from .conftest import BASE_TEST_CONFIG, stored_comments

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def post_id(make_post):
    return make_post(slug="p")


def counts(app):
    with app.app_context():
        return (
            db.session.scalar(db.select(db.func.count(Comment.id))),
            db.session.scalar(db.select(db.func.count(StatusChange.id))),
        )


@pytest.mark.sqlite_only("PRAGMA max_page_count is SQLite's way to fill a database")
def test_a_full_database_gives_503_with_the_text_kept_and_nothing_half_written(
    app, client, post_id, post_comment, caplog
):
    post_comment(body="fits")  # the session and one comment exist before the disk "fills"
    before = counts(app)
    with app.app_context():
        engine = db.engine
        pages = db.session.execute(text("PRAGMA page_count")).scalar()
        engine.dispose()

    def cap_size(dbapi_connection, _record):
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(engine, "connect", cap_size)
    try:
        caplog.set_level(logging.ERROR)
        response = post_comment(body="A long reply that will not fit. " * 400)
    finally:
        event.remove(engine, "connect", cap_size)
        engine.dispose()
    assert response.status_code == 503
    assert "We could not save your comment; please try again." in response.text
    assert "A long reply that will not fit." in response.text
    assert counts(app) == before
    assert "Could not store a comment" in caplog.text
    assert "full" in caplog.text


def test_mail_failure_does_not_delay_the_reader(app, client, post_id, post_comment):
    import socket
    import time

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    started = time.monotonic()
    response = post_comment(body="Mail is down")
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    assert elapsed < app.config["MAIL_TIMEOUT_SECONDS"]
    assert stored_comments(app)[-1].body == "Mail is down"


@pytest.fixture
def database_behind_the_code(empty_database_uri):
    """A database migrated only to revision 0002."""
    app = create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": empty_database_uri})
    with app.app_context():
        upgrade(revision="0002")
        db.engine.dispose()
    return empty_database_uri


def test_a_database_behind_the_code_refuses_to_start(database_behind_the_code):
    app = create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_behind_the_code})
    with pytest.raises(StartupError) as raised:
        check_schema_is_current(app)
    assert "Run: flask --app app db upgrade" in raised.value.message
    assert "0002" in raised.value.message


@pytest.mark.slow
def test_the_production_entry_point_refuses_a_database_behind_the_code(database_behind_the_code):
    """``gunicorn wsgi:app`` imports wsgi.py, which checks the schema before serving."""
    env = {
        **os.environ,
        "FLASK_SQLALCHEMY_DATABASE_URI": database_behind_the_code,
        "FLASK_SECRET_KEY": "wsgi-test",
    }
    refused = subprocess.run(
        [sys.executable, "-c", "import wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 1
    assert "Run: flask --app app db upgrade" in refused.stderr
    assert "Traceback" not in refused.stderr


def flask_cli(database_uri: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "FLASK_SQLALCHEMY_DATABASE_URI": database_uri,
        "FLASK_SECRET_KEY": "cli-test",
    }
    flask = str(Path(sys.executable).parent / "flask")
    return subprocess.run(
        [flask, "--app", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.slow
def test_the_real_cli_refuses_then_upgrade_fixes_it(database_behind_the_code):
    refused = flask_cli(database_behind_the_code, "seed")
    assert refused.returncode != 0
    assert "Run: flask --app app db upgrade" in refused.stderr
    assert "Traceback" not in refused.stderr
    upgraded = flask_cli(database_behind_the_code, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    seeded = flask_cli(database_behind_the_code, "seed")
    assert seeded.returncode == 0, seeded.stderr
    assert "Seeded 1 post(s)" in seeded.stdout
