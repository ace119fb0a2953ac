"""Shared fixtures: an app on a fresh database built by the migrations, a client, a CLI runner.

The schema is built once per test session by running the migrations. On SQLite each test gets its
own copy of that database file; on PostgreSQL (``FLASK_SQLALCHEMY_DATABASE_URI`` naming a
``postgresql+psycopg://`` database whose name contains "test") every table is emptied after
each test.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from flask_migrate import upgrade
from sqlalchemy import create_engine, make_url, text
from werkzeug.test import TestResponse

from app import create_app
from app.discussion.outbox import mail_sender
from app.extensions import db

BASE_TEST_CONFIG: dict[str, Any] = {
    "TESTING": True,
    "SECRET_KEY": "test-secret-key",
    # Most tests post several comments in a row; the flood-control tests switch it back on.
    "COMMENT_FLOOD_SECONDS": 0,
    # The migrated test database is current by construction; test_faults checks the check.
    # Each app counts in its own memory; the rate-limit tests switch limits on.
    "RATELIMIT_ENABLED": False,
    # No purge thread racing a test's requests; test_retention switches it on.
    "PURGE_CHECK_SECONDS": 0,
}


# The whole suite runs on SQLite, and again on PostgreSQL when this names a test database.
def own_database(uri: str) -> str:
    """The database this test process uses: under pytest-xdist each worker has its own
    (``blog_test_gw0``, ...), since the tests empty every table between tests."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not uri.startswith("postgresql") or not worker:
        return uri
    url = make_url(uri)
    return url.set(database=f"{url.database}_{worker}").render_as_string(hide_password=False)


POSTGRES_URI = own_database(os.environ.get("FLASK_SQLALCHEMY_DATABASE_URI", ""))
ON_POSTGRES = POSTGRES_URI.startswith("postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "app_config(**keys): configuration keys for this test's app")
    config.addinivalue_line(
        "markers", "sqlite_only(reason): exercises an SQLite feature; skipped on PostgreSQL"
    )
    config.addinivalue_line(
        "markers",
        "slow: real servers, a browser, the JVM or hundreds of payloads; `make test-fast` skips them",
    )
    if ON_POSTGRES and "test" not in (make_url(POSTGRES_URI).database or ""):
        raise pytest.UsageError(
            "FLASK_SQLALCHEMY_DATABASE_URI must name a database with 'test' in its name: "
            "the tests empty every table in it."
        )


def pytest_runtest_setup(item: pytest.Item) -> None:
    marker = item.get_closest_marker("sqlite_only")
    if marker and ON_POSTGRES:
        pytest.skip(f"SQLite only: {marker.args[0]}")


def migrate_to_head(database_uri: str) -> None:
    app = create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_uri})
    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The whole schema, built by the migrations once per session: an SQLite file's path, or
    the PostgreSQL test database's URI."""
    if ON_POSTGRES:
        create_database_once(POSTGRES_URI)
        migrate_to_head(POSTGRES_URI)
        return POSTGRES_URI
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    migrate_to_head(f"sqlite:///{path}")
    return str(path)


def create_database_once(database_uri: str) -> None:
    """Create a worker's own PostgreSQL database the first time it is asked for."""
    url = make_url(database_uri)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        found = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
        ).first()
        if found is None:
            connection.execute(text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()


def empty_postgres_tables(database_uri: str) -> None:
    engine = create_engine(database_uri)
    # cache_versions holds the migration's counters, which the app needs; everything else goes.
    tables = ", ".join(f'"{name}"' for name in db.metadata.tables if name != "cache_versions")
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def database_uri(migrated_template: str, tmp_path: Path) -> Iterator[str]:
    """A private, fully migrated, empty database for one test."""
    if ON_POSTGRES:
        yield migrated_template
        empty_postgres_tables(migrated_template)
        return
    path = tmp_path / "blog.sqlite3"
    shutil.copyfile(migrated_template, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def empty_database_uri(tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all, on the backend under test."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    name = f"empty_test_{uuid.uuid4().hex[:12]}"
    admin_url = make_url(POSTGRES_URI).set(database="postgres")
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(POSTGRES_URI).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


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
    # A sender still at work (or waiting to retry) must not outlive its test's database.
    mail_sender(app).stop(timeout=30)
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
    from app.transfer.seed import seed_database

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


@pytest.fixture
def make_student(app: Flask):
    """Put a student on the roster (email stored trimmed and lowercased); returns its id."""
    from app.models import Student

    def build(name: str, email: str, section: str = "") -> int:
        with app.app_context():
            student = Student(name=name, email=email.strip().lower(), section=section)
            db.session.add(student)
            db.session.commit()
            return student.id

    return build


CSRF_FIELD = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    """The CSRF token of the first form on a page, as a browser would send it back."""
    match = CSRF_FIELD.search(html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def send_comment(client: FlaskClient, slug: str, token: str, **fields: str) -> TestResponse:
    """POST the reply form of post ``slug`` with a CSRF token the test already holds (from an
    older page, another reader's page, a stale tab), as a browser would send it."""
    data = {"body": "A thoughtful reply.", "author_name": "Ada", "author_email": "ada@example.com"}
    return client.post(f"/posts/{slug}/comments", data={"csrf_token": token, **data, **fields})


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

    # Cheaper scrypt parameters than production's (N=2**15): the hash names its own, so every
    # login in the tests checks fast while the code under test is the same.
    return generate_password_hash(INSTRUCTOR_PASSWORD, method="scrypt:1024:8:1")


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


def recorded_queries(
    app: Flask,
    client: FlaskClient,
    url: str,
    *,
    with_parameters: bool = False,
    form: dict[str, Any] | None = None,
) -> list[Any]:
    """The SQL statements one GET of ``url`` runs (it must succeed), with their parameters if
    asked; with ``form``, one POST of it instead (it must redirect)."""
    from sqlalchemy import event

    statements: list[Any] = []
    with app.app_context():
        engine = db.engine

    def record(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_args: Any) -> None:
        statements.append((statement, parameters) if with_parameters else statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        if form is None:
            response = client.get(url)
            assert response.status_code == 200, response.status_code
        else:
            response = client.post(url, data=form)
            assert response.status_code == 302, response.text[:300]
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return statements


def count_queries(app: Flask, client: FlaskClient, url: str) -> int:
    """How many SQL statements one GET of ``url`` runs (it must succeed)."""
    return len(recorded_queries(app, client, url))
