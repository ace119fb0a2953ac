"""Return for revision: the instructor sends a comment back to its author with a private note;
only the author sees it (with the note), is emailed only if they asked, and their revision
brings it back to the queue, marked, with what changed."""

from __future__ import annotations

import re

import pytest

from app.discussion.author_links import make_author_token
from app.extensions import db
from app.models import Comment, CommentRevision, CommentStatus, RevisionKind

from .conftest import csrf_token_from, form_post, stored_comments
from .test_notifications import body_of, emails

NOTE = "Please cite the speech you quote, and fix the date."


@pytest.fixture
def post_id(make_post):
    return make_post(slug="p", title="Target")


def token_for(app, comment_id: int) -> str:
    with app.app_context():
        comment = db.session.get_one(Comment, comment_id)
        return make_author_token(app.config["SECRET_KEY"], comment)


def return_it(client, comment_id: int, note: str = NOTE):
    return form_post(
        client,
        f"/moderation/comments/{comment_id}/return",
        {"note": note, "next": "/moderation?status=approved"},
    )


def revise(client, url: str, body: str, seen_status: str | None = None):
    page = client.get(url)
    status = re.search(r'name="seen_status"[^>]*value="([^"]*)"', page.text)
    return client.post(
        url,
        data={
            "csrf_token": csrf_token_from(page.text),
            "body": body,
            "seen_status": seen_status or (status.group(1) if status else ""),
        },
    )


def test_a_returned_comment_leaves_public_view(app, moderator, make_comment, post_id):
    comment_id = make_comment(post_id, body="Half-baked thoughts.")
    reader = app.test_client()
    assert "Half-baked thoughts." in reader.get("/posts/p/").text  # cached now
    response = return_it(moderator, comment_id)
    assert response.status_code == 302
    assert response.headers["Location"] == "/moderation?status=approved"
    (comment,) = stored_comments(app)
    assert comment.status is CommentStatus.RETURNED
    assert "Half-baked thoughts." not in reader.get("/posts/p/").text
    assert "Half-baked thoughts." not in reader.get("/comments/feed/").text
    assert "Half-baked thoughts." not in reader.get("/").text
    assert reader.get(f"/comments/{comment_id}/", follow_redirects=True).status_code == 200
    assert (
        "Half-baked thoughts."
        not in reader.get(f"/comments/{comment_id}/", follow_redirects=True).text
    )
    with app.app_context():
        change = db.session.get_one(Comment, comment_id).history[-1]
        assert (change.from_status, change.to_status, change.actor, change.note) == (
            CommentStatus.APPROVED,
            CommentStatus.RETURNED,
            "prof",
            NOTE,
        )


def test_the_queue_has_a_returned_view_and_shows_the_note_in_the_history(
    app, moderator, make_comment, post_id
):
    first = make_comment(post_id, status=CommentStatus.PENDING)
    make_comment(post_id, status=CommentStatus.PENDING)
    return_it(moderator, first, "Say <more>.")
    queue = moderator.get("/moderation").text
    assert "Returned (1)" in queue
    assert "Pending (1)" in queue
    returned = moderator.get("/moderation?status=returned").text
    assert f'id="mod-comment-{first}"' in returned
    assert "Note to the author: </span>Say &lt;more&gt;." in returned
    assert "(returned for revision)" in returned


def test_the_row_opens_the_note_form_and_the_page_works_without_script(
    app, moderator, make_comment, post_id
):
    comment_id = make_comment(post_id, status=CommentStatus.PENDING)
    row = moderator.get("/moderation").text
    assert f'action="/moderation/comments/{comment_id}/return"' in row
    assert f'<label for="return-note-{comment_id}">' in row
    page = moderator.get(f"/moderation/comments/{comment_id}/return?next=/moderation")
    assert page.status_code == 200
    assert "Note to the author" in page.text


@pytest.mark.parametrize(
    ("note", "message"),
    [
        ("", "Write a note to the author"),
        ("  \n ", "Write a note to the author"),
        ("x" * 1001, "Keep the note to 1,000 characters"),
    ],
)
def test_a_return_without_a_proper_note_is_a_form_error(
    app, moderator, make_comment, post_id, note, message
):
    comment_id = make_comment(post_id)
    response = return_it(moderator, comment_id, note)
    assert response.status_code == 400
    assert message in response.text
    assert stored_comments(app)[0].status is CommentStatus.APPROVED


def test_returning_a_comment_already_returned_changes_nothing(
    app, moderator, make_comment, post_id
):
    comment_id = make_comment(post_id)
    return_it(moderator, comment_id, "First note.")
    response = return_it(moderator, comment_id, "Second note.")
    assert response.status_code == 302
    assert "already returned" in moderator.get(response.headers["Location"]).text
    with app.app_context():
        history = db.session.get_one(Comment, comment_id).history
        assert [c.note for c in history if c.note] == ["First note."]


@pytest.mark.parametrize("status", [CommentStatus.SPAM, CommentStatus.TRASH])
def test_a_removed_comment_cannot_be_returned(app, moderator, make_comment, post_id, status):
    comment_id = make_comment(post_id, status=status)
    response = return_it(moderator, comment_id)
    assert "cannot be returned" in moderator.get(response.headers["Location"]).text
    assert stored_comments(app)[0].status is status


def test_the_script_gets_the_answer_as_json(app, moderator, make_comment, post_id):
    comment_id = make_comment(post_id, status=CommentStatus.PENDING)
    token = csrf_token_from(moderator.get("/moderation").text)
    response = moderator.post(
        f"/moderation/comments/{comment_id}/return",
        data={"csrf_token": token, "note": NOTE, "next": "/moderation", "shown": str(comment_id)},
        headers={"Accept": "application/json"},
    )
    data = response.get_json()
    assert data["ok"] is True
    assert data["order"] == []  # it left the Pending view
    assert data["counts"]["returned"] == 1
    empty = moderator.post(
        f"/moderation/comments/{comment_id}/return",
        data={"csrf_token": token, "note": "", "next": "/moderation"},
        headers={"Accept": "application/json"},
    ).get_json()
    assert empty["ok"] is False and "Write a note" in empty["message"]


def test_undo_brings_a_returned_comment_back(app, moderator, make_comment, post_id):
    comment_id = make_comment(post_id, body="Back again.")
    return_it(moderator, comment_id)
    response = form_post(moderator, "/moderation/undo", {"next": "/moderation"})
    assert response.status_code == 302
    assert stored_comments(app)[0].status is CommentStatus.APPROVED
    assert "Back again." in app.test_client().get("/posts/p/").text


# The author: email only if they asked, the note on their page, the revision


def test_the_author_who_asked_is_emailed_the_note_and_their_link(
    app, moderator, make_comment, post_id
):
    asked = make_comment(post_id, notify_author=True, author_email="ada@example.com")
    silent = make_comment(post_id, author_email="ben@example.com")
    return_it(moderator, asked)
    return_it(moderator, silent)
    sent = emails(app)
    assert [m["To"] for m in sent] == ["ada@example.com"]
    text = body_of(sent[0])
    assert "returned your comment" in text and "Professor Lee" in text
    assert NOTE in text
    assert "/my-comment/" in text


def test_the_private_page_shows_the_note_and_takes_the_revision(
    app, moderator, make_comment, post_id
):
    comment_id = make_comment(post_id, body="Teh speech was in 1965.")
    return_it(moderator, comment_id)
    author = app.test_client()
    token = token_for(app, comment_id)
    page = author.get(f"/my-comment/{token}/").text
    assert "Returned for revision." in page
    assert NOTE in page
    assert "A note from Professor Lee" in page
    assert "Send my revision" in page

    response = revise(author, f"/my-comment/{token}/edit", "The speech was in 1956.")
    assert response.status_code == 302
    assert "Waiting for the instructor." in author.get(response.headers["Location"]).text
    (comment,) = stored_comments(app)
    assert (comment.status, comment.body) == (CommentStatus.PENDING, "The speech was in 1956.")
    with app.app_context():
        (revision,) = db.session.scalars(db.select(CommentRevision)).all()
        assert (revision.kind, revision.actor) == (RevisionKind.REVISION, "author")
        assert revision.body_before == "Teh speech was in 1965."
        assert db.session.get_one(Comment, comment_id).history[-1].reason == (
            "revised after return"
        )
    # The instructor hears of it as of any comment waiting for them.
    assert [m["To"] for m in emails(app)] == ["instructor@localhost"]
    queue = moderator.get("/moderation").text
    assert "Revised after return" in queue
    assert "[deleted: </span>Teh" in queue and "[inserted: </span>1956." in queue


def test_the_posting_browser_sees_its_returned_comment_with_the_note(
    app, client, post_comment, post_id, instructor
):
    post_comment(body="My first go.", follow=True)
    (comment,) = stored_comments(app)
    instructor_client = app.test_client()
    from .conftest import AuthActions

    AuthActions(instructor_client).login()
    return_it(instructor_client, comment.id, "Say more about the date.")
    page = client.get("/posts/p/").text
    assert "My first go." in page
    assert "Returned for revision." in page and "Say more about the date." in page
    link = f'href="/comments/{comment.id}/edit"'
    assert link in page
    assert "My first go." not in app.test_client().get("/posts/p/").text
    response = revise(client, f"/comments/{comment.id}/edit", "My second go.")
    assert response.status_code == 302
    assert stored_comments(app)[0].status is CommentStatus.PENDING


@pytest.mark.parametrize(
    ("meanwhile", "words"),
    [
        (CommentStatus.APPROVED, "published your comment meanwhile"),
        (CommentStatus.TRASH, "removed this comment"),
        (CommentStatus.SPAM, "removed this comment"),
    ],
)
def test_a_revision_of_a_comment_changed_meanwhile_changes_nothing(
    app, moderator, make_comment, post_id, meanwhile, words
):
    comment_id = make_comment(post_id, body="Original.")
    return_it(moderator, comment_id)
    author = app.test_client()
    url = f"/my-comment/{token_for(app, comment_id)}/edit"
    page = author.get(url)
    with app.app_context():
        db.session.get_one(Comment, comment_id).status = meanwhile
        db.session.commit()
    response = author.post(
        url,
        data={
            "csrf_token": csrf_token_from(page.text),
            "body": "My revision.",
            "seen_status": "returned",
        },
    )
    assert response.status_code == 409
    assert words in response.text
    assert "My revision." in response.text
    (comment,) = stored_comments(app)
    assert (comment.status, comment.body) == (meanwhile, "Original.")


def test_a_revision_of_a_deleted_comment_keeps_the_text(app, moderator, make_comment, post_id):
    comment_id = make_comment(post_id, body="Original.")
    return_it(moderator, comment_id)
    url = f"/my-comment/{token_for(app, comment_id)}/edit"
    with app.app_context():
        db.session.delete(db.session.get_one(Comment, comment_id))
        db.session.commit()
    response = app.test_client().post(url, data={"body": "My revision."})
    assert response.status_code == 410
    assert "deleted" in response.text and "My revision." in response.text


def test_the_revision_is_not_limited_by_the_edit_window(app, moderator, make_comment, post_id):
    comment_id = make_comment(post_id, body="Old comment from 2021.")  # long past 30 minutes
    return_it(moderator, comment_id)
    author = app.test_client()
    response = revise(author, f"/my-comment/{token_for(app, comment_id)}/edit", "Revised.")
    assert response.status_code == 302
    assert stored_comments(app)[0].status is CommentStatus.PENDING


def test_the_participation_report_counts_returned_comments(
    app, moderator, make_comment, make_student, post_id
):
    make_student("Ada", "ada@example.com")
    make_comment(post_id, author_email="ada@example.com")
    returned = make_comment(post_id, author_email="ada@example.com")
    return_it(moderator, returned)
    page = moderator.get("/class/participation").text
    assert ">Returned</a>" in page
    csv_text = moderator.get("/class/participation.csv").data.decode("utf-8-sig")
    header, ada = csv_text.splitlines()[:2]
    columns = header.split(",")
    values = dict(zip(columns, ada.split(","), strict=True))
    assert (values["Submitted"], values["Approved"], values["Returned"]) == ("2", "1", "1")


def test_the_personal_data_export_holds_the_note_and_earlier_versions(
    app, moderator, make_comment, post_id
):
    comment_id = make_comment(post_id, author_email="ada@example.com", body="v1")
    return_it(moderator, comment_id)
    revise(app.test_client(), f"/my-comment/{token_for(app, comment_id)}/edit", "v2")
    from app.discussion.personal_data import export_commenter
    from app.models import utcnow

    with app.app_context():
        (entry,) = export_commenter("ada@example.com", utcnow())["comments"]
    assert NOTE in [change["note"] for change in entry["history"]]
    assert entry["earlier_versions"][0]["before"] == "v1"
    assert entry["earlier_versions"][0]["kind"] == "revision"


def test_erasing_an_authors_text_erases_its_earlier_versions_too(
    app, moderator, make_comment, post_id
):
    from app.discussion.personal_data import erase_commenter
    from app.models import utcnow

    comment_id = make_comment(post_id, author_email="ada@example.com", body="v1")
    return_it(moderator, comment_id)
    revise(app.test_client(), f"/my-comment/{token_for(app, comment_id)}/edit", "v2")
    with app.app_context():
        erase_commenter(
            "ada@example.com", keep_text=False, actor="prof", instructor=None, now=utcnow()
        )
        assert db.session.scalars(db.select(CommentRevision)).all() == []
