"""An author editing their own comment: the edit window, the rules run again on the new text,
every change kept as a revision, the word diff the instructor reads, and every bad way in."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest

from app.discussion.author_edits import EditRefused, edit_by_author, time_left
from app.discussion.author_links import make_author_token
from app.discussion.discussion_settings import load_settings
from app.discussion.rules import Rules
from app.discussion.word_diff import DiffPart, PartKind, word_diff
from app.extensions import db
from app.models import AUTHOR, Comment, CommentRevision, CommentStatus, Post, RevisionKind, utcnow

from .conftest import csrf_token_from, form_post, stored_comments

POSTED = datetime(2026, 3, 3, 14, 2, tzinfo=UTC)
RULES = Rules(max_links=2, moderation_words=("essay mill",), disallowed_words=("casino",))
EDIT_LINK = re.compile(r'href="(/comments/\d+/edit)"')


@pytest.fixture
def post_id(make_post):
    return make_post(slug="p", title="Target")


def revisions_of(app, comment_id: int) -> list[CommentRevision]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                db.select(CommentRevision)
                .filter_by(comment_id=comment_id)
                .order_by(CommentRevision.id)
            )
        )
        db.session.expunge_all()
        return rows


def edit_at(app, comment_id: int, body: str, now: datetime, **options):
    """The use case, with a fixed clock; the comment as stored afterwards."""
    with app.app_context():
        comment = db.session.get_one(Comment, comment_id)
        result = edit_by_author(
            comment,
            body,
            seen_status=options.get("seen_status", comment.status),
            rules=options.get("rules", RULES),
            edit_minutes=options.get("edit_minutes", 30),
            now=now,
        )
        return result.message, result.held


# The window, with a fixed clock


@pytest.mark.parametrize(
    ("after", "allowed"),
    [
        (timedelta(0), True),
        (timedelta(minutes=29, seconds=59), True),
        (timedelta(minutes=30), True),  # its last instant still counts
        (timedelta(minutes=30, seconds=1), False),
        (timedelta(days=2), False),
    ],
)
def test_the_edit_window_boundaries(app, make_comment, post_id, after, allowed):
    comment_id = make_comment(post_id, created_at=POSTED, body="Teh first draft.")
    if allowed:
        edit_at(app, comment_id, "The first draft.", POSTED + after)
        assert stored_comments(app)[0].body == "The first draft."
        return
    with pytest.raises(EditRefused, match="time for editing this comment is over"):
        edit_at(app, comment_id, "The first draft.", POSTED + after)
    assert stored_comments(app)[0].body == "Teh first draft."
    assert revisions_of(app, comment_id) == []


def test_editing_switched_off_refuses_every_edit(app, make_comment, post_id):
    comment_id = make_comment(post_id, created_at=POSTED)
    with pytest.raises(EditRefused, match="cannot be edited"):
        edit_at(app, comment_id, "New.", POSTED, edit_minutes=0)


def test_time_left_rounds_up():
    deadline = POSTED + timedelta(minutes=30)
    assert time_left(deadline, deadline - timedelta(minutes=11, seconds=30)) == (
        "about 12 minutes left"
    )
    assert time_left(deadline, deadline - timedelta(seconds=5)) == "about 1 minute left"


# The rules run again on the new text


def test_a_published_comment_with_too_many_links_now_goes_back_to_the_instructor(
    app, make_comment, post_id
):
    comment_id = make_comment(post_id, created_at=POSTED, body="See my notes.")
    message, held = edit_at(
        app,
        comment_id,
        "See https://a.example and https://b.example",
        POSTED + timedelta(minutes=9),
    )
    assert held
    assert "hold the new text" in message and "it has 2 links" in message
    (comment,) = stored_comments(app)
    assert comment.status is CommentStatus.PENDING
    with app.app_context():
        change = db.session.get_one(Comment, comment_id).history[-1]
        assert (change.actor, change.from_status, change.to_status) == (
            "author",
            CommentStatus.APPROVED,
            CommentStatus.PENDING,
        )
        assert change.reason == "held after an edit: 2 links"


def test_a_moderation_word_holds_the_edit_too(app, make_comment, post_id):
    comment_id = make_comment(post_id, created_at=POSTED)
    message, held = edit_at(app, comment_id, "Buy from an Essay Mill.", POSTED)
    assert held and "a word the instructor reads first" in message
    assert stored_comments(app)[0].status is CommentStatus.PENDING


def test_a_disallowed_word_refuses_the_edit_and_changes_nothing(app, make_comment, post_id):
    comment_id = make_comment(post_id, created_at=POSTED, body="Fine words.")
    with pytest.raises(EditRefused, match="disallowed word “casino”") as refused:
        edit_at(app, comment_id, "Visit my casino.", POSTED)
    assert refused.value.status_code == 400
    (comment,) = stored_comments(app)
    assert (comment.body, comment.status) == ("Fine words.", CommentStatus.APPROVED)
    assert revisions_of(app, comment_id) == []


def test_a_clean_edit_stays_published_and_the_cached_page_shows_it(
    app, client, make_comment, post_id
):
    # The author's name would hold a new comment (a moderation word): an edit judges the text.
    comment_id = make_comment(
        post_id, created_at=utcnow(), body="Teh old text.", author_name="Essay Mill Fan"
    )
    reader = app.test_client()
    assert "Teh old text." in reader.get("/posts/p/").text  # now cached
    with app.app_context():
        settings = load_settings()
        settings.moderation_words = "essay mill"
        db.session.add(settings)
        db.session.commit()
        before = db.session.get_one(Post, post_id).page_version
    message, held = edit_at(app, comment_id, "The new text.", utcnow(), rules=RULES)
    assert not held and message == "Your edit is saved and published."
    assert stored_comments(app)[0].status is CommentStatus.APPROVED
    with app.app_context():
        assert db.session.get_one(Post, post_id).page_version > before
    page = reader.get("/posts/p/").text
    assert "The new text." in page and "Teh old text." not in page


def test_editing_a_held_comment_keeps_it_held(app, make_comment, post_id):
    comment_id = make_comment(post_id, status=CommentStatus.PENDING, created_at=POSTED)
    message, held = edit_at(app, comment_id, "Better words.", POSTED)
    assert not held and "still waiting" in message
    assert stored_comments(app)[0].status is CommentStatus.PENDING


def test_every_edit_is_kept_with_the_text_before_and_after(app, make_comment, post_id):
    comment_id = make_comment(post_id, created_at=POSTED, body="One.")
    edit_at(app, comment_id, "Two.", POSTED + timedelta(minutes=1))
    edit_at(app, comment_id, "Three.", POSTED + timedelta(minutes=2))
    rows = revisions_of(app, comment_id)
    assert [(r.body_before, r.body_after, r.actor, r.kind) for r in rows] == [
        ("One.", "Two.", AUTHOR, RevisionKind.EDIT),
        ("Two.", "Three.", AUTHOR, RevisionKind.EDIT),
    ]
    assert [r.changed_at for r in rows] == [
        POSTED + timedelta(minutes=1),
        POSTED + timedelta(minutes=2),
    ]


def test_unchanged_text_is_not_an_edit(app, make_comment, post_id):
    comment_id = make_comment(post_id, created_at=POSTED, body="Same.")
    with pytest.raises(EditRefused, match="same as before"):
        edit_at(app, comment_id, "Same.", POSTED)


@pytest.mark.parametrize("status", [CommentStatus.SPAM, CommentStatus.TRASH])
def test_a_removed_comment_cannot_be_edited(app, make_comment, post_id, status):
    comment_id = make_comment(post_id, status=status, created_at=POSTED, body="Gone.")
    with pytest.raises(EditRefused, match="removed this comment"):
        edit_at(app, comment_id, "Back?", POSTED)
    assert stored_comments(app)[0].body == "Gone."


def test_a_status_changed_since_the_page_was_shown_refuses(app, make_comment, post_id):
    comment_id = make_comment(post_id, created_at=POSTED, body="Old.")
    with pytest.raises(EditRefused, match="published your comment meanwhile"):
        edit_at(app, comment_id, "New.", POSTED, seen_status=CommentStatus.PENDING)
    assert stored_comments(app)[0].body == "Old."


# The word diff


def test_the_word_diff_marks_deleted_and_inserted_words():
    parts = word_diff("The quick brown fox", "The slow brown fox jumps")
    assert parts == [
        DiffPart(PartKind.SAME, "The "),
        DiffPart(PartKind.DELETED, "quick"),
        DiffPart(PartKind.INSERTED, "slow"),
        DiffPart(PartKind.SAME, " brown fox"),
        DiffPart(PartKind.INSERTED, " jumps"),
    ]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("", "New text."),
        ("Old text.", ""),
        ("Same.", "Same."),
        ("Line one.\n\nLine two.", "Line one.\nLine 2.\n\nLine three."),
        ("Ünïcödé 😀 words", "Ünïcödé 🎉 words, more"),
    ],
)
def test_the_word_diff_gives_back_both_texts(before, after):
    parts = word_diff(before, after)
    assert "".join(p.text for p in parts if p.kind is not PartKind.INSERTED) == before
    assert "".join(p.text for p in parts if p.kind is not PartKind.DELETED) == after
    assert all(p.text for p in parts)
    assert all(a.kind is not b.kind for a, b in pairwise(parts))


def test_the_queue_shows_what_an_edit_changed_escaped_and_spoken(
    app, moderator, make_comment, post_id
):
    comment_id = make_comment(
        post_id, status=CommentStatus.PENDING, created_at=POSTED, body="I <3 teh essay"
    )
    edit_at(app, comment_id, "I <3 the <b>essay</b>", POSTED)
    page = moderator.get("/moderation").text
    assert "Edited by the author" in page
    hidden = '<span class="visually-hidden">'
    assert f"<del>{hidden}[deleted: </span>teh{hidden}]</span></del>" in page
    assert f"<ins>{hidden}[inserted: </span>the{hidden}]</span></ins>" in page
    assert f"<ins>{hidden}[inserted: </span>&lt;b&gt;essay&lt;/b&gt;{hidden}]</span></ins>" in page
    assert "<b>essay</b>" not in page


def test_the_instructors_edit_is_kept_as_a_revision_by_them(
    app, moderator, make_comment, post_id, instructor
):
    comment_id = make_comment(post_id, body="Misspeled.")
    comment = stored_comments(app)[0]
    response = form_post(
        moderator,
        f"/moderation/comments/{comment_id}/edit",
        {
            "body": "Misspelled.",
            "author_name": comment.author_name,
            "author_email": comment.author_email,
            "author_url": "",
        },
    )
    assert response.status_code == 302
    (revision,) = revisions_of(app, comment_id)
    assert (revision.actor, revision.instructor_id, revision.kind) == (
        "prof",
        instructor,
        RevisionKind.EDIT,
    )
    assert (revision.body_before, revision.body_after) == ("Misspeled.", "Misspelled.")
    assert "Edited by prof" in moderator.get("/moderation?status=approved").text


# Through the web: the private link and the author's own browser


def token_for(app, comment_id: int) -> str:
    with app.app_context():
        comment = db.session.get_one(Comment, comment_id)
        return make_author_token(app.config["SECRET_KEY"], comment)


def send_edit(client, url: str, body: str, **extra: str):
    page = client.get(url)
    status = re.search(r'name="seen_status"[^>]*value="([^"]*)"', page.text)
    data = {
        "csrf_token": csrf_token_from(page.text),
        "body": body,
        "seen_status": status.group(1) if status else "",
        **extra,
    }
    return client.post(url, data=data)


def test_the_edit_page_says_how_long_is_left_and_saves_through_the_link(
    app, client, make_comment, post_id
):
    comment_id = make_comment(post_id, created_at=utcnow() - timedelta(minutes=18), body="Typo.")
    token = token_for(app, comment_id)
    private = client.get(f"/my-comment/{token}/").text
    assert f'href="/my-comment/{token}/edit"' in private
    page = client.get(f"/my-comment/{token}/edit")
    assert page.headers["Cache-Control"] == "private, no-store"
    assert "You can edit this comment until" in page.text
    assert re.search(r"\(about 1[12] minutes left\)", page.text)
    response = send_edit(client, f"/my-comment/{token}/edit", "No typo.")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/my-comment/{token}/"
    assert "Your edit is saved and published." in client.get(response.headers["Location"]).text
    assert stored_comments(app)[0].body == "No typo."


def test_the_posting_browser_gets_an_edit_link_in_the_thread(app, client, post_comment, post_id):
    post_comment(body="My words.", follow=True)
    page = client.get("/posts/p/").text
    link = EDIT_LINK.search(page)
    assert link, "no Edit link on the author's own comment"
    assert "you can until" in page
    assert send_edit(client, link.group(1), "My better words.").status_code == 302
    assert stored_comments(app)[0].body == "My better words."
    # Nobody else sees the link, and nobody else can use the address.
    stranger = app.test_client()
    assert not EDIT_LINK.search(stranger.get("/posts/p/").text)
    assert stranger.get(link.group(1)).status_code == 404
    refused = stranger.post(link.group(1), data={"body": "Hijacked."})
    assert refused.status_code == 404
    assert stored_comments(app)[0].body == "My better words."


def test_no_report_link_beside_the_readers_own_comment_while_they_may_edit_it(
    app, client, make_comment, post_comment, post_id
):
    post_comment(body="My published words.", follow=True)
    with app.app_context():
        own = db.session.scalar(db.select(Comment))
        own.status = CommentStatus.APPROVED
        db.session.commit()
        own_id = own.id
    other_id = make_comment(post_id, author_name="Bo")
    page = client.get("/posts/p/").text
    assert f"/comments/{other_id}/report" in page
    assert f"/comments/{own_id}/report" not in page
    assert f"/comments/{own_id}/report" in app.test_client().get("/posts/p/").text


def test_an_edit_after_the_window_shows_the_text_back_and_changes_nothing(
    app, client, make_comment, post_id, monkeypatch
):
    comment_id = make_comment(post_id, created_at=utcnow() - timedelta(minutes=5), body="Old.")
    token = token_for(app, comment_id)
    page = client.get(f"/my-comment/{token}/edit")
    # The author types for half an hour: the clock runs out before they send.
    later = utcnow() + timedelta(minutes=26)
    monkeypatch.setattr("app.my_comment.views.utcnow", lambda: later)
    response = client.post(
        f"/my-comment/{token}/edit",
        data={
            "csrf_token": csrf_token_from(page.text),
            "body": "My careful new text.",
            "seen_status": "approved",
        },
    )
    assert response.status_code == 409
    assert "The time for editing this comment is over" in response.text
    assert "My careful new text." in response.text
    assert "Save my edit" not in response.text
    assert stored_comments(app)[0].body == "Old."


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Please type your comment."),
        ("   \n ", "Please type your comment."),
        ("x" * 70_000, "Your comment is too long"),
    ],
)
def test_empty_or_too_long_text_is_refused(app, client, make_comment, post_id, body, message):
    comment_id = make_comment(post_id, created_at=utcnow(), body="Kept.")
    response = send_edit(client, f"/my-comment/{token_for(app, comment_id)}/edit", body)
    assert response.status_code == 400
    assert message in response.text
    assert stored_comments(app)[0].body == "Kept."


def test_an_expired_form_keeps_the_authors_text(app, client, make_comment, post_id):
    comment_id = make_comment(post_id, created_at=utcnow(), body="Kept.")
    response = client.post(
        f"/my-comment/{token_for(app, comment_id)}/edit",
        data={"csrf_token": "stale", "body": "My unsaved words.", "seen_status": "approved"},
    )
    assert response.status_code == 400
    assert "Your session expired" in response.text
    assert "My unsaved words." in response.text
    assert stored_comments(app)[0].body == "Kept."


def test_a_forged_link_edits_nothing_and_keeps_the_text(app, client, make_comment, post_id):
    make_comment(post_id, created_at=utcnow(), body="Kept.")
    response = client.post("/my-comment/forged/edit", data={"body": "Sent anyway."})
    assert response.status_code == 404
    assert "Sent anyway." in response.text
    assert stored_comments(app)[0].body == "Kept."


def test_the_setting_is_on_the_settings_page(app, moderator):
    page = moderator.get("/moderation/settings").text
    assert "Authors may edit their comments for this many minutes" in page
    assert 'name="edit_minutes"' in page and 'value="30"' in page


def test_an_edit_the_rules_hold_is_announced_to_the_instructor(app, client, make_comment, post_id):
    from .test_notifications import emails

    comment_id = make_comment(post_id, created_at=utcnow(), body="Plain words.")
    url = f"/my-comment/{token_for(app, comment_id)}/edit"
    response = send_edit(client, url, "See https://a.example and https://b.example")
    assert response.status_code == 302
    assert "hold the new text" in client.get(response.headers["Location"]).text
    assert stored_comments(app)[0].status is CommentStatus.PENDING
    assert [m["To"] for m in emails(app)] == ["instructor@localhost"]
