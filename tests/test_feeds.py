"""The Atom feeds, read by a real feed client (feedparser), and their conditional GETs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import feedparser
import pytest

from app.models import BodyFormat, CommentStatus, PostStatus


def parse(response):
    assert response.status_code == 200
    assert response.mimetype == "application/atom+xml"
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.bozo_exception
    assert feed.version == "atom10"
    return feed


@pytest.fixture
def blog(make_post, make_comment):
    """Two published posts, a draft, a scheduled post and a trashed one; comments in every
    status on the first."""
    future = datetime.now(UTC) + timedelta(days=3)
    first = make_post(
        title="First & <best>",
        slug="first",
        body="Some *Markdown* & <script>x()</script>",
        body_format=BodyFormat.MARKDOWN,
        published_at=datetime(2024, 1, 1, tzinfo=UTC),
    )
    make_post(title="Second", slug="second", published_at=datetime(2024, 2, 1, tzinfo=UTC))
    hidden = make_post(title="A draft", slug="draft", status=PostStatus.DRAFT)
    make_post(title="Scheduled", slug="later", published_at=future)
    make_post(title="Binned", slug="binned", status=PostStatus.TRASH)
    make_comment(first, body="Approved one", author_email="secret@example.com")
    make_comment(first, body="Held one", status=CommentStatus.PENDING)
    make_comment(first, body="Spam one", status=CommentStatus.SPAM)
    make_comment(first, body="Trashed one", status=CommentStatus.TRASH)
    make_comment(hidden, body="On a draft")
    return first


def test_the_posts_feed_holds_published_posts_newest_first(client, blog):
    feed = parse(client.get("/feed/"))
    assert [entry.title for entry in feed.entries] == ["Second", "First & <best>"]
    first = feed.entries[1]
    assert first.link == "http://localhost/posts/first/"
    assert first.author == "Student"
    assert first.id.startswith("urn:uuid:")
    assert "<em>Markdown</em>" in first.content[0].value
    assert "script" not in first.content[0].value
    assert feed.feed.links[0].href == "http://localhost/feed/"


def test_entry_ids_stay_when_a_slug_changes(app, client, blog):
    from app.extensions import db
    from app.models import Post

    before = {e.title: e.id for e in parse(client.get("/feed/")).entries}
    with app.app_context():
        db.session.get(Post, blog).slug = "renamed"
        db.session.commit()
    after = {e.title: e.id for e in parse(client.get("/feed/")).entries}
    assert before == after


def test_the_comments_feeds_hold_only_approved_comments_on_published_posts(client, blog):
    for url in ("/comments/feed/", "/posts/first/feed/"):
        response = client.get(url)
        feed = parse(response)
        assert [entry.content[0].value for entry in feed.entries] == ["<p>Approved one</p>"]
        assert "secret@example.com" not in response.text
        assert feed.entries[0].link == "http://localhost/comments/1/"
    assert client.get("/comments/1/").headers["Location"] == "/posts/first/#comment-1"
    assert parse(client.get("/posts/second/feed/")).entries == []


@pytest.mark.parametrize("slug", ["draft", "later", "binned", "nothing"])
def test_hidden_posts_have_no_comment_feed(client, blog, slug):
    assert client.get(f"/posts/{slug}/feed/").status_code == 404


@pytest.mark.parametrize("url", ["/feed/", "/comments/feed/", "/posts/first/feed/"])
def test_feeds_answer_conditional_gets(client, blog, url):
    first = client.get(url)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": modified}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


@pytest.mark.parametrize("url", ["/comments/feed/", "/posts/first/feed/"])
def test_a_new_approved_comment_changes_the_comment_feeds(client, blog, make_comment, url):
    etag = client.get(url).headers["ETag"]
    make_comment(blog, body="A new approved comment", created_at=datetime.now(UTC))
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert "A new approved comment" in changed.text
    make_comment(blog, body="Held", status=CommentStatus.PENDING, created_at=datetime.now(UTC))
    assert client.get(url, headers={"If-None-Match": changed.headers["ETag"]}).status_code == 304


def test_a_new_post_changes_the_posts_feed(client, blog, make_post):
    etag = client.get("/feed/").headers["ETag"]
    make_post(title="Brand new", published_at=datetime.now(UTC) - timedelta(minutes=1))
    changed = client.get("/feed/", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert parse(changed).entries[0].title == "Brand new"


def test_a_scheduled_post_enters_the_feed_when_its_time_comes(client, blog, monkeypatch):
    from app.feeds import views

    assert "Scheduled" not in [e.title for e in parse(client.get("/feed/")).entries]
    monkeypatch.setattr(views, "utcnow", lambda: datetime.now(UTC) + timedelta(days=4))
    assert parse(client.get("/feed/")).entries[0].title == "Scheduled"


def test_pages_announce_their_feeds(client, blog):
    front = client.get("/").text
    assert 'type="application/atom+xml"' in front and 'href="/feed/"' in front
    assert 'href="/posts/first/feed/"' in client.get("/posts/first/").text


def test_an_empty_blog_has_valid_feeds(client):
    assert parse(client.get("/feed/")).entries == []
    assert parse(client.get("/comments/feed/")).entries == []
