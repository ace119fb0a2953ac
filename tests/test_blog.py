"""The reader-facing pages: the front page, the post page and its approved comments."""

from __future__ import annotations

import pytest

from app.models import CommentStatus
from app.transfer.seed import load_seed_data

POST_URL = "/posts/the-secret-speech-on-stalins-cult-of-personality-1956/"
TITLE = "The Secret Speech on Stalin’s Cult of Personality, 1956"


def test_post_page_shows_title_every_paragraph_and_the_seeded_comment(client, seeded):
    response = client.get(POST_URL)
    assert response.status_code == 200
    html = response.text
    assert f'<h1 class="entry-title">{TITLE}</h1>' in html
    for paragraph in load_seed_data()["post"]["paragraphs"]:
        assert f"<p>{paragraph}</p>" in html
    assert "Following the death of Joesph Stalin in 1953" in html
    assert "what parts of the Stalinist system Khrushchev did not critique…" in html
    assert f"1 thought on “{TITLE}”" in html


def test_front_page_links_each_post_newest_first_with_an_excerpt(client, seeded, make_post):
    from datetime import UTC, datetime

    make_post(title="A later post", slug="later", published_at=datetime(2024, 1, 1, tzinfo=UTC))
    html = client.get("/").text
    assert html.index("A later post") < html.index(TITLE)
    assert f'href="{POST_URL}"' in html
    assert "Following the death of Joesph Stalin" in html
    assert "March 1, 2016" in html


def test_front_page_with_no_posts_says_so(client):
    assert "Nothing has been posted yet." in client.get("/").text


def test_front_page_paginates(app, client, make_post):
    app.config["POSTS_PER_PAGE"] = 2
    for _ in range(3):
        make_post()
    assert "Older posts" in client.get("/").text
    assert "Newer posts" in client.get("/?page=2").text
    assert client.get("/?page=9").status_code == 404


@pytest.mark.parametrize("status", [CommentStatus.PENDING, CommentStatus.SPAM, CommentStatus.TRASH])
def test_comments_that_are_not_approved_never_show(client, make_post, make_comment, status):
    post_id = make_post(slug="p")
    make_comment(post_id, status=status, body="hidden words", author_name="Hidden Person")
    html = client.get("/posts/p/").text
    assert "hidden words" not in html
    assert "Hidden Person" not in html
    assert "No thoughts yet" in html


@pytest.mark.parametrize(
    ("approved", "heading"), [(1, "1 thought on"), (2, "2 thoughts on"), (5, "5 thoughts on")]
)
def test_thought_count_heading_is_singular_or_plural(
    client, make_post, make_comment, approved, heading
):
    post_id = make_post(slug="p", title="Counted")
    for _ in range(approved):
        make_comment(post_id)
    make_comment(post_id, status=CommentStatus.PENDING)
    assert f"{heading} “Counted”" in client.get("/posts/p/").text


def test_post_with_no_comments_invites_the_first_reply(client, make_post):
    make_post(slug="p", title="Quiet")
    assert "be the first to leave a reply" in client.get("/posts/p/").text


def test_comments_show_oldest_first_with_anchor_author_link_and_line_breaks(
    client, make_post, make_comment
):
    post_id = make_post(slug="p")
    later = make_comment(post_id, body="second", created_at=_at(2))
    earlier = make_comment(
        post_id,
        body="first line\nsecond line\n\nnew paragraph",
        author_name="Ada",
        author_url="https://ada.example/",
        created_at=_at(1),
    )
    html = client.get("/posts/p/").text
    assert html.index(f'id="comment-{earlier}"') < html.index(f'id="comment-{later}"')
    assert '<a href="https://ada.example/" rel="external nofollow ugc">Ada</a>' in html
    assert "<p>first line<br>\nsecond line</p>\n<p>new paragraph</p>" in html


def test_comment_text_is_escaped(client, make_post, make_comment):
    post_id = make_post(slug="p")
    make_comment(post_id, body="<script>alert(1)</script>", author_name="<b>Eve</b>")
    html = client.get("/posts/p/").text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Eve&lt;/b&gt;" in html


@pytest.mark.parametrize(
    "url",
    [
        "/posts/nope/",
        "/posts/%00/",
        "/posts/" + "a" * 5000 + "/",
        "/posts/../../etc/passwd",
        "/nothing",
    ],
)
def test_unknown_or_malformed_post_urls_get_the_404_page(client, seeded, url):
    response = client.get(url)
    assert response.status_code == 404
    assert "There is nothing at this address" in response.text
    assert 'href="/static/style.css' in response.text


def test_server_error_renders_the_500_page(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in response.text


def test_pages_load_nothing_from_another_host(client, seeded):
    import re

    for url in ("/", POST_URL):
        html = client.get(url).text
        # The canonical address names the page (on SITE_URL); it loads nothing.
        html = re.sub(r'<link rel="canonical" href="[^"]*">', "", html)
        assert not re.search(r'(src|href)="(https?:)?//', html.replace('href="https://ada', ""))


def test_stylesheet_is_served(client):
    with client.get("/static/style.css") as response:
        assert response.status_code == 200
        assert "font" in response.text


def _at(minute: int):
    from datetime import UTC, datetime

    return datetime(2022, 5, 1, 10, minute, tzinfo=UTC)


# The chrome around posts: who wrote them, how many comments, and the way in and out.


def test_the_front_page_shows_author_date_and_a_comments_link(client, make_post, make_comment):
    post_id = make_post(slug="p", author_name="Ms. Okafor")
    make_comment(post_id)
    make_comment(post_id)
    make_comment(post_id, status=CommentStatus.PENDING)  # not counted: readers can't see it
    html = client.get("/").text
    assert 'By <span class="author">Ms. Okafor</span>' in html
    assert '<a href="/posts/p/#comments">2 comments<span class="visually-hidden"> on' in html


def test_the_footer_has_log_in_for_readers_and_log_out_for_the_instructor(client, moderator):
    assert "Log out" in moderator.get("/").text
    assert ">Moderation</a>" in moderator.get("/").text
    reader = client.application.test_client()
    html = reader.get("/").text
    assert '<a href="/login" rel="nofollow">Log in</a>' in html
    assert "Log out" not in html


def test_a_post_page_describes_itself_to_search_engines_and_link_previews(client, make_post):
    make_post(slug="p", title="On Maps", excerpt="Why every map lies a little.")
    html = client.get("/posts/p/").text
    assert '<meta name="description" content="Why every map lies a little.">' in html
    assert '<meta property="og:title" content="On Maps">' in html
    assert '<meta property="og:description" content="Why every map lies a little.">' in html


def test_every_date_on_a_post_page_is_a_utc_time_element_in_the_sites_zone(
    app, client, make_post, make_comment
):
    from datetime import UTC, datetime

    post_id = make_post(slug="p", published_at=datetime(2024, 3, 3, 8, 0, tzinfo=UTC))
    make_comment(post_id, created_at=datetime(2024, 3, 3, 23, 30, tzinfo=UTC))
    app.config["SITE_TIMEZONE"] = "Europe/Paris"
    html = client.get("/posts/p/").text
    assert '<time datetime="2024-03-03T08:00:00Z" data-local="date">' in html
    # Without JavaScript: the site's zone, named, as it is the next day there.
    assert (
        '<time datetime="2024-03-03T23:30:00Z" data-local="datetime">March 4, 2024 at 12:30 am CET'
        in html
    )
    assert "local-times.js" in html
