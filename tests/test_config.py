"""Configuration: defaults, FLASK_* variables, the instance folder and the secret key."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterator

import pytest
from flask import Flask
from sqlalchemy import text

from app import create_app
from app.discussion.outbox import mail_sender
from app.extensions import db
from app.startup import StartupError, ensure_instance_folder, load_or_create_secret_key

from .conftest import BASE_TEST_CONFIG, csrf_token_from


@pytest.fixture
def app_from_environment(monkeypatch, database_uri: str) -> Iterator[Callable[..., Flask]]:
    """Build the app as `flask run` or gunicorn does: configured from FLASK_* variables. Its
    connections are closed after the test (PostgreSQL warns of any left open)."""
    built: list[Flask] = []

    def build(**variables: str) -> Flask:
        monkeypatch.setenv("FLASK_SQLALCHEMY_DATABASE_URI", database_uri)
        monkeypatch.setenv("FLASK_SECRET_KEY", "from-the-environment")
        for name, value in variables.items():
            monkeypatch.setenv(f"FLASK_{name}", value)
        built.append(create_app())
        return built[-1]

    yield build
    for app in built:
        mail_sender(app).stop()  # a held comment woke its sender thread
        with app.app_context():
            db.engine.dispose()


def front_page_titles(app: Flask) -> list[str]:
    return re.findall(
        r'<h2 class="entry-title"><a [^>]*>([^<]+)</a>', app.test_client().get("/").text
    )


def test_flask_variables_configure_the_app(app_from_environment, make_post):
    make_post(title="Older"), make_post(title="Newer")
    app = app_from_environment(POSTS_PER_PAGE="1", SESSION_COOKIE_SECURE="true")
    assert len(front_page_titles(app)) == 1  # the number 1, parsed as JSON
    post_page = app.test_client().get("/posts/post-1/")
    assert "Secure" in post_page.headers["Set-Cookie"]  # the boolean true


def test_test_config_is_not_overridden_by_the_environment(monkeypatch, app, make_post):
    monkeypatch.setenv("FLASK_POSTS_PER_PAGE", "1")
    make_post(title="Older"), make_post(title="Newer")
    tested = create_app(
        {**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}
    )
    assert len(front_page_titles(tested)) == 2
    with tested.app_context():
        db.engine.dispose()


@pytest.mark.parametrize(
    ("variables", "second_status"),
    [
        ({"COMMENT_FLOOD_SECONDS": "0", "RATELIMIT_ENABLED": "false"}, 302),
        ({"COMMENT_FLOOD_SECONDS": "60", "RATELIMIT_ENABLED": "false"}, 429),
        ({"COMMENT_FLOOD_SECONDS": "0", "COMMENT_RATE_LIMIT": '"1 per minute"'}, 429),
    ],
    ids=["flood control off", "flood control on", "rate limit on"],
)
def test_discussion_limits_come_from_the_environment(
    app_from_environment, make_post, variables, second_status
):
    make_post(slug="p")
    client = app_from_environment(**variables).test_client()

    def comment(body: str) -> int:
        token = csrf_token_from(client.get("/posts/p/").text)
        form = {"csrf_token": token, "body": body, "author_name": "Ada", "author_email": "a@b.org"}
        return client.post("/posts/p/comments", data=form).status_code

    assert comment("First.") == 302
    assert comment("Second, at once.") == second_status


def test_default_database_is_an_sqlite_file_in_the_instance_folder():
    app = create_app({"SECRET_KEY": "t"})
    expected = os.path.join(app.instance_path, "blog.sqlite3")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{expected}"


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
