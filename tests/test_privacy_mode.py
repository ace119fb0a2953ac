"""Privacy mode: readers see commenters as "First L." on every public page and feed; the logged-in
instructor sees full names; no page or feed ever shows a commenter's email address."""

from __future__ import annotations

from html import unescape

import pytest

from app.discussion.discussion_settings import load_settings
from app.extensions import db
from app.models import CommentStatus
from tests.conftest import csrf_token_from

FULL, SHORT = "Ada Lovelace", "Ada L."
REPLIER, REPLIER_SHORT = "Grace Brewster Murray Hopper", "Grace H."
EMAILS = ("ada.lovelace@example.com", "grace.hopper@example.com", "held.reader@example.com")


@pytest.fixture
def discussion(app, make_post, make_comment, instructor) -> dict[str, int]:
    """A post with Ada's comment, Grace's reply to it, the instructor's reply to Grace, and a
    held comment (never public)."""
    post = make_post(slug="p", title="The Secret Speech")
    ada = make_comment(post, author_name=FULL, author_email=EMAILS[0])
    grace = make_comment(post, author_name=REPLIER, author_email=EMAILS[1], parent_id=ada)
    reply = make_comment(
        post,
        author_name="Professor Lee",
        author_email="",
        parent_id=grace,
        instructor_id=instructor,
    )
    held = make_comment(
        post, CommentStatus.PENDING, author_name="Held Reader", author_email=EMAILS[2]
    )
    return {"post": post, "ada": ada, "grace": grace, "reply": reply, "held": held}


def set_privacy(app, on: bool, **settings: object) -> None:
    with app.app_context():
        stored = load_settings()
        stored.privacy_mode = on
        for name, value in settings.items():
            setattr(stored, name, value)
        db.session.add(stored)
        db.session.commit()


def text_of(client, url: str) -> str:
    response = client.get(url, follow_redirects=True)
    assert response.status_code == 200, (url, response.status_code)
    return unescape(response.text)


def public_urls(ids: dict[str, int]) -> list[str]:
    return [
        "/",
        "/posts/p/",
        f"/posts/p/?replytocom={ids['grace']}",
        f"/comments/{ids['ada']}/",
        "/feed/",
        "/comments/feed/",
        "/posts/p/feed/",
    ]


def test_off_readers_see_full_names(app, client, discussion):
    page = text_of(client, "/posts/p/")
    assert f">{FULL}<" in page and f">{REPLIER}<" in page
    assert "Ada L." not in page


def test_on_the_post_page_shows_first_names_and_initials(app, client, discussion):
    set_privacy(app, True)
    page = text_of(client, "/posts/p/")
    assert f'id="comment-{discussion["ada"]}-author">{SHORT}</b>' in page
    assert f'id="comment-{discussion["grace"]}-author">{REPLIER_SHORT}</b>' in page
    # The labels around them: the permalink, the reply link and the script's "Replying to".
    assert f'aria-label="Reply to {SHORT}"' in page
    assert f'data-author="{SHORT}"' in page
    assert f'aria-label="Link to this comment by {REPLIER_SHORT}"' in page
    # The instructor is staff: their reply keeps the display name.
    assert 'author">Professor Lee <span class="badge">Instructor</span>' in page
    for part in ("Lovelace", "Hopper", "Brewster", "readers see"):
        assert part not in page


def test_on_the_reply_form_names_whom_it_answers_shortly(app, client, discussion):
    set_privacy(app, True)
    page = text_of(client, f"/posts/p/?replytocom={discussion['ada']}")
    assert f'Leave a Reply to <span class="reply-to-name">{SHORT}</span>' in page
    assert "Lovelace" not in page


def test_on_a_permalink_lands_on_a_page_without_full_names(app, client, discussion):
    set_privacy(app, True, comments_per_page=1)
    response = client.get(f"/comments/{discussion['grace']}/")
    assert response.status_code == 302
    page = text_of(client, response.location)
    assert REPLIER_SHORT in page and "Hopper" not in page


def test_on_every_comment_page_shortens(app, client, make_comment, discussion):
    make_comment(discussion["post"], author_name="Nikita Sergeyevich Khrushchev")
    set_privacy(app, True, comments_per_page=1)
    first, second = text_of(client, "/posts/p/"), text_of(client, "/posts/p/comment-page-2/")
    assert SHORT in first and "Nikita K." in second
    for page in (first, second):
        assert "Lovelace" not in page and "Khrushchev" not in page


@pytest.mark.parametrize("feed", ["/comments/feed/", "/posts/p/feed/"])
def test_the_feeds_follow_the_mode(app, client, discussion, feed):
    off = text_of(client, feed)
    assert f"<author><name>{FULL}</name></author>" in off
    assert f"<title>{FULL} on “The Secret Speech”</title>" in off
    set_privacy(app, True)
    on = text_of(client, feed)
    assert f"<author><name>{SHORT}</name></author>" in on
    assert f"<title>{REPLIER_SHORT} on “The Secret Speech”</title>" in on
    assert "<author><name>Professor Lee</name></author>" in on
    assert "Lovelace" not in on and "Hopper" not in on


@pytest.mark.parametrize("on", [False, True])
def test_the_front_page_shows_no_commenter(app, client, discussion, on):
    set_privacy(app, on)
    page = text_of(client, "/")
    assert "The Secret Speech" in page
    assert "Lovelace" not in page and "Ada L." not in page


def test_the_instructor_sees_full_names_marked_private(app, moderator, discussion):
    set_privacy(app, True)
    page = text_of(moderator, "/posts/p/")
    assert f'{FULL} <small class="private-name">(private; readers see “{SHORT}”)</small>' in page
    assert f'aria-label="Spam the comment by {FULL}"' in page
    # Their own reply reads the same for everyone: no mark.
    assert "readers see “Professor Lee”" not in page
    reply_form = text_of(moderator, f"/posts/p/?replytocom={discussion['ada']}")
    assert f'Leave a Reply to <span class="reply-to-name">{FULL}</span>' in reply_form
    # Off: nothing is private, nothing is marked.
    set_privacy(app, False)
    assert "private-name" not in text_of(moderator, "/posts/p/")


@pytest.mark.parametrize(
    "url",
    [
        "/moderation?status=approved",
        "/moderation?status=pending",
        "/moderation/personal-data/?email=ada.lovelace@example.com",
        "/class/participation",
    ],
)
def test_the_instructors_screens_keep_full_names(app, moderator, discussion, url):
    set_privacy(app, True)
    page = text_of(moderator, url)
    expected = "Held Reader" if "pending" in url else FULL
    assert expected in page


def test_toggling_changes_an_already_cached_page_at_once(app, client, moderator, discussion):
    """The post page, its cached parts, the front page and the feeds are cached: turning the
    mode on through the settings form moves their keys in the same transaction."""
    reader = app.test_client()
    for url in public_urls(discussion):
        text_of(reader, url)  # cached now
    assert FULL in text_of(reader, "/posts/p/")
    page = moderator.get("/moderation/settings").text
    data = {
        "csrf_token": csrf_token_from(page),
        "max_links": "2",
        "digest_minutes": "15",
        "address_retention_days": "30",
        "privacy_mode": "y",
    }
    assert moderator.post("/moderation/settings", data=data).status_code == 302
    for url in ("/posts/p/", "/comments/feed/", "/posts/p/feed/"):
        shown = text_of(reader, url)
        assert SHORT in shown and "Lovelace" not in shown, url
    del data["privacy_mode"]
    data["csrf_token"] = csrf_token_from(moderator.get("/moderation/settings").text)
    assert moderator.post("/moderation/settings", data=data).status_code == 302
    assert f">{FULL}<" in text_of(reader, "/posts/p/")


def test_an_etag_from_before_the_toggle_does_not_match(app, client, discussion):
    first = client.get("/posts/p/")
    set_privacy(app, True)
    again = client.get("/posts/p/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200
    assert SHORT in unescape(again.text)


def test_saving_other_settings_moves_no_page_version(app, discussion):
    from app.models import Post

    with app.app_context():
        before = db.session.get(Post, discussion["post"]).page_version
    set_privacy(app, False, max_links=3)
    with app.app_context():
        assert db.session.get(Post, discussion["post"]).page_version == before
    set_privacy(app, True)
    with app.app_context():
        assert db.session.get(Post, discussion["post"]).page_version == before + 1


@pytest.mark.parametrize("on", [False, True])
def test_no_public_page_or_feed_shows_an_email_address(app, client, discussion, on):
    set_privacy(app, on, comments_per_page=1)
    urls = [*public_urls(discussion), "/posts/p/comment-page-2/", "/posts/p/comment-page-3/"]
    for url in urls:
        shown = client.get(url, follow_redirects=True).text
        for email in EMAILS:
            assert email not in shown and email.replace("@", "&#64;") not in shown, (url, email)
