"""Shared fixtures: an app on a fresh database built by the migrations, a client, a CLI runner.

The schema is built once per test session by running the migrations; each test gets its own copy
of that database, so tests are isolated without paying for the migrations every time.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from werkzeug.test import TestResponse

from app import create_app
from app.extensions import db

BASE_TEST_CONFIG: dict[str, Any] = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key",
    # Most tests post several comments in a row; the flood-control tests switch it back on.
    "COMMENT_FLOOD_SECONDS": 0,
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "app_config(**keys): configuration keys for this test's app")


@pytest.fixture(scope="session")
def migrated_sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file with the whole schema, built by `flask db upgrade` once per session."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    app = create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return path


@pytest.fixture
def database_uri(migrated_sqlite_template: Path, tmp_path: Path) -> str:
    """A private, fully migrated database for one test."""
    path = tmp_path / "blog.sqlite3"
    shutil.copyfile(migrated_sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def app(request: pytest.FixtureRequest, database_uri: str, tmp_path: Path) -> Iterator[Flask]:
    marker = request.node.get_closest_marker("app_config")
    overrides = marker.kwargs if marker else {}
    app = create_app(
        {
            **BASE_TEST_CONFIG,
            "SQLALCHEMY_DATABASE_URI": database_uri,
            **overrides,
        }
    )
    app.instance_path = str(tmp_path / "instance")
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def seeded(app: Flask) -> Flask:
    """The app with the Secret Speech post and its comment loaded."""
    from app.seed import seed_database

    with app.app_context():
        seed_database()
    return app


@pytest.fixture
def make_post(app: Flask):
    """Build and commit a post; returns its id."""
    from datetime import UTC, datetime

    from app.models import Post

    counter = iter(range(1, 10_000))

    def build(**fields: Any) -> int:
        number = next(counter)
        values = {
            "title": f"Post {number}",
            "slug": f"post-{number}",
            "author_name": "Student",
            "published_at": datetime(2020, 1, number % 28 + 1, tzinfo=UTC),
            "body": f"Body of post {number}.",
            **fields,
        }
        with app.app_context():
            post = Post(**values)
            db.session.add(post)
            db.session.commit()
            return post.id

    return build


@pytest.fixture
def make_comment(app: Flask):
    """Build and commit a comment on a post (by id); returns its id."""
    from datetime import UTC, datetime, timedelta

    from app.models import Comment, CommentStatus

    counter = iter(range(1, 100_000))

    def build(post_id: int, status: CommentStatus = CommentStatus.APPROVED, **fields: Any) -> int:
        number = next(counter)
        values = {
            "post_id": post_id,
            "author_name": f"Reader {number}",
            "author_email": f"reader{number}@example.com",
            "body": f"Comment number {number}.",
            "status": status,
            "created_at": datetime(2021, 1, 1, tzinfo=UTC) + timedelta(minutes=number),
            "author_ip": "192.0.2.1",
            **fields,
        }
        with app.app_context():
            comment = Comment(**values)
            db.session.add(comment)
            db.session.commit()
            return comment.id

    return build


CSRF_FIELD = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    """The CSRF token of the first form on a page, as a browser would send it back."""
    match = CSRF_FIELD.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


@pytest.fixture
def post_comment(client: FlaskClient):
    """Submit the reply form on a post page the way a browser does: GET the page, then POST."""

    def submit(slug: str = "p", *, follow: bool = False, **fields: str) -> TestResponse:
        page = client.get(f"/posts/{slug}/")
        data = {
            "csrf_token": csrf_token_from(page.text) if page.status_code == 200 else "",
            "body": "A thoughtful reply.",
            "author_name": "Ada",
            "author_email": "ada@example.com",
            "author_url": "",
            **fields,
        }
        return client.post(f"/posts/{slug}/comments", data=data, follow_redirects=follow)

    return submit


def stored_comments(app: Flask) -> list[Any]:
    """Every comment in the database, oldest first, detached for inspection."""
    from app.models import Comment

    with app.app_context():
        comments = list(db.session.scalars(db.select(Comment).order_by(Comment.id)))
        db.session.expunge_all()
        return comments


INSTRUCTOR_PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def instructor_password_hash() -> str:
    """Hashed once per run: scrypt is slow on purpose."""
    from werkzeug.security import generate_password_hash

    return generate_password_hash(INSTRUCTOR_PASSWORD, method="scrypt")


@pytest.fixture
def instructor(app: Flask, instructor_password_hash: str) -> int:
    """An instructor account "prof" (display name "Professor Lee"); returns its id."""
    from app.models import Instructor

    with app.app_context():
        account = Instructor(
            username="prof", display_name="Professor Lee", password_hash=instructor_password_hash
        )
        db.session.add(account)
        db.session.commit()
        return account.id


class AuthActions:
    def __init__(self, client: FlaskClient) -> None:
        self._client = client

    def login(
        self, username: str = "prof", password: str = INSTRUCTOR_PASSWORD, **extra: str
    ) -> TestResponse:
        page = self._client.get("/login")
        return self._client.post(
            "/login",
            data={
                "csrf_token": csrf_token_from(page.text),
                "username": username,
                "password": password,
                **extra,
            },
        )

    def logout(self) -> TestResponse:
        page = self._client.get("/")
        return self._client.post("/logout", data={"csrf_token": csrf_token_from(page.text)})


@pytest.fixture
def auth(client: FlaskClient, instructor: int) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def moderator(client: FlaskClient, auth: AuthActions) -> FlaskClient:
    """The test client, logged in as the instructor."""
    assert auth.login().status_code == 302
    return client


def form_post(
    client: FlaskClient, url: str, data: dict[str, Any] | None = None, page: str = "/moderation"
) -> TestResponse:
    """POST as a browser would from ``page``: with that page's CSRF token."""
    token = csrf_token_from(client.get(page).text)
    return client.post(url, data={"csrf_token": token, **(data or {})})
