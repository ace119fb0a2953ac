"""WordPress import and export: every status, deep threads, hostile HTML, hostile XML, twice,
and the round trip through our own export."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from app.models import BodyFormat, Comment, CommentStatus, Post, PostStatus

from .conftest import BASE_TEST_CONFIG, csrf_token_from
from .wxr_files import BILLION_LAUGHS, EXTERNAL_ENTITY, class_blog, comment_xml, item_xml, wxr


def run_import(runner, tmp_path: Path, text: str, name: str = "export.xml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return runner.invoke(args=["import-wxr", str(path)])


def stored(app):
    with app.app_context():
        posts = {p.wordpress_id: p for p in db.session.scalars(db.select(Post))}
        comments = {c.wordpress_id: c for c in db.session.scalars(db.select(Comment))}
        db.session.expunge_all()
        return posts, comments


@pytest.mark.parametrize(
    ("scheme", "version"), [("http", "1.0"), ("http", "1.1"), ("http", "1.2"), ("https", "1.2")]
)
def test_a_class_blog_imports_with_its_threads_statuses_and_closed_discussions(
    app, runner, tmp_path, scheme, version
):
    result = run_import(runner, tmp_path, class_blog(scheme, version))
    assert result.exit_code == 0, result.output
    posts, comments = stored(app)
    assert set(posts) == {10, 11, 12, 13, 14, 15, 16}
    week = posts[10]
    assert (week.title, week.slug, week.author_name) == (
        "Week 1: Reading",
        "week-1-reading",
        "Ms. Teacher",
    )
    assert week.status is PostStatus.PUBLISHED and week.body_format is BodyFormat.HTML
    assert week.body.startswith("<p>First line<br>\nsecond line</p>")
    assert "script" not in week.body and "<!--" not in week.body
    assert week.excerpt == "The first week."
    assert posts[11].comments_open is False
    assert posts[12].status is PostStatus.PUBLISHED and posts[12].published_at.year == 2099
    for draft in (13, 14, 15, 16):
        assert posts[draft].status is PostStatus.DRAFT
    assert posts[13].slug == "unfinished"
    # Threads: each reply under its parent, however deep.
    for depth in range(2, 8):
        assert comments[depth].parent_id == comments[depth - 1].id
    assert comments[20].status is CommentStatus.PENDING
    assert comments[21].status is CommentStatus.SPAM
    assert comments[22].status is CommentStatus.TRASH
    assert (comments[1].author_email, comments[1].author_ip) == ("reader@example.com", "192.0.2.1")
    hostile = comments[23].body
    assert "<" not in hostile and "alert" not in hostile and "tracker" not in hostile
    assert "Hello there link (https://x.example/)" in hostile and "quoted" in hostile
    assert 24 not in comments and 25 not in comments
    output = result.output
    assert "Posts: 7 created, 0 updated (1 scheduled, 4 drafts)." in output
    assert "“Answers” is password-protected: imported as a draft, not published." in output
    assert "Skipped 1 pages (skipped: this blog has posts only)." in output
    assert "Skipped 1 attachments." in output and "Skipped 1 menu items." in output
    assert "Skipped 1 pingbacks." in output and "Skipped 1 trackbacks." in output


def test_importing_twice_creates_nothing_twice(app, runner, tmp_path):
    assert run_import(runner, tmp_path, class_blog()).exit_code == 0
    first = stored(app)
    again = run_import(runner, tmp_path, class_blog())
    assert again.exit_code == 0, again.output
    assert "Posts: 0 created, 7 updated" in again.output
    assert "Comments: 0 created, 12 updated." in again.output
    second = stored(app)
    assert {k: (p.id, p.slug) for k, p in first[0].items()} == {
        k: (p.id, p.slug) for k, p in second[0].items()
    }
    assert {k: c.id for k, c in first[1].items()} == {k: c.id for k, c in second[1].items()}


def test_imported_pages_show_the_threads_to_readers(app, client, runner, tmp_path):
    assert run_import(runner, tmp_path, class_blog()).exit_code == 0
    page = client.get("/posts/week-1-reading/").text
    assert "Reply at depth 7." in page and "Waiting." not in page and "Buy now." not in page
    assert "Comments are closed." in client.get("/posts/closed/").text
    for hidden in ("next-term", "unfinished", "answers", "private-notes"):
        assert client.get(f"/posts/{hidden}/").status_code == 404
    assert "Week 1: Reading" in client.get("/").text


def test_a_truncated_file_names_the_line_and_imports_nothing(app, runner, tmp_path):
    text = class_blog()
    result = run_import(runner, tmp_path, text[: len(text) * 2 // 3])
    assert result.exit_code == 1
    assert re.search(r"not well-formed XML at line \d+, column \d+", result.output)
    assert stored(app) == ({}, {})


@pytest.mark.parametrize("text", [BILLION_LAUGHS, EXTERNAL_ENTITY])
def test_entities_are_refused(app, runner, tmp_path, text):
    result = run_import(runner, tmp_path, text)
    assert result.exit_code == 1
    assert "declares XML entities" in result.output
    assert stored(app) == ({}, {})


def test_a_file_that_is_not_an_export_is_refused(app, runner, tmp_path):
    result = run_import(
        runner, tmp_path, "<rss><channel><item><title>x</title></item></channel></rss>"
    )
    assert result.exit_code == 1 and "not a WordPress export" in result.output


def test_a_reply_before_its_parent_in_the_file_is_threaded(app, runner, tmp_path):
    comments = comment_xml(41, parent=40) + comment_xml(40)
    assert (
        run_import(runner, tmp_path, wxr(item_xml(1, slug="p", comments=comments))).exit_code == 0
    )
    _, stored_comments = stored(app)
    assert stored_comments[41].parent_id == stored_comments[40].id


def test_an_existing_slug_is_not_taken_over(app, runner, tmp_path, make_post):
    make_post(slug="week-1-reading")
    assert run_import(runner, tmp_path, class_blog()).exit_code == 0
    assert stored(app)[0][10].slug == "week-1-reading-2"


def normalised(html: str) -> str:
    """A page without what differs between two databases by construction: comment ids and
    each session's CSRF token."""
    html = re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "csrf", html)
    html = re.sub(r'name="csrf_token" value="[^"]+"', "csrf", html)
    return re.sub(r"(comment-|replytocom=)\d+", r"\1N", html)


NO_CACHE = {"CACHE_TYPE": "NullCache"}


@pytest.fixture
def target(empty_database_uri: str):
    """A second app on a freshly migrated, empty database, disposed of afterwards."""
    target = create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": empty_database_uri})
    with target.app_context():
        upgrade()
    yield target
    with target.app_context():
        db.engine.dispose()


def test_the_export_imports_back_to_the_same_pages(
    app, seeded, runner, tmp_path, make_post, make_comment, target
):
    from datetime import UTC, datetime

    from app.models import PostStatus

    markdown = make_post(
        title="Markdown “post”",
        slug="md",
        body="# Head\n\nSome *text* & a [link](https://a.example).\n\n| a | b |\n|---|---|\n| 1 | 2 |",
        body_format=BodyFormat.MARKDOWN,
        published_at=datetime(2024, 5, 1, 8, 30, tzinfo=UTC),
        comments_open=False,
    )
    make_post(title="Draft", slug="draft", status=PostStatus.DRAFT)
    top = make_comment(markdown, body="Top <b>not bold</b>\n\nSecond paragraph")
    reply = make_comment(markdown, parent_id=top, body="A reply with https://x.example/ link")
    make_comment(markdown, parent_id=reply, body="Held", status=CommentStatus.PENDING)
    make_comment(markdown, body="Spam", status=CommentStatus.SPAM)

    path = tmp_path / "out.xml"
    exported = runner.invoke(args=["export-wxr", str(path)])
    assert exported.exit_code == 0, exported.output
    imported = target.test_cli_runner().invoke(args=["import-wxr", str(path)])
    assert imported.exit_code == 0, imported.output

    with app.app_context():
        slugs = list(db.session.scalars(db.select(Post.slug)))
    urls = ["/", "/feed/", *(f"/posts/{slug}/" for slug in slugs)]
    source_client, target_client = app.test_client(), target.test_client()
    for url in urls:
        before, after = source_client.get(url), target_client.get(url)
        assert before.status_code == after.status_code, url
        if url != "/feed/":
            assert normalised(before.text) == normalised(after.text), url
    with target.app_context():
        statuses = sorted(c.status.value for c in db.session.scalars(db.select(Comment)))
    assert statuses == ["approved", "approved", "approved", "pending", "spam"]


def test_the_export_is_a_wxr_file_wordpress_reads(app, seeded, runner, tmp_path):
    from defusedxml.ElementTree import parse

    path = tmp_path / "out.xml"
    assert runner.invoke(args=["export-wxr", str(path)]).exit_code == 0
    root = parse(path).getroot()
    wp = "{http://wordpress.org/export/1.2/}"
    channel = root.find("channel")
    assert root.tag == "rss" and channel.find(f"{wp}wxr_version").text == "1.2"
    item = channel.find("item")
    assert item.find(f"{wp}post_type").text == "post"
    assert item.find(f"{wp}status").text == "publish"
    assert item.find(f"{wp}comment/{wp}comment_approved").text == "1"


def test_the_posts_screen_takes_an_upload(app, moderator, tmp_path):
    from io import BytesIO

    page = moderator.get("/editor/import")
    assert page.status_code == 200
    data = {
        "csrf_token": csrf_token_from(page.text),
        "file": (BytesIO(class_blog().encode()), "export.xml"),
    }
    response = moderator.post("/editor/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 200, response.text[:500]
    assert "Posts: 7 created" in response.text
    assert "password-protected" in response.text
    assert len(stored(app)[0]) == 7


def test_a_broken_upload_shows_the_reason_and_imports_nothing(app, moderator):
    from io import BytesIO

    page = moderator.get("/editor/import")
    data = {
        "csrf_token": csrf_token_from(page.text),
        "file": (BytesIO(class_blog().encode()[:3000]), "export.xml"),
    }
    response = moderator.post("/editor/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "not well-formed XML at line" in response.text
    assert stored(app) == ({}, {})


@pytest.mark.app_config(WXR_UPLOAD_MAX_BYTES=1000)
def test_an_upload_over_the_limit_is_refused(app, moderator):
    from io import BytesIO

    page = moderator.get("/editor/import")
    data = {
        "csrf_token": csrf_token_from(page.text),
        "file": (BytesIO(class_blog().encode()), "export.xml"),
    }
    response = moderator.post("/editor/import", data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    assert stored(app) == ({}, {})


def test_the_import_screen_is_for_the_instructor_only(client):
    assert client.get("/editor/import").status_code == 302
