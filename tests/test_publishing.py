"""The publishing domain: Markdown to sanitised HTML, slugs, and who sees which post when."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.models import BodyFormat, Post, PostStatus
from app.publishing.rendering import (
    post_excerpt,
    render_body,
    render_markdown,
    sanitise_comment_html,
    sanitise_post_html,
)
from app.publishing.slugs import slugify, unique_slug

NOW = datetime(2026, 3, 1, 12, tzinfo=UTC)


def test_markdown_renders_commonmark_tables_footnotes_and_smart_quotes():
    html = render_markdown(
        '# Title\n\n"Quoted" -- text with *emphasis*.\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n'
        "Note[^1].\n\n[^1]: The note.\n"
    )
    assert "<h2>Title</h2>" in html  # the page's h1 is the post title
    assert "“Quoted” – text with <em>emphasis</em>." in html
    assert "<td>1</td>" in html
    assert 'href="#fn1"' in html and 'id="fn1"' in html


@pytest.mark.parametrize(
    ("markdown", "absent"),
    [
        ("<script>alert(1)</script>", "<script"),
        ('<a href="javascript:alert(1)">x</a>', "javascript:"),
        ('<img src="x" onerror="alert(1)">', "onerror"),
        ("![tracker](https://elsewhere.example/pixel.gif)", "elsewhere.example"),
        ("<iframe src=/x></iframe>", "<iframe"),
        ('<p id="comments">clash</p>', 'id="comments"'),
        ('<p style="position:fixed">x</p>', "style="),
    ],
)
def test_markdown_output_keeps_nothing_dangerous(markdown, absent):
    assert absent not in render_markdown(markdown)


def test_links_get_rel_and_local_images_stay():
    html = render_markdown("[a](https://example.org) ![b](/static/b.png)")
    assert 'rel="noopener noreferrer"' in html
    assert '<img src="/static/b.png" alt="b">' in html


def test_comment_html_is_reduced_to_what_wordpress_allows():
    html = sanitise_comment_html(
        '<h1>Big</h1><p><em>ok</em> <a href="https://a.example">a</a> '
        '<img src="https://b.example/x.png"><script>x()</script></p>'
    )
    # The heading's text stays, as a plain line; the image and script go.
    assert html == 'Big<p><em>ok</em> <a href="https://a.example" rel="nofollow ugc">a</a> </p>'


def test_post_html_drops_images_from_other_hosts():
    assert "<img" not in sanitise_post_html('<p><img src="//cdn.example/x.png"></p>')


def test_plain_bodies_render_as_before_the_editor():
    post = Post(body="One\n\nTwo <b>", body_format=BodyFormat.PLAIN, excerpt="")
    assert str(render_body(post)) == "<p>One</p>\n<p>Two &lt;b&gt;</p>"
    assert post_excerpt(post) == "One Two <b>"


def test_the_excerpt_is_the_first_paragraph_unless_written():
    post = Post(body="# Head\n\nFirst *para*.\n\nSecond.", body_format=BodyFormat.MARKDOWN)
    post.excerpt = ""
    assert post_excerpt(post) == "First para."
    post.excerpt = "Written by hand."
    assert post_excerpt(post) == "Written by hand."


@pytest.mark.parametrize(
    ("title", "slug"),
    [("Hello, World!", "hello-world"), ("Ça va — été", "ca-va-ete"), ("???", "post")],
)
def test_slugify(title, slug):
    assert slugify(title) == slug


def test_unique_slug_counts_up():
    assert unique_slug("a", {"a", "a-2"}) == "a-3"


@pytest.mark.parametrize(
    ("status", "published_at", "public"),
    [
        (PostStatus.PUBLISHED, NOW - timedelta(seconds=1), True),
        (PostStatus.PUBLISHED, NOW + timedelta(seconds=1), False),
        (PostStatus.DRAFT, NOW - timedelta(days=1), False),
        (PostStatus.TRASH, NOW - timedelta(days=1), False),
    ],
)
def test_a_post_is_public_when_published_and_its_time_has_come(status, published_at, public):
    assert Post(status=status, published_at=published_at).is_public(NOW) is public


def test_drafts_and_scheduled_posts_are_invisible_to_readers(client, make_post):
    future = datetime.now(UTC) + timedelta(days=1)
    make_post(title="Out now", slug="out")
    make_post(title="Coming soon", slug="soon", published_at=future)
    make_post(title="Not ready", slug="draft", status=PostStatus.DRAFT)
    make_post(title="Thrown away", slug="binned", status=PostStatus.TRASH)
    front = client.get("/").text
    assert "Out now" in front
    for title in ("Coming soon", "Not ready", "Thrown away"):
        assert title not in front
    for slug in ("soon", "draft", "binned"):
        assert client.get(f"/posts/{slug}/").status_code == 404
        refused = client.post(f"/posts/{slug}/comments", data={"body": "x"})
        assert refused.status_code == 404


def test_a_scheduled_post_appears_when_its_time_comes(app, client, make_post, monkeypatch):
    from app.blog import views

    soon = datetime.now(UTC) + timedelta(hours=1)
    make_post(title="Coming soon", slug="soon", published_at=soon)
    assert "Coming soon" not in client.get("/").text  # and the front page is now cached
    monkeypatch.setattr(views, "utcnow", lambda: soon + timedelta(seconds=1))
    assert "Coming soon" in client.get("/").text
    assert client.get("/posts/soon/").status_code == 200


def test_the_instructor_sees_a_draft_at_its_address(moderator, make_post):
    make_post(title="Not ready", slug="draft", status=PostStatus.DRAFT)
    assert "Not ready" in moderator.get("/posts/draft/").text
