"""The site's chrome: the course name and tagline on every page, the links to the posts on
either side of a post, and the page's canonical address. Cached pages change with them at once."""

from __future__ import annotations

import email
import email.header
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.extensions import db
from app.models import DiscussionSettings, Post, PostStatus, utcnow

from .conftest import count_queries, csrf_token_from, recorded_queries


def save_site(moderator, name: str, tagline: str = ""):
    page = moderator.get("/moderation/settings").text
    return moderator.post(
        "/moderation/settings",
        data={
            "csrf_token": csrf_token_from(page),
            "require_prior_approval": "y",
            "max_links": "2",
            "digest_minutes": "15",
            "site_name": name,
            "site_tagline": tagline,
        },
    )


def header(html: str) -> str:
    return re.search(r'<header class="site-header">(.*?)</header>', html, re.S).group(1)


def test_by_default_the_header_shows_blog_title_and_no_tagline(client, make_post):
    make_post(slug="p", title="The Post")
    for url in ("/", "/posts/p/", "/login", "/no-such-page"):
        html = client.get(url).text
        assert ">Class Blog</a>" in header(html), url
        assert "site-tagline" not in html
    assert "<title>The Post – Class Blog</title>" in client.get("/posts/p/").text


@pytest.mark.app_config(BLOG_TITLE="History 204")
def test_blog_title_is_the_default_course_name(client, make_post):
    make_post(slug="p")
    assert ">History 204</a>" in header(client.get("/posts/p/").text)


def test_a_new_name_and_tagline_show_at_once_on_every_cached_page(
    app, moderator, make_post, make_comment
):
    post_id = make_post(slug="p", title="The Post")
    make_comment(post_id)
    reader = app.test_client()
    pages = ["/", "/posts/p/", "/feed/", "/comments/feed/", "/posts/p/feed/"]
    before = {url: reader.get(url).text for url in pages}  # cached now
    queue = moderator.get("/moderation").text
    assert "Class Blog" in before["/"] and "Class Blog" in queue

    assert (
        save_site(moderator, "History 204: The Cold War", "Spring 2027 · Dr. Lee").status_code
        == 302
    )
    for url in pages:
        html = reader.get(url).text
        assert "History 204: The Cold War" in html, url
        # (A feed's <generator> names the software, "Class Blog", whatever the course.)
        assert "Class Blog" not in html.replace("<generator>Class Blog<", ""), url
    post_page = reader.get("/posts/p/").text
    assert '<p class="site-tagline">Spring 2027 · Dr. Lee</p>' in post_page
    assert "<title>The Post – History 204: The Cold War</title>" in post_page
    assert '<meta property="og:site_name" content="History 204: The Cold War">' in post_page
    # The cached queue too: saving the settings moves the moderation version.
    assert "History 204: The Cold War" in header(moderator.get("/moderation").text)
    with app.app_context():
        assert db.session.get(DiscussionSettings, 1).site_tagline == "Spring 2027 · Dr. Lee"

    # Emptied, the name is BLOG_TITLE's again.
    save_site(moderator, "", "")
    assert ">Class Blog</a>" in header(reader.get("/posts/p/").text)
    assert "site-tagline" not in reader.get("/").text


def test_the_front_page_with_no_posts_follows_the_name_too(app, moderator):
    reader = app.test_client()
    assert "Class Blog" in reader.get("/").text
    save_site(moderator, "Nothing here yet")
    assert "Nothing here yet" in header(reader.get("/").text)


def test_the_name_is_checked_and_kept_on_a_refusal(app, moderator):
    response = save_site(moderator, "x" * 201, "kept tagline")
    assert response.status_code == 400
    assert "Keep the course name under 200 characters." in response.text
    assert 'value="kept tagline"' in response.text


def test_the_name_is_escaped(app, moderator, make_post):
    make_post(slug="p")
    save_site(moderator, "<script>alert(1)</script>", "A & B")
    html = app.test_client().get("/posts/p/").text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "A &amp; B" in html


def test_the_chrome_costs_the_reader_pages_no_query(app, make_post, make_comment, moderator):
    make_post(slug="p")
    save_site(moderator, "History 204", "A tagline")
    reader = app.test_client()
    reader.get("/posts/p/")
    reader.get("/")
    # A cached post page: one query (its head, which carries the chrome and the neighbours).
    assert count_queries(app, reader, "/posts/p/") == 1
    assert count_queries(app, reader, "/") == 1


# Older and newer posts


@pytest.fixture
def three_posts(make_post) -> list[int]:
    day = datetime(2026, 3, 1, tzinfo=UTC)
    return [
        make_post(slug=f"p{n}", title=f"Lecture {n}", published_at=day + timedelta(days=n))
        for n in (1, 2, 3)
    ]


def post_navigation(html: str) -> str:
    found = re.search(r'<nav class="post-navigation".*?</nav>', html, re.S)
    return found.group(0) if found else ""


def test_a_post_links_to_the_older_and_newer_public_posts(client, three_posts, make_post):
    make_post(slug="draft", title="A draft", status=PostStatus.DRAFT,
              published_at=datetime(2026, 3, 2, 12, tzinfo=UTC))  # fmt: skip
    make_post(slug="later", title="Scheduled", published_at=utcnow() + timedelta(days=30))
    middle = post_navigation(client.get("/posts/p2/").text)
    assert '<a class="nav-previous" href="/posts/p1/" rel="prev">' in middle
    assert "←&nbsp;Lecture 1" in middle
    assert '<a class="nav-next" href="/posts/p3/" rel="next">' in middle
    assert "Lecture 3&nbsp;→" in middle
    assert "A draft" not in middle
    first = post_navigation(client.get("/posts/p1/").text)
    assert "nav-previous" not in first and "Lecture 2&nbsp;→" in first
    last = post_navigation(client.get("/posts/p3/").text)
    assert (
        "←&nbsp;Lecture 2" in last and "nav-next" not in last
    )  # the scheduled post is not out yet


def test_posts_published_at_the_same_moment_are_ordered_by_id(client, make_post):
    moment = datetime(2026, 3, 1, tzinfo=UTC)
    make_post(slug="a", title="First", published_at=moment)
    make_post(slug="b", title="Second", published_at=moment)
    assert "←&nbsp;First" in post_navigation(client.get("/posts/b/").text)
    assert "Second&nbsp;→" in post_navigation(client.get("/posts/a/").text)


def test_a_lone_post_has_no_navigation(client, make_post):
    make_post(slug="only")
    assert post_navigation(client.get("/posts/only/").text) == ""


def set_post(app, post_id: int, **values) -> None:
    with app.app_context():
        post = db.session.get(Post, post_id)
        for name, value in values.items():
            setattr(post, name, value)
        db.session.commit()


def test_the_cached_post_page_follows_its_neighbours(app, three_posts, make_post):
    first, _middle, last = three_posts
    reader = app.test_client()
    assert "Lecture 3&nbsp;→" in post_navigation(reader.get("/posts/p2/").text)  # cached now

    set_post(app, last, title="Lecture 3, revised")
    assert "Lecture 3, revised&nbsp;→" in post_navigation(reader.get("/posts/p2/").text)

    set_post(app, last, status=PostStatus.DRAFT)  # unpublished
    assert "nav-next" not in post_navigation(reader.get("/posts/p2/").text)

    set_post(app, last, status=PostStatus.PUBLISHED)
    assert "Lecture 3, revised&nbsp;→" in post_navigation(reader.get("/posts/p2/").text)

    set_post(app, first, slug="lecture-one")  # renamed: the link follows
    assert 'href="/posts/lecture-one/"' in post_navigation(reader.get("/posts/p2/").text)


def test_a_scheduled_neighbour_appears_when_its_time_comes(app, make_post):
    make_post(slug="now", title="Today", published_at=utcnow() - timedelta(hours=1))
    soon = make_post(slug="soon", title="Tomorrow", published_at=utcnow() + timedelta(days=1))
    reader = app.test_client()
    assert post_navigation(reader.get("/posts/now/").text) == ""  # cached now
    # Its time comes: nothing in the database changes but the clock (moved back, here).
    with app.app_context():
        db.session.execute(
            db.update(Post)
            .where(Post.id == soon)
            .values(published_at=utcnow() - timedelta(minutes=1), page_version=Post.page_version)
            .execution_options(changes_pages=set())
        )
        db.session.commit()
    assert "Tomorrow&nbsp;→" in post_navigation(reader.get("/posts/now/").text)


def test_the_post_page_costs_no_more_queries_with_neighbours(app, three_posts):
    reader = app.test_client()
    first_view = len(recorded_queries(app, reader, "/posts/p2/"))
    assert first_view == 3  # head (with chrome and neighbours), post, comments
    assert len(recorded_queries(app, reader, "/posts/p2/")) == 1


# Canonical address


@pytest.mark.app_config(SITE_URL="https://blog.example.edu/history")
def test_the_canonical_address_and_og_url_are_on_site_url(app, make_post, make_comment):
    make_post(slug="p")
    reader = app.test_client()
    html = reader.get("/posts/p/", headers={"Host": "localhost"}).text
    assert '<link rel="canonical" href="https://blog.example.edu/history/posts/p/">' in html
    assert '<meta property="og:url" content="https://blog.example.edu/history/posts/p/">' in html
    front = reader.get("/").text
    assert '<link rel="canonical" href="https://blog.example.edu/history/">' in front


@pytest.mark.app_config(POSTS_PER_PAGE=1)
def test_each_page_names_its_own_address(app, make_post, make_comment):
    from app.discussion.discussion_settings import save_settings

    post_id = make_post(slug="p")
    make_post(slug="q")
    for _ in range(3):
        make_comment(post_id)
    with app.app_context():
        save_settings(
            manual_approval=False, require_prior_approval=True, max_links=2,
            moderation_words="", disallowed_words="", close_after_days=None, notify_email="",
            comments_per_page=1, newest_comments_first=False, digest_minutes=15,
        )  # fmt: skip
    reader = app.test_client()
    assert 'rel="canonical" href="http://127.0.0.1:5000/?page=2"' in reader.get("/?page=2").text
    # The same comments by two addresses: each page names the address it was asked by.
    opening = reader.get("/posts/p/").text
    assert 'rel="canonical" href="http://127.0.0.1:5000/posts/p/"' in opening
    page_one = reader.get("/posts/p/comment-page-1/").text
    assert 'rel="canonical" href="http://127.0.0.1:5000/posts/p/comment-page-1/"' in page_one
    assert 'rel="canonical" href="http://127.0.0.1:5000/posts/p/"' in reader.get("/posts/p/").text


def test_the_instructors_email_names_the_course(app, make_post, post_comment):
    from app.discussion.discussion_settings import save_settings

    from .mail_servers import sender_done

    make_post(slug="p", title="The Post")
    with app.app_context():
        save_settings(
            manual_approval=True, require_prior_approval=True, max_links=2,
            moderation_words="", disallowed_words="", close_after_days=None, notify_email="",
            comments_per_page=None, newest_comments_first=False, digest_minutes=0,
            site_name="HIST 204",
        )  # fmt: skip
    post_comment(body="Held for the instructor.")
    sender_done(app)
    [path] = sorted((Path(app.instance_path) / "outbox").glob("*.eml"))
    subject = email.message_from_bytes(path.read_bytes())["Subject"]
    assert str(email.header.make_header(email.header.decode_header(subject))).startswith(
        "[HIST 204] Please moderate"
    )
