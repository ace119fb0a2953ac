"""Post first: on such a post a reader sees classmates' comments only after posting their own."""

from __future__ import annotations

import re

import feedparser
import pytest

from app.discussion.moderation import Action, apply_action
from app.discussion.post_first import has_posted, hidden_message, thread_is_shown
from app.extensions import db
from app.models import Comment, CommentStatus, Instructor, Post

from .conftest import csrf_token_from, recorded_queries
from .test_editor import editor_form, stored_post

PENDING, APPROVED = CommentStatus.PENDING, CommentStatus.APPROVED
HIDDEN = "3 comments are hidden until you post your own reply."


@pytest.fixture
def post_first(make_post, make_comment) -> tuple[int, list[int]]:
    """Post "p", post first, with three approved comments by classmates (one a reply) and one
    held; and an ordinary post "open" with one comment."""
    post_id = make_post(slug="p", title="Your first thoughts", post_first=True)
    first = make_comment(post_id, body="Classmate one thinks.")
    comments = [
        first,
        make_comment(post_id, body="Classmate two answers.", parent_id=first),
        make_comment(post_id, body="Classmate three."),
    ]
    make_comment(post_id, body="A held comment by someone.", status=PENDING)
    ordinary = make_post(slug="open", title="Ordinary")
    make_comment(ordinary, body="An ordinary comment.")
    return post_id, comments


def shows_thread(page) -> bool:
    return "Classmate one thinks." in page.text and "Classmate three." in page.text


def hides_thread(page) -> bool:
    return (
        page.status_code == 200
        and "Classmate" not in page.text
        and "comment-reply-link" not in page.text
        and HIDDEN in page.text
    )


@pytest.mark.parametrize(
    ("post_first", "can_moderate", "posted", "shown"),
    [
        (False, False, False, True),
        (True, False, False, False),
        (True, False, True, True),
        (True, True, False, True),
    ],
)
def test_the_rule(post_first, can_moderate, posted, shown):
    assert thread_is_shown(post_first=post_first, can_moderate=can_moderate, has_posted=posted) is (
        shown
    )


def test_the_hidden_message_counts_what_is_hidden():
    assert hidden_message(12).startswith("12 comments are hidden until you post your own reply.")
    assert hidden_message(1).startswith("1 comment is hidden")
    assert "once you have posted" in hidden_message(0)


def test_a_reader_sees_the_thread_only_after_posting_one_comment(app, client, post_first):
    page = client.get("/posts/p/")
    assert hides_thread(page)
    assert "3 thoughts on “Your first thoughts”" in page.text  # the count, not the comments
    assert 'id="respond"' in page.text  # the reply form is there

    response = client.post(
        "/posts/p/comments",
        data={
            "csrf_token": csrf_token_from(page.text),
            "body": "My own first answer.",
            "author_name": "Nina",
            "author_email": "nina@example.com",
        },
    )
    assert response.status_code == 302
    comment = next(c for c in stored_comments_of(app) if c.author_name == "Nina")
    assert comment.status is PENDING  # held: still counts

    page = client.get("/posts/p/")
    assert shows_thread(page)
    assert "My own first answer." in page.text
    assert "A held comment by someone." not in page.text  # others' held comments stay hidden
    assert "comment-reply-link" in page.text
    assert HIDDEN not in page.text


def stored_comments_of(app) -> list[Comment]:
    with app.app_context():
        comments = list(db.session.scalars(db.select(Comment).order_by(Comment.id)))
        db.session.expunge_all()
        return comments


def remember(client, *comment_ids: int) -> None:
    """What the reply form (or another page, such as a "check my reply" link) leaves in the
    browser's signed session: the ids of the comments it wrote."""
    with client.session_transaction() as session:
        session["own_comments"] = list(comment_ids)


@pytest.mark.parametrize("status", [PENDING, APPROVED])
def test_any_remembered_comment_on_the_post_opens_the_thread(
    client, post_first, make_comment, status
):
    own = make_comment(post_first[0], body="Mine.", status=status)
    remember(client, own)
    assert shows_thread(client.get("/posts/p/"))


def test_a_comment_on_another_post_opens_nothing(app, client, post_first):
    with app.app_context():
        elsewhere = db.session.scalar(db.select(Comment.id).where(Comment.body.like("An ord%")))
    remember(client, elsewhere)
    assert hides_thread(client.get("/posts/p/"))


def test_the_instructor_always_sees_everything(moderator, post_first):
    page = moderator.get("/posts/p/")
    assert shows_thread(page)
    assert "A held comment by someone." in page.text


@pytest.mark.parametrize("action", [Action.TRASH, Action.SPAM, "delete"])
def test_trashing_or_deleting_the_only_comment_hides_the_thread_again(
    app, client, post_first, make_comment, instructor, action
):
    own = make_comment(post_first[0], body="Mine.", status=APPROVED)
    remember(client, own)
    assert shows_thread(client.get("/posts/p/"))
    with app.app_context():
        prof = db.session.get(Instructor, instructor)
        if action == "delete":
            apply_action(
                [own], Action.TRASH, actor="prof", instructor=prof, now=_now(), notify=None
            )
            apply_action(
                [own], Action.DELETE, actor="prof", instructor=prof, now=_now(), notify=None
            )
        else:
            apply_action([own], action, actor="prof", instructor=prof, now=_now(), notify=None)
    page = client.get("/posts/p/")
    assert "Classmate" not in page.text
    assert "hidden until you post your own reply" in page.text


def _now():
    from app.models import utcnow

    return utcnow()


def test_the_cached_page_never_holds_the_thread(app, post_first, make_comment):
    stranger, author, latecomer = app.test_client(), app.test_client(), app.test_client()
    assert hides_thread(stranger.get("/posts/p/"))  # cached now, hidden
    own = make_comment(
        post_first[0], body="The author replies.", status=APPROVED
    )  # moves the version
    remember(author, own)
    assert shows_thread(author.get("/posts/p/"))
    # Someone else has posted and seen the thread: anyone else still gets the hidden page,
    # first visit and next, whether the page was cached before or after.
    for reader in (stranger, latecomer, stranger, latecomer):
        page = reader.get("/posts/p/")
        assert "The author replies." not in page.text
        assert "4 comments are hidden" in page.text
    # And the reader who posted is never given the cached copy.
    assert shows_thread(author.get("/posts/p/"))


def test_a_reply_link_to_a_hidden_comment_shows_nothing_of_it(client, post_first):
    page = client.get(f"/posts/p/?replytocom={post_first[1][0]}")
    assert hides_thread(page)
    assert "Reader 1" not in page.text  # not even whose comment it was


def test_counts_are_the_approved_comments_for_everyone(client, post_first):
    """The number is shown (heading, front page): it tells a reader there is a discussion to
    join without showing a word of it, and it keeps those pages one cached copy for everyone."""
    front = client.get("/")
    assert "3 comments" in front.text
    assert "Classmate" not in front.text


def test_comment_pages_hide_the_thread_too(app, client, post_first):
    from app.discussion.discussion_settings import load_settings

    with app.app_context():
        settings = load_settings()
        settings.comments_per_page = 1
        db.session.add(settings)
        db.session.commit()
    for url in ("/posts/p/", "/posts/p/comment-page-2/"):
        page = client.get(url)
        assert "Classmate" not in page.text
        assert "hidden until you post your own reply" in page.text


def test_permalinks_lead_to_the_post_not_to_the_comment(client, post_first, make_comment):
    comment_id = post_first[1][2]
    response = client.get(f"/comments/{comment_id}/")
    assert response.status_code == 302
    assert response.location.endswith("/posts/p/#comments")
    remember(client, make_comment(post_first[0], body="Mine.", status=PENDING))
    assert client.get(f"/comments/{comment_id}/").location.endswith(f"#comment-{comment_id}")


def test_the_post_feed_lists_none_and_says_why(client, post_first):
    feed = feedparser.parse(client.get("/posts/p/feed/").data)
    assert not feed.bozo
    assert feed.entries == []
    assert "lists none" in feed.feed.subtitle


def test_the_site_comments_feed_leaves_them_out(client, post_first):
    feed = feedparser.parse(client.get("/comments/feed/").data)
    assert [entry.content[0].value for entry in feed.entries] == ["<p>An ordinary comment.</p>"]


def test_switching_post_first_on_changes_cached_pages_and_feeds(
    app, client, make_post, make_comment
):
    post_id = make_post(slug="q")
    make_comment(post_id, body="Visible until switched.")
    assert "Visible until switched." in client.get("/posts/q/").text
    assert "Visible until switched." in client.get("/comments/feed/").text
    with app.app_context():
        db.session.get(Post, post_id).post_first = True
        db.session.commit()
    assert "Visible until switched." not in client.get("/posts/q/").text
    assert "Visible until switched." not in client.get("/comments/feed/").text
    assert "Visible until switched." not in client.get("/posts/q/feed/").text


def test_has_posted_runs_no_query_for_a_browser_that_wrote_nothing(app, post_first):
    with app.app_context():
        assert has_posted(post_first[0], ()) is False


def add_comments(app, post_id: int, count: int) -> None:
    """``count`` approved comments, every third a reply to the one before (ids from the
    database's own sequence, so later inserts on PostgreSQL do not collide with them)."""
    with app.app_context():
        comments: list[Comment] = []
        for n in range(count):
            comments.append(
                Comment(
                    post_id=post_id,
                    parent=comments[-1] if n % 3 == 2 else None,
                    author_name=f"Reader {n}",
                    author_email=f"r{n}@example.com",
                    body=f"Comment number {n}.",
                    status=APPROVED,
                )
            )
        db.session.add_all(comments)
        db.session.commit()


def page_queries(app, make_post, make_comment, count: int) -> tuple[int, ...]:
    slug = f"size-{count}"
    post_id = make_post(slug=slug, post_first=True)
    add_comments(app, post_id, count)
    stranger, author = app.test_client(), app.test_client()
    remember(author, make_comment(post_id, body="Mine.", status=PENDING))
    url = f"/posts/{slug}/"
    return (
        len(recorded_queries(app, stranger, url)),
        len(recorded_queries(app, stranger, url)),
        len(recorded_queries(app, author, url)),
        len(recorded_queries(app, author, url)),
    )


def test_the_post_page_costs_the_same_queries_with_10_and_300_comments(
    app, make_post, make_comment
):
    small = page_queries(app, make_post, make_comment, 10)
    large = page_queries(app, make_post, make_comment, 300)
    assert small == large
    hidden_first, hidden_next, _, _ = large
    assert hidden_first == 3  # version, post, the count
    assert hidden_next == 1  # only the version: the hidden page comes from the cache


def test_the_editor_sets_post_first_and_the_list_says_so(app, moderator):
    data = editor_form(moderator, title="Think first", post_first="y", publish="Publish")
    assert moderator.post("/editor/new", data=data).status_code == 302
    post = stored_post(app, "think-first")
    assert post.post_first is True
    assert "Post first" in moderator.get("/editor/").text
    edit_url = f"/editor/{post.id}"
    field = re.search(r'<input[^>]*id="post_first"[^>]*>', moderator.get(edit_url).text)
    assert field and "checked" in field.group(0)
    data = editor_form(moderator, edit_url, title="Think first", update="Update")
    assert moderator.post(edit_url, data=data).status_code == 302  # unticked: off again
    assert stored_post(app, "think-first").post_first is False
