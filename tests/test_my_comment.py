"""The author's private "check my comment" page: the link shown after posting and emailed to an
author who asked, what the page says in each state, and every way a link can be wrong."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from app.discussion.author_links import make_author_token
from app.discussion.email_links import make_token
from app.discussion.moderation import Action
from app.extensions import db
from app.models import Comment, CommentStatus

from .conftest import stored_comments
from .test_notifications import body_of, emails

CHECK_LINK = re.compile(r'href="(/my-comment/[^"/]+/)"')
HELD = "Waiting for the instructor."


@pytest.fixture
def post_id(make_post):
    return make_post(slug="p", title="Target")


def check_url_after_posting(post_comment, **fields: str) -> str:
    """Post a comment as a reader and return the private link the confirmation shows."""
    page = post_comment("p", follow=True, **fields)
    assert page.status_code == 200
    match = CHECK_LINK.search(page.text)
    assert match, "the confirmation shows no private link"
    return match.group(1)


def token_for(app, comment_id: int, issued_at: datetime | None = None) -> str:
    with app.app_context():
        comment = db.session.get_one(Comment, comment_id)
        return make_author_token(app.config["SECRET_KEY"], comment, issued_at)


def test_the_confirmation_links_to_a_private_page_that_works_on_another_device(
    app, client, post_comment, post_id
):
    url = check_url_after_posting(post_comment, body="My held thoughts.")

    other_device = app.test_client()
    page = other_device.get(url)
    assert page.status_code == 200
    assert HELD in page.text
    assert "My held thoughts." in page.text
    assert page.headers["Cache-Control"] == "private, no-store"
    assert "noindex" in page.headers["X-Robots-Tag"]
    # Having opened the link, the other device sees the held comment in the thread too.
    assert "My held thoughts." in other_device.get("/posts/p/").text
    assert "My held thoughts." not in app.test_client().get("/posts/p/").text


def test_the_page_says_where_the_comment_stands(app, client, make_comment, post_id):
    comment_id = make_comment(post_id, status=CommentStatus.PENDING, body="Where am I?")
    url = f"/my-comment/{token_for(app, comment_id)}/"
    assert HELD in client.get(url).text

    with app.app_context():
        db.session.get_one(Comment, comment_id).status = CommentStatus.APPROVED
        db.session.commit()
    published = client.get(url).text
    assert "Published." in published
    assert f'href="/comments/{comment_id}/"' in published

    for removed in (CommentStatus.SPAM, CommentStatus.TRASH):
        with app.app_context():
            db.session.get_one(Comment, comment_id).status = removed
            db.session.commit()
        page = client.get(url).text
        assert "Removed." in page
        assert "Where am I?" in page  # the author's text is not lost
        assert "spam" not in page.lower()


def test_a_published_comment_gets_a_link_too(app, client, post_comment, post_id, make_comment):
    # An approved comment by the same name and email lets the next one through.
    make_comment(post_id, author_name="Ada", author_email="ada@example.com")
    url = check_url_after_posting(post_comment, body="Straight through.")
    assert "Published." in client.get(url).text


@pytest.mark.parametrize(
    ("mangle", "status", "words"),
    [
        (
            lambda token: token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"),
            404,
            "not valid",
        ),
        (lambda token: token[: len(token) // 2], 404, "not valid"),
        (lambda token: "nonsense", 404, "not valid"),
    ],
)
def test_a_tampered_link_says_so_and_shows_nothing(
    app, client, make_comment, post_id, mangle, status, words
):
    comment_id = make_comment(post_id, status=CommentStatus.PENDING, body="Private words.")
    page = client.get(f"/my-comment/{mangle(token_for(app, comment_id))}/")
    assert page.status_code == status
    assert words in page.text
    assert "Private words." not in page.text


def test_a_link_signed_for_something_else_is_refused(app, client, make_comment, post_id):
    comment_id = make_comment(post_id, status=CommentStatus.PENDING)
    # The instructor's one-click approve link is signed with the same key, another salt.
    other = make_token(app.config["SECRET_KEY"], comment_id, Action.APPROVE)
    assert client.get(f"/my-comment/{other}/").status_code == 404


def test_a_link_expires_after_a_year(app, client, make_comment, post_id):
    comment_id = make_comment(post_id, status=CommentStatus.PENDING)
    now = datetime.now(UTC)
    fresh = token_for(app, comment_id, issued_at=now - timedelta(days=364))
    stale = token_for(app, comment_id, issued_at=now - timedelta(days=366))
    assert client.get(f"/my-comment/{fresh}/").status_code == 200
    page = client.get(f"/my-comment/{stale}/")
    assert page.status_code == 410
    assert "expired" in page.text


def test_a_link_to_a_deleted_comment_finds_nothing_even_when_its_id_returns(
    app, client, make_comment, post_id
):
    comment_id = make_comment(post_id, status=CommentStatus.PENDING, body="Mine.")
    token = token_for(app, comment_id)
    with app.app_context():
        db.session.delete(db.session.get_one(Comment, comment_id))
        db.session.commit()
    assert client.get(f"/my-comment/{token}/").status_code == 410
    # Someone else's comment under the same id (SQLite reuses the highest id) stays theirs.
    reused = make_comment(post_id, id=comment_id, body="Someone else's.")
    assert reused == comment_id
    page = client.get(f"/my-comment/{token}/")
    assert page.status_code == 410
    assert "Someone else's." not in page.text


def test_an_author_who_asks_is_emailed_their_link(app, client, post_comment, post_id):
    check_url_after_posting(
        post_comment, notify_me="y", author_email="ada@example.com", body="Mailed to me."
    )
    to_author = [m for m in emails(app) if m["To"] == "ada@example.com"]
    assert len(to_author) == 1
    text = body_of(to_author[0])
    assert "waiting for the instructor" in text
    # The emailed link (stamped in its own second, so not always the page's) opens the comment.
    (emailed,) = re.findall(r"https?://\S+(/my-comment/[^/\s]+/)", text)
    page = app.test_client().get(emailed)
    assert page.status_code == 200
    assert "Mailed to me." in page.text
    assert stored_comments(app)[0].notify_author is True


def test_an_author_who_does_not_ask_gets_no_email(app, client, post_comment, post_id):
    check_url_after_posting(post_comment, author_email="ada@example.com")
    assert [m["To"] for m in emails(app)] == ["instructor@localhost"]  # the held notice only
    assert stored_comments(app)[0].notify_author is False


def test_the_instructors_own_comment_never_opts_in(app, client, auth, post_id):
    auth.login()
    page = client.get("/posts/p/")
    assert "Email me about this comment" not in page.text
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)
    client.post("/posts/p/comments", data={"csrf_token": token, "body": "Hi.", "notify_me": "y"})
    (comment,) = stored_comments(app)
    assert comment.notify_author is False
