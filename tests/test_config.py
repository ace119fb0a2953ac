"""Configuration: defaults, FLASK_* variables, the instance folder and the secret key."""

from __future__ import annotations

import os
import stat

import pytest
from sqlalchemy import text

from app import create_app
from app.extensions import db
from app.startup import StartupError, ensure_instance_folder, load_or_create_secret_key


def test_flask_prefixed_environment_variables_configure_the_app(monkeypatch, tmp_path):
    uri = f"sqlite:///{tmp_path / 'from-env.sqlite3'}"
    monkeypatch.setenv("FLASK_SQLALCHEMY_DATABASE_URI", uri)
    monkeypatch.setenv("FLASK_SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("FLASK_POSTS_PER_PAGE", "3")
    monkeypatch.setenv("FLASK_SESSION_COOKIE_SECURE", "true")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == uri
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["POSTS_PER_PAGE"] == 3
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_test_config_is_not_overridden_by_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("FLASK_POSTS_PER_PAGE", "3")
    app = create_app({"SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["POSTS_PER_PAGE"] == 10


def test_default_database_is_an_sqlite_file_in_the_instance_folder():
    app = create_app({"SECRET_KEY": "t"})
    expected = os.path.join(app.instance_path, "blog.sqlite3")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{expected}"


def test_session_cookie_defaults_are_safe():
    app = create_app({"SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.mark.sqlite_only("these are SQLite's PRAGMA settings")
def test_sqlite_runs_with_foreign_keys_wal_and_a_busy_timeout(app):
    with app.app_context():
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 10_000


def test_secret_key_is_generated_once_and_kept_private(tmp_path):
    first = load_or_create_secret_key(tmp_path)
    second = load_or_create_secret_key(tmp_path)
    assert first == second
    assert len(first) == 64
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


def test_an_instance_folder_that_cannot_be_created_is_named_in_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    app = create_app({"SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    app.instance_path = str(blocker / "instance")
    with pytest.raises(StartupError) as raised:
        ensure_instance_folder(app)
    message = raised.value.message
    assert str(blocker / "instance") in message
    assert "\n" not in message
