"""Real processes: many writers at once, and a server killed mid-stream, on SQLite."""

from __future__ import annotations

import http.client
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from app.extensions import db
from app.models import Comment, CommentStatus, Post

from .conftest import ON_POSTGRES
from .live_server import Browser, gunicorn

pytestmark = [
    pytest.mark.slow,
    pytest.mark.sqlite_only("the gunicorn tests are about one SQLite file shared by workers"),
]

THREADS = 16
COMMENTS_PER_THREAD = 50


@pytest.fixture
def live_database(database_uri, make_post):
    """The test's migrated SQLite file, holding one post, "p", for the server to share."""
    assert not ON_POSTGRES
    make_post(slug="p", title="Live")
    return Path(database_uri.removeprefix("sqlite:///"))


def stored_bodies(path) -> dict[int, str]:
    with sqlite3.connect(path) as connection:
        return dict(connection.execute("SELECT id, body FROM comments"))


def test_sixteen_writers_post_eight_hundred_comments_and_none_is_lost(live_database, tmp_path, app):
    acknowledged: dict[int, str] = {}
    failures: list[str] = []
    lock = threading.Lock()

    def writer(thread_number: int) -> None:
        browser = Browser(server.port)
        for n in range(COMMENTS_PER_THREAD):  # bounded: each thread stops by itself
            body = f"Comment {n} from writer {thread_number}"
            status, headers, text = browser.submit_comment(
                "p", body=body, author_name=f"Writer {thread_number}",
                author_email=f"writer{thread_number}@example.com",
            )  # fmt: skip
            location = headers.get("location", "")
            with lock:
                if status == 302 and "#comment-" in location:
                    acknowledged[int(location.rsplit("-", 1)[1])] = body
                else:
                    failures.append(f"{status} {text[:200]}")

    with gunicorn(
        f"sqlite:///{live_database}", tmp_path, workers=4,
        RATELIMIT_ENABLED="false", COMMENT_FLOOD_SECONDS="0",
    ) as server:  # fmt: skip
        started = time.monotonic()
        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(writer, range(THREADS)))
        elapsed = time.monotonic() - started
        log = server.log_path.read_text()

    total = THREADS * COMMENTS_PER_THREAD
    print(f"\n{total} comments posted by {THREADS} threads in {elapsed:.1f} s "
          f"({total / elapsed:.0f} comments/s); failures: {len(failures)}")  # fmt: skip
    assert failures == []
    assert "database is locked" not in log
    stored = stored_bodies(live_database)
    assert len(stored) == total
    assert stored == acknowledged
    assert len(set(stored.values())) == total


def test_a_server_killed_mid_stream_keeps_every_acknowledged_comment(live_database, tmp_path, app):
    acknowledged: dict[int, str] = {}
    stop = threading.Event()

    def writer(thread_number: int) -> None:
        browser = Browser(server.port)
        for n in range(2_000):  # bounded; normally ended by the kill
            if stop.is_set():
                return
            body = f"Crash test {thread_number}-{n}"
            try:
                status, headers, _ = browser.submit_comment(
                    "p",
                    body=body,
                    author_name="Crash",
                    author_email=f"crash{thread_number}@example.com",
                )
            except (OSError, http.client.HTTPException):
                # The server is gone, perhaps halfway through a response (IncompleteRead):
                # this POST was never acknowledged.
                return
            if status == 302:
                acknowledged[int(headers["location"].rsplit("-", 1)[1])] = body

    database_uri = f"sqlite:///{live_database}"
    config = {"RATELIMIT_ENABLED": "false", "COMMENT_FLOOD_SECONDS": "0"}
    with gunicorn(database_uri, tmp_path, workers=2, **config) as server:
        threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        # Kill once the server is busy storing comments: a condition, not a guessed duration.
        deadline = time.monotonic() + 60
        while len(acknowledged) <= 30 and time.monotonic() < deadline:
            time.sleep(0.01)
        server.kill()
        stop.set()
        for thread in threads:
            thread.join(timeout=30)

    assert len(acknowledged) > 20, "the server should have stored some comments before the kill"
    with gunicorn(database_uri, tmp_path, workers=1, **config) as restarted:
        status, _, _ = Browser(restarted.port).request("GET", "/posts/p/")
        assert status == 200
    stored = stored_bodies(live_database)
    missing = {i: b for i, b in acknowledged.items() if stored.get(i) != b}
    print(
        f"\nacknowledged before SIGKILL: {len(acknowledged)}; "
        f"stored: {len(stored)}; lost: {len(missing)}"
    )
    assert missing == {}
    with sqlite3.connect(live_database) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_no_worker_serves_a_stale_page_after_a_change(live_database, tmp_path, make_comment, app):
    """Each gunicorn worker has its own cache; a change made in one worker, or by another
    process entirely, shows in every worker's next response."""
    with app.app_context():
        post_id = db.session.scalar(db.select(Post.id).filter_by(slug="p"))
    held = make_comment(post_id, status=CommentStatus.PENDING, body="Waiting in the queue.")
    with gunicorn(f"sqlite:///{live_database}", tmp_path, workers=3) as server:
        reader = Browser(server.port)

        def pages(count: int = 30) -> list[str]:  # enough that every worker answers some
            return [reader.request("GET", "/posts/p/")[2] for _ in range(count)]

        assert not any("Waiting in the queue." in page for page in pages())
        with app.app_context():  # this test process: another writer on the same file
            db.session.get(Comment, held).status = CommentStatus.APPROVED
            db.session.commit()
        assert all("Waiting in the queue." in page for page in pages())
        with app.app_context():
            db.session.get(Comment, held).body = "Edited after approval."
            db.session.commit()
        assert all("Edited after approval." in page for page in pages())
