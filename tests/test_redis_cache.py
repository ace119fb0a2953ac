"""With CACHE_REDIS_URL, every process shares one cache in a real Redis server on 127.0.0.1,
and the database-held versions still decide what is current."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator

import pytest

from app import create_app
from app.extensions import cache, db
from app.models import Comment, CommentStatus

from .conftest import BASE_TEST_CONFIG, recorded_queries
from .live_server import free_port

REDIS_SERVER = shutil.which("redis-server")

if REDIS_SERVER is None and os.environ.get("CI", "").lower() == "true":
    raise RuntimeError("redis-server is missing under CI: `make test` installs it")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        REDIS_SERVER is None, reason="redis-server is not installed (make test installs it as root)"
    ),
]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory) -> Iterator[str]:
    """A throwaway Redis on loopback, without persistence, stopped after the module."""
    port = free_port(26000)
    folder = tmp_path_factory.mktemp("redis")
    process = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    else:
        process.kill()
        pytest.fail("redis-server did not start")
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def shared_cache_apps(database_uri, redis_url, make_post, make_comment):
    """Two processes' worth of app on one database and one Redis, with a post to read."""
    apps = [
        create_app(
            {
                **BASE_TEST_CONFIG,
                "SQLALCHEMY_DATABASE_URI": database_uri,
                "CACHE_REDIS_URL": redis_url,
            }
        )
        for _ in range(2)
    ]
    with apps[0].app_context():
        cache.clear()  # each test starts from a new database, so from an empty cache too
    post_id = make_post(slug="p", title="Shared")
    make_comment(post_id, body="Cached once, for everyone.")
    held = make_comment(post_id, status=CommentStatus.PENDING, body="Approved later.")
    yield apps, held
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def test_redis_is_the_backend_when_its_url_is_set(shared_cache_apps):
    (first, _), _ = shared_cache_apps
    assert first.config["CACHE_TYPE"] == "RedisCache"


def test_one_process_renders_and_the_other_reads_it_from_redis(shared_cache_apps):
    (first, second), _ = shared_cache_apps
    page = first.test_client().get("/posts/p/").text
    assert "Cached once, for everyone." in page
    # The second process has never rendered this page: one query (the version), no rendering.
    reader = second.test_client()
    assert len(recorded_queries(second, reader, "/posts/p/")) == 1
    assert "Cached once, for everyone." in reader.get("/posts/p/").text


def test_a_change_in_one_process_is_seen_by_the_other(shared_cache_apps):
    (first, second), held = shared_cache_apps
    reader = second.test_client()
    assert "Approved later." not in reader.get("/posts/p/").text
    with first.app_context():
        db.session.get(Comment, held).status = CommentStatus.APPROVED
        db.session.commit()
    assert "Approved later." in reader.get("/posts/p/").text


def test_clear_cache_empties_the_shared_cache(shared_cache_apps):
    (first, second), _ = shared_cache_apps
    first.test_client().get("/posts/p/")
    result = second.test_cli_runner().invoke(args=["clear-cache"])
    assert result.exit_code == 0 and "Cleared" in result.output
    # Nothing cached any more: the next view renders again (version, post, comments).
    assert len(recorded_queries(second, second.test_client(), "/posts/p/")) == 3


def test_a_deploy_never_reads_pages_the_previous_code_rendered(shared_cache_apps, monkeypatch):
    """Keys carry the code version (package version and a hash of templates and modules)."""
    (old_code, _), _ = shared_cache_apps
    old_code.test_client().get("/posts/p/")
    monkeypatch.setattr("app.web.page_cache.code_version", lambda root, version: "next-deploy")
    new_code = create_app({**old_code.config, "CACHE_KEY_PREFIX": "classblog:"})
    assert new_code.config["CACHE_KEY_PREFIX"] == "classblog:next-deploy:"
    # The new code renders for itself (version, post, comments) instead of reading the old page.
    assert len(recorded_queries(new_code, new_code.test_client(), "/posts/p/")) == 3
    assert len(recorded_queries(new_code, new_code.test_client(), "/posts/p/")) == 1
    with new_code.app_context():
        db.engine.dispose()
