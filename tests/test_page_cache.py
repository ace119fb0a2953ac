"""Cached pages are never stale: every change to what a page shows, made by any process, moves a
version the database holds, and every process reads that version on each request.

Three apps share one database, as three server processes would: ``cached`` serves pages and keeps
them in its own cache, ``other`` makes the changes, and ``fresh`` (NullCache) renders the reference.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert

from app import create_app
from app.discussion.page_versions import ALL_PAGES, MODERATION, UnversionedWrite
from app.extensions import db
from app.models import CacheVersion, Comment, CommentStatus, Post
from app.web.page_cache import CSRF_HOLE

from .conftest import (
    BASE_TEST_CONFIG,
    AuthActions,
    csrf_token_from,
    form_post,
    recorded_queries,
    send_comment,
)

PENDING, APPROVED, SPAM, TRASH = (
    CommentStatus.PENDING,
    CommentStatus.APPROVED,
    CommentStatus.SPAM,
    CommentStatus.TRASH,
)
POST_PAGE = "/posts/p/"
TOKEN = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+(")')


def without_tokens(html: str) -> str:
    """The page with every CSRF token blanked: the one part that differs per reader."""
    return TOKEN.sub(r"\1TOKEN\2", html)


@pytest.fixture
def other_app(database_uri: str) -> Iterator[Flask]:
    """A second server process on the same database, with its own cache."""
    app = create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_uri})
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def fresh_app(database_uri: str) -> Iterator[Flask]:
    """A process that caches nothing: what every page should be right now."""
    app = create_app(
        {
            **BASE_TEST_CONFIG,
            "SQLALCHEMY_DATABASE_URI": database_uri,
            "CACHE_TYPE": "NullCache",
            "CACHE_NO_NULL_WARNING": True,
        }
    )
    yield app
    with app.app_context():
        db.engine.dispose()


def logged_in(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert AuthActions(client).login().status_code == 302
    client.get("/moderation")  # shows, and so clears, the login message
    return client


@pytest.fixture
def thread(make_post, make_comment) -> dict[str, int]:
    """A post with an approved thread, a held comment, and a trashed comment with a reply."""
    post_id = make_post(slug="p", title="The Post")
    first = make_comment(post_id, author_name="Ada", body="First approved.")
    reply = make_comment(post_id, author_name="Ben", body="A reply.", parent_id=first)
    held = make_comment(post_id, status=PENDING, author_name="Cleo", body="Held.")
    trashed = make_comment(post_id, status=TRASH, author_name="Dan", body="Trashed.")
    orphan = make_comment(post_id, author_name="Eve", body="Reply to trash.", parent_id=trashed)
    return {
        "post": post_id,
        "first": first,
        "reply": reply,
        "held": held,
        "trashed": trashed,
        "orphan": orphan,
    }


def changed(client: FlaskClient, url: str, data: dict[str, Any], page: str = "/moderation") -> None:
    """POST a change as a browser on ``page`` would (``form_post``), and check it was made: a
    refused action also redirects, with its reason as an error message."""
    response = form_post(client, url, data, page)
    assert response.status_code == 302, response.text[:500]
    assert "flash-error" not in client.get(response.location).text


def act(client: FlaskClient, comment_id: int, action: str, **extra: str) -> None:
    changed(client, f"/moderation/comments/{comment_id}/{action}", extra)


def edit(client: FlaskClient, comment_id: int) -> None:
    url = f"/moderation/comments/{comment_id}/edit"
    fields = {
        "body": "Edited by the instructor.",
        "author_name": "Ada Lovelace",
        "author_email": "ada@example.com",
        "author_url": "",
    }
    changed(client, url, fields, page=url)


def reader_comment(client: FlaskClient, **fields: str) -> None:
    reply = {"body": "Back again.", "author_name": "Ada", "author_email": "reader1@example.com"}
    changed(client, f"{POST_PAGE}comments", {**reply, **fields}, page=POST_PAGE)


def comment_from_page(client: FlaskClient, page: str, body: str, author: str = "Yan") -> Any:
    """POST a reader's comment with the CSRF token of ``page`` (HTML this client was served)."""
    email = f"{author.lower()}@example.com"
    token = csrf_token_from(page)
    return send_comment(client, "p", token, body=body, author_name=author, author_email=email)


def change_in_another_process(app: Flask, ids: dict[str, int]) -> None:
    """Not through a request at all: a script or `flask shell` in another process."""
    with app.app_context():
        comment = db.session.get(Comment, ids["reply"])
        comment.body = "Changed from a shell."
        db.session.commit()


CHANGES: dict[str, Callable[[FlaskClient, dict[str, int]], Any]] = {
    "approve": lambda c, ids: act(c, ids["held"], "approve"),
    "unapprove": lambda c, ids: act(c, ids["first"], "unapprove"),
    "spam": lambda c, ids: act(c, ids["reply"], "spam"),
    "trash": lambda c, ids: act(c, ids["first"], "trash"),
    "restore": lambda c, ids: act(c, ids["trashed"], "restore"),
    "empty trash": lambda c, ids: changed(
        c, "/moderation/empty/trash", {"confirmed": "yes"}, page="/moderation?status=trash"
    ),
    "delete a trashed comment with a reply": lambda c, ids: act(
        c, ids["trashed"], "delete", confirmed="yes"
    ),
    "edit": lambda c, ids: edit(c, ids["first"]),
    "instructor reply": lambda c, ids: changed(
        c, f"/moderation/comments/{ids['first']}/reply", {"body": "The instructor answers."}
    ),
    "auto-approved reader comment": lambda c, ids: reader_comment(c),
    "held reader comment": lambda c, ids: reader_comment(
        c, author_name="New", author_email="new@example.com"
    ),
    "bulk approve": lambda c, ids: changed(
        c, "/moderation/bulk", {"action": "approve", "ids": [ids["held"]]}
    ),
    "bulk trash": lambda c, ids: changed(
        c, "/moderation/bulk", {"action": "trash", "ids": [ids["first"], ids["reply"]]}
    ),
    "close comments": lambda c, ids: changed(
        c, f"/moderation/posts/{ids['post']}/comments-open", {"open": "no"}, page=POST_PAGE
    ),
}


@pytest.mark.parametrize("change", CHANGES)
def test_no_change_leaves_a_stale_page_in_another_process(
    app, other_app, fresh_app, instructor, thread, change
):
    reader, moderator = app.test_client(), logged_in(app)
    pages = [POST_PAGE, "/"]
    for page in pages:
        reader.get(page)  # now in this process's cache
    queue_before = moderator.get("/moderation?status=all").text

    actor = logged_in(other_app) if change != "auto-approved reader comment" else None
    CHANGES[change](actor or other_app.test_client(), thread)

    fresh_reader, fresh_moderator = fresh_app.test_client(), logged_in(fresh_app)
    for page in pages:
        assert without_tokens(reader.get(page).text) == without_tokens(
            fresh_reader.get(page).text
        ), f"{page} is stale after: {change}"
    queue_after = moderator.get("/moderation?status=all").text
    assert without_tokens(queue_after) == without_tokens(
        fresh_moderator.get("/moderation?status=all").text
    ), f"the queue is stale after: {change}"
    if change != "close comments":  # the one change the queue does not show
        assert without_tokens(queue_after) != without_tokens(queue_before)


def test_a_change_from_outside_any_request_is_seen(app, other_app, fresh_app, thread):
    reader = app.test_client()
    reader.get(POST_PAGE)
    change_in_another_process(other_app, thread)
    page = reader.get(POST_PAGE).text
    assert "Changed from a shell." in page
    assert without_tokens(page) == without_tokens(fresh_app.test_client().get(POST_PAGE).text)


def test_pages_come_from_the_cache_until_something_changes(app, thread):
    reader = app.test_client()
    reader.get(POST_PAGE)
    with app.app_context():
        # Behind the session's back (on its bare connection, which moves no version): the
        # cache still answers with what it rendered.
        db.session.connection().execute(
            db.update(Comment).where(Comment.id == thread["first"]).values(body="Sneaky.")
        )
        db.session.commit()
    assert "Sneaky." not in reader.get(POST_PAGE).text
    assert "First approved." in reader.get(POST_PAGE).text


@pytest.mark.parametrize("changes_pages", ["post", ALL_PAGES])
def test_a_bulk_statement_that_names_its_pages_moves_their_versions(app, thread, changes_pages):
    reader = app.test_client()
    reader.get(POST_PAGE)
    with app.app_context():
        before = db.session.get(CacheVersion, MODERATION).version
        pages = {thread["post"]} if changes_pages == "post" else changes_pages
        db.session.execute(
            db.update(Comment)
            .where(Comment.id == thread["first"])
            .values(body="Edited in bulk.")
            .execution_options(changes_pages=pages)
        )
        db.session.commit()
        assert db.session.get(CacheVersion, MODERATION).version == before + 1
    assert "Edited in bulk." in reader.get(POST_PAGE).text


@pytest.mark.parametrize(
    "statement",
    [
        lambda ids: db.update(Comment).where(Comment.id == ids["first"]).values(body="Sneaky."),
        lambda ids: db.delete(Comment).where(Comment.id == ids["reply"]),
        lambda ids: db.update(Post).values(title="Renamed in bulk"),
        lambda ids: insert(Comment).values(
            post_id=ids["post"], author_name="A", author_email="a@example.com", body="Bulk."
        ),
    ],
    ids=["update comments", "delete comments", "update posts", "insert comments"],
)
def test_a_bulk_statement_that_does_not_name_its_pages_is_refused(app, thread, statement):
    reader = app.test_client()
    before = reader.get(POST_PAGE).text
    with app.app_context():
        with pytest.raises(UnversionedWrite):
            db.session.execute(statement(thread))
        db.session.rollback()
    assert reader.get(POST_PAGE).text.count("First approved.") == before.count("First approved.")


def test_held_comments_do_not_move_the_post_version_but_approved_ones_do(app, thread):
    def version() -> int:
        with app.app_context():
            return db.session.get(Post, thread["post"]).page_version

    start = version()
    with app.app_context():
        db.session.add(
            Comment(
                post_id=thread["post"],
                author_name="Spammer",
                author_email="spam@example.net",
                body="Buy now",
                status=PENDING,
            )
        )
        db.session.commit()
    assert version() == start  # a spam wave keeps the cached page
    with app.app_context():
        db.session.get(Comment, thread["held"]).body = "Edited while held"
        db.session.commit()
    assert version() == start
    with app.app_context():
        db.session.get(Comment, thread["held"]).status = APPROVED
        db.session.commit()
    assert version() == start + 1


def test_every_comment_change_moves_the_moderation_version(app, thread):
    def version() -> int:
        with app.app_context():
            return db.session.get(CacheVersion, MODERATION).version

    start = version()
    with app.app_context():
        db.session.get(Comment, thread["held"]).status = SPAM
        db.session.commit()
    assert version() == start + 1


def test_each_reader_gets_their_own_working_token_from_a_cached_page(app, thread):
    first, second = app.test_client(), app.test_client()
    page_one, page_two = first.get(POST_PAGE).text, second.get(POST_PAGE).text
    assert CSRF_HOLE not in page_one and "\x00" not in page_one
    assert csrf_token_from(page_one) != csrf_token_from(page_two)
    for client, page, name in ((first, page_one, "One"), (second, page_two, "Two")):
        response = client.post(
            f"{POST_PAGE}comments",
            data={
                "csrf_token": csrf_token_from(page),
                "body": f"From reader {name}.",
                "author_name": name,
                "author_email": f"{name.lower()}@example.com",
            },
        )
        assert response.status_code == 302
    # A token from one reader's page does not work in another reader's session.
    response = comment_from_page(first, page_two, "Borrowed token.", author="Mallory")
    assert response.status_code == 400
    assert "Borrowed token." in response.text


def test_the_front_page_sets_no_cookie_and_the_post_page_one(app, thread):
    reader = app.test_client()
    assert "Set-Cookie" not in reader.get("/").headers
    assert "session=" in reader.get(POST_PAGE).headers["Set-Cookie"]


def add_comments(app: Flask, post_id: int, count: int, status: CommentStatus) -> None:
    """Many comments at once, a third of them replies, in one bulk insert that names its page."""
    with app.app_context():
        first_id = (db.session.scalar(db.select(db.func.max(Comment.id))) or 0) + 1
        db.session.execute(
            insert(Comment).execution_options(changes_pages={post_id}),
            [
                {
                    "id": first_id + n,
                    "post_id": post_id,
                    "parent_id": first_id + n - 1 if n % 3 == 2 else None,
                    "author_name": f"Reader {n}",
                    "author_email": f"r{n}@example.com",
                    "body": f"Comment number {n}. " * 15,
                    "status": status,
                }
                for n in range(count)
            ],
        )
        db.session.commit()


def post_page_queries(app: Flask, make_post, count: int) -> tuple[int, int]:
    """Queries for the first view of a post with ``count`` comments, and for the next view."""
    post_id = make_post(slug=f"size-{count}")
    add_comments(app, post_id, count, APPROVED)
    reader = app.test_client()
    url = f"/posts/size-{count}/"
    return len(recorded_queries(app, reader, url)), len(recorded_queries(app, reader, url))


def test_the_post_page_costs_the_same_queries_with_10_and_1000_comments(app, make_post):
    small, large = post_page_queries(app, make_post, 10), post_page_queries(app, make_post, 1000)
    assert small == large
    first_view, next_view = large
    assert next_view == 1  # only the version read; the rest comes from the cache
    assert first_view == 3  # version, post, comments


def test_the_queue_costs_the_same_queries_with_30_and_10000_pending(app, make_post, instructor):
    moderator = logged_in(app)
    post_id = make_post(slug="busy")
    add_comments(app, post_id, 30, PENDING)
    small = [len(recorded_queries(app, moderator, "/moderation")) for _ in range(2)]
    add_comments(app, post_id, 9_970, PENDING)
    large = [len(recorded_queries(app, moderator, "/moderation")) for _ in range(2)]
    assert small == large
    assert large[1] == 2  # the instructor and the moderation version


def query_plans(app: Flask, statements: list[tuple[str, Any]]) -> list[str]:
    plans = []
    with app.app_context():
        connection = db.session.connection().connection.driver_connection
        for statement, parameters in statements:
            if statement.lstrip().upper().startswith("SELECT"):
                rows = connection.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
                plans.append(" / ".join(row[-1] for row in rows))
    return plans


FULL_SCAN_OF_COMMENTS = re.compile(r"\bSCAN comments\b(?! USING (COVERING )?INDEX)")


@pytest.mark.sqlite_only("EXPLAIN QUERY PLAN is SQLite's; PostgreSQL's planner differs")
@pytest.mark.parametrize("url", ["/posts/busy/", "/moderation", "/moderation?status=approved"])
def test_the_pages_find_comments_through_indexes(app, make_post, instructor, url):
    post_id = make_post(slug="busy")
    add_comments(app, post_id, 300, PENDING)
    add_comments(app, post_id, 300, APPROVED)
    client = logged_in(app) if url.startswith("/moderation") else app.test_client()
    statements = recorded_queries(app, client, url, with_parameters=True)
    plans = query_plans(app, statements)
    assert any("comments" in plan for plan in plans)
    for plan in plans:
        assert not FULL_SCAN_OF_COMMENTS.search(plan), plan


@pytest.mark.parametrize("url", [POST_PAGE, "/"])
def test_browsers_get_a_valid_gzip_stream_of_the_same_page(app, thread, url):
    import gzip

    reader = app.test_client()
    plain = reader.get(url)
    packed = reader.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert "Content-Encoding" not in plain.headers
    unpacked = gzip.decompress(packed.data).decode()  # checks the CRC and the length too
    assert without_tokens(unpacked) == without_tokens(plain.text)
    assert len(packed.data) < len(plain.data)


def test_the_token_in_a_gzipped_page_works(app, thread):
    import gzip

    reader = app.test_client()
    page = gzip.decompress(reader.get(POST_PAGE, headers={"Accept-Encoding": "gzip"}).data).decode()
    response = reader.post(
        f"{POST_PAGE}comments",
        data={
            "csrf_token": csrf_token_from(page),
            "body": "Sent from a gzipped page.",
            "author_name": "Gus",
            "author_email": "gus@example.com",
        },
    )
    assert response.status_code == 302


def test_the_queue_is_not_compressed(app, instructor, thread):
    moderator = logged_in(app)
    response = moderator.get("/moderation", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in response.headers
    assert "Approve" in response.text


@pytest.mark.parametrize("size", [0, 1, 65_535, 65_536, 200_000])
def test_stored_blocks_decode_to_the_same_bytes_at_every_size(size):
    import zlib

    from app.web.page_cache import stored_blocks

    data = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    assert zlib.decompress(stored_blocks(data), -zlib.MAX_WBITS) == data


@pytest.mark.sqlite_only("EXPLAIN QUERY PLAN is SQLite's; PostgreSQL's planner differs")
@pytest.mark.parametrize("author", ["new@example.com", "r1@example.com"])
def test_submitting_finds_the_author_through_indexes(app, make_post, author):
    """Flood control, the duplicate check and "approved before?" stay index lookups with
    hundreds of comments from the same address and the same email."""
    post_id = make_post(slug="busy")
    add_comments(app, post_id, 300, PENDING)
    add_comments(app, post_id, 300, APPROVED)
    with app.app_context():  # every comment from one address, as behind a school's router
        db.session.execute(
            db.update(Comment)
            .values(author_ip="127.0.0.1")
            .execution_options(changes_pages={post_id})
        )
        db.session.commit()
    reader = app.test_client()
    form = {
        "csrf_token": csrf_token_from(reader.get("/posts/busy/").text),
        "body": "Indexed all the way.",
        "author_name": "Reader 1",
        "author_email": author,
    }
    statements = recorded_queries(
        app, reader, "/posts/busy/comments", form=form, with_parameters=True
    )
    plans = query_plans(app, statements)
    assert any("comments" in plan for plan in plans)
    for plan in plans:
        assert not FULL_SCAN_OF_COMMENTS.search(plan), plan
    # Flood control asks for the email's latest comment, never the address's: 600 rows share it.
    everything = " | ".join(plans)
    assert "author_ip=?" not in everything
    assert "ix_comments_author_email_status (author_email=? AND status=?)" in everything


# Conditional GET: a returning reader's browser downloads nothing while the page is unchanged.


@pytest.mark.parametrize("url", [POST_PAGE, "/"])
def test_an_unchanged_page_answers_304_to_the_browser_that_holds_it(app, thread, url):
    reader = app.test_client()
    first = reader.get(url, headers={"Accept-Encoding": "gzip"})
    etag = first.headers["ETag"]
    assert not etag.startswith("W/")  # strong: the bytes are the same
    again = reader.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    assert "no-cache" in again.headers["Cache-Control"]


def test_a_change_gives_the_page_a_new_etag(app, other_app, thread, instructor):
    reader = app.test_client()
    etag = reader.get(POST_PAGE).headers["ETag"]
    act(logged_in(other_app), thread["held"], "approve")
    changed_page = reader.get(POST_PAGE, headers={"If-None-Match": etag})
    assert changed_page.status_code == 200
    assert "Held." in changed_page.text
    assert changed_page.headers["ETag"] != etag


def test_the_etag_is_this_browsers_own_and_this_encodings_own(app, thread):
    """The page carries the reader's CSRF token: another browser (another session) must not
    reuse it, and the gzipped bytes are a different representation from the plain ones."""
    reader, stranger = app.test_client(), app.test_client()
    plain = reader.get(POST_PAGE).headers["ETag"]
    gzipped = reader.get(POST_PAGE, headers={"Accept-Encoding": "gzip"}).headers["ETag"]
    assert plain != gzipped
    assert "private" in reader.get(POST_PAGE).headers["Cache-Control"]
    stranger.get("/")  # a session of its own is made by the post page only; the front has no form
    response = stranger.get(POST_PAGE, headers={"If-None-Match": plain})
    assert response.status_code == 200
    assert csrf_token_from(response.text)


def test_the_token_in_a_page_answered_304_still_posts(app, thread):
    reader = app.test_client()
    first = reader.get(POST_PAGE)
    assert (
        reader.get(POST_PAGE, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    )
    response = comment_from_page(reader, first.text, "Posted from the page the browser kept.")
    assert response.status_code == 302


# The code version: a deploy never serves a page the previous code rendered.


def test_a_changed_template_changes_the_code_version(tmp_path):
    from pathlib import Path

    import app as package
    from app.web.page_cache import code_version

    source = Path(package.__file__).parent
    copy = tmp_path / "app"
    templates = [path for path in (source / "templates").rglob("*") if path.is_file()]
    for path in [*source.rglob("*.py"), *templates]:
        target = copy / path.relative_to(source)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(path.read_bytes())
    before = code_version(copy, "0.1.0")
    assert before == code_version(source, "0.1.0")
    post_template = copy / "templates" / "blog" / "post.html"
    post_template.write_text(post_template.read_text() + "<!-- a new footer -->")
    assert code_version(copy, "0.1.0") != before
    assert code_version(source, "0.2.0") != code_version(source, "0.1.0")


# The CSRF holes: every cached page gets each of its forms a token that works.


def cached_pages(app: Flask) -> list[tuple[str, FlaskClient]]:
    """Every page that is served from the cache, with the client that sees it cached."""
    return [
        ("/", app.test_client()),
        (POST_PAGE, app.test_client()),
        ("/moderation", logged_in(app)),
    ]


def test_every_cached_page_keeps_its_holes_and_fills_them_with_a_working_token(
    app, thread, instructor
):
    from app.extensions import cache

    for url, client in cached_pages(app):
        client.get(url)  # renders into the cache
        served = client.get(url).text  # from the cache
        assert CSRF_HOLE not in served, url
        tokens = TOKEN.findall(served)
        values = set(re.findall(r'name="csrf_token"[^>]*value="([^"]+)"', served))
        with app.app_context():
            # SimpleCache's own store, read by name: the entry as the cache keeps it.
            [entry] = [cache.get(key) for key in cache.cache._cache if url_key_matches(key, url)]
        # As many holes as forms with a token, and every one filled with the same live token.
        assert len(entry.chunks) - 1 == len(tokens), url
        assert len(values) <= 1, url
    reader = app.test_client()
    response = comment_from_page(reader, reader.get(POST_PAGE).text, "Through the cached form.")
    assert response.status_code == 302


def url_key_matches(key: str, url: str) -> bool:
    names = {"/": "front-page:", POST_PAGE: "post-page:", "/moderation": "queue:"}
    return key.startswith(names[url])
