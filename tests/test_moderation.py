"""The instructor's moderation workspace, through the test client with CSRF on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.discussion.email_links import make_token
from app.discussion.moderation import Action, plan_transition
from app.extensions import db
from app.models import Comment, CommentStatus, DiscussionSettings, OutboxStatus

from .conftest import AuthActions, count_queries, csrf_token_from, form_post, stored_comments
from .mail_servers import outbox_rows, sender_done, wait_until

PENDING, APPROVED, SPAM, TRASH = (
    CommentStatus.PENDING,
    CommentStatus.APPROVED,
    CommentStatus.SPAM,
    CommentStatus.TRASH,
)


@pytest.fixture
def post_id(make_post):
    return make_post(slug="p", title="The Post")


def status_of(app, comment_id):
    with app.app_context():
        comment = db.session.get(Comment, comment_id)
        return None if comment is None else comment.status


def act(client, comment_id, action, next_url="/moderation", **extra):
    return form_post(
        client, f"/moderation/comments/{comment_id}/{action}", {"next": next_url, **extra}
    )


# The rule itself


@pytest.mark.parametrize(
    ("status", "action", "before", "expected"),
    [
        (PENDING, Action.APPROVE, None, APPROVED),
        (APPROVED, Action.APPROVE, None, None),
        (APPROVED, Action.UNAPPROVE, None, PENDING),
        (PENDING, Action.UNAPPROVE, None, None),
        (APPROVED, Action.SPAM, None, SPAM),
        (SPAM, Action.NOT_SPAM, APPROVED, APPROVED),
        (SPAM, Action.NOT_SPAM, None, PENDING),
        (PENDING, Action.NOT_SPAM, None, None),
        (PENDING, Action.TRASH, None, TRASH),
        (TRASH, Action.RESTORE, APPROVED, APPROVED),
        (TRASH, Action.RESTORE, SPAM, PENDING),
        (APPROVED, Action.RESTORE, None, None),
        (SPAM, Action.DELETE, None, None),
    ],
)
def test_plan_transition(status, action, before, expected):
    assert plan_transition(status, action, before) is expected


# The queue


def test_queue_defaults_to_pending_newest_first_with_details(moderator, app, post_id, make_comment):
    parent = make_comment(post_id, author_name="Parent Person")
    older = make_comment(
        post_id,
        status=PENDING,
        body="older pending",
        author_url="https://older.example",
        author_ip="203.0.113.4",
        parent_id=parent,
    )
    newer = make_comment(post_id, status=PENDING, body="newer pending")
    html = moderator.get("/moderation").text
    assert html.index("newer pending") < html.index("older pending")
    assert "Parent Person" not in html.split("In reply to")[0].split("older pending")[-1]
    assert "In reply to <a" in html
    for detail in ("https://older.example", "203.0.113.4", "The Post", f"#comment-{older}"):
        assert detail in html
    assert f'id="mod-comment-{newer}"' in html
    assert "Pending (2)" in html
    assert "Approved (1)" in html
    assert "All (3)" in html


def test_filter_links_show_live_counts(moderator, post_id, make_comment):
    for status, n in ((PENDING, 2), (APPROVED, 3), (SPAM, 4), (TRASH, 1)):
        for _ in range(n):
            make_comment(post_id, status=status)
    html = moderator.get("/moderation").text
    for label in ("All (5)", "Pending (2)", "Approved (3)", "Spam (4)", "Trash (1)"):
        assert label in html


def test_pagination_with_more_than_twenty(moderator, post_id, make_comment):
    ids = [make_comment(post_id, status=PENDING, body=f"number {n:02d}.") for n in range(25)]
    first = moderator.get("/moderation").text
    assert first.count('class="mod-comment') == 20
    assert "Page 1 of 2" in first
    second = moderator.get("/moderation?status=pending&page=2").text
    assert second.count('class="mod-comment') == 5
    assert f'id="mod-comment-{ids[0]}"' in second
    assert moderator.get("/moderation?page=99").status_code == 200


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("needle", "by-body"),
        ("Zebedee", "by-name"),
        ("zed@", "by-email"),
        ("zed.example", "by-url"),
        ("198.51.100.77", "by-ip"),
        ("100%", None),
    ],
)
def test_search_covers_text_author_email_website_and_ip(
    moderator, post_id, make_comment, query, found
):
    make_comment(post_id, status=PENDING, body="a needle in it by-body")
    make_comment(post_id, status=PENDING, body="by-name", author_name="Zebedee")
    make_comment(post_id, status=PENDING, body="by-email", author_email="zed@mail.example")
    make_comment(post_id, status=PENDING, body="by-url", author_url="https://zed.example")
    make_comment(post_id, status=PENDING, body="by-ip", author_ip="198.51.100.77")
    html = moderator.get("/moderation", query_string={"status": "all", "q": query}).text
    shown = {
        tag
        for tag in ("by-body", "by-name", "by-email", "by-url", "by-ip")
        if tag in html.split("</form>", 2)[-1]
    }
    assert shown == ({found} if found else set())


# Single actions


def test_approve_publishes_and_returns_to_the_same_view(
    app, moderator, client, post_id, make_comment
):
    comment = make_comment(post_id, status=PENDING, body="Approve me")
    assert "Approve me" not in app.test_client().get("/posts/p/").text
    response = act(
        moderator, comment, "approve", next_url="/moderation?status=pending&q=Approve&page=1"
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/moderation?status=pending&q=Approve&page=1"
    assert status_of(app, comment) is APPROVED
    assert "Approve me" in app.test_client().get("/posts/p/").text
    assert "1 comment approved." in moderator.get("/moderation").text


def test_approving_twice_is_a_no_op(app, moderator, post_id, make_comment):
    comment = make_comment(post_id, status=PENDING)
    act(moderator, comment, "approve")
    act(moderator, comment, "approve")
    assert status_of(app, comment) is APPROVED
    with app.app_context():
        assert len(db.session.get(Comment, comment).history) == 1
    page = moderator.get("/moderation").text
    assert "Nothing changed: the comment by Reader 1 is approved now (changed meanwhile?)" in page


def test_spam_then_not_spam_then_trash_then_delete(app, moderator, post_id, make_comment):
    comment = make_comment(post_id, status=APPROVED)
    act(moderator, comment, "spam")
    assert status_of(app, comment) is SPAM
    act(moderator, comment, "not-spam")
    assert status_of(app, comment) is APPROVED
    act(moderator, comment, "trash")
    assert status_of(app, comment) is TRASH
    act(moderator, comment, "restore")
    assert status_of(app, comment) is APPROVED
    act(moderator, comment, "trash")
    asks = act(moderator, comment, "delete")
    assert asks.status_code == 200
    assert "Delete this comment permanently?" in asks.text
    assert status_of(app, comment) is TRASH
    act(moderator, comment, "delete", confirmed="yes")
    assert status_of(app, comment) is None


def test_delete_permanently_only_from_spam_or_trash(app, moderator, post_id, make_comment):
    comment = make_comment(post_id, status=APPROVED)
    act(moderator, comment, "delete", confirmed="yes")
    assert status_of(app, comment) is APPROVED


def test_deleting_a_parent_keeps_its_replies(app, moderator, post_id, make_comment):
    parent = make_comment(post_id, status=TRASH)
    reply = make_comment(post_id, parent_id=parent)
    act(moderator, parent, "delete", confirmed="yes")
    with app.app_context():
        assert db.session.get(Comment, reply).parent_id is None


def test_buttons_shown_fit_each_status(moderator, post_id, make_comment):
    make_comment(post_id, status=SPAM)
    html = moderator.get("/moderation?status=spam").text
    assert ">Not Spam</button>" in html
    assert ">Delete Permanently</button>" in html
    assert ">Approve</button>" not in html
    make_comment(post_id, status=PENDING)
    pending = moderator.get("/moderation").text
    for label in ("Approve", "Spam", "Trash"):
        assert f">{label}</button>" in pending
    assert ">Delete Permanently</button>" not in pending


def test_history_records_who_when_and_from_to(
    app, client, auth, post_id, post_comment, make_comment
):
    post_comment(body="Tracked")  # as a reader, before logging in
    moderator = client
    auth.login()
    comment = stored_comments(app)[-1].id
    act(moderator, comment, "approve")
    with app.app_context():
        history = db.session.get(Comment, comment).history
        assert [(h.actor, h.from_status, h.to_status) for h in history] == [
            ("rules", None, PENDING),
            ("prof", PENDING, APPROVED),
        ]
        assert history[1].changed_at.tzinfo is not None
    assert "pending → approved" in moderator.get("/moderation?status=approved").text


def test_an_unknown_action_is_a_404_and_a_deleted_comment_is_said_so(
    moderator, post_id, make_comment
):
    comment = make_comment(post_id)
    assert act(moderator, comment, "explode").status_code == 404
    for action in ("approve", "delete"):
        response = act(moderator, 999_999, action)
        assert response.status_code == 302
        assert "That comment no longer exists: it was deleted meanwhile." in (
            moderator.get("/moderation").text
        )


# Bulk actions, undo, emptying


def test_bulk_approve_and_undo(app, moderator, post_id, make_comment):
    ids = [make_comment(post_id, status=PENDING) for _ in range(3)]
    spam = make_comment(post_id, status=SPAM)
    response = form_post(
        moderator,
        "/moderation/bulk",
        {"action": "approve", "ids": [*ids, spam], "next": "/moderation?status=all"},
    )
    assert response.headers["Location"] == "/moderation?status=all"
    assert [status_of(app, i) for i in ids] == [APPROVED] * 3
    assert status_of(app, spam) is SPAM
    page = moderator.get("/moderation?status=all").text
    assert "3 comments approved. 1 skipped" in page
    assert ">Undo</button>" in page
    form_post(moderator, "/moderation/undo", {"next": "/moderation"})
    assert [status_of(app, i) for i in ids] == [PENDING] * 3
    assert "Undone: 3 comments" in moderator.get("/moderation").text


def test_undo_trash_restores_previous_status(app, moderator, post_id, make_comment):
    comment = make_comment(post_id, status=APPROVED)
    act(moderator, comment, "trash")
    form_post(moderator, "/moderation/undo", {"next": "/moderation"})
    assert status_of(app, comment) is APPROVED


def test_bulk_with_nothing_checked_says_so(moderator, post_id, make_comment):
    make_comment(post_id, status=PENDING)
    response = form_post(
        moderator, "/moderation/bulk", {"action": "approve", "next": "/moderation"}
    )
    assert response.status_code == 302
    assert "No comments were selected" in moderator.get("/moderation").text


@pytest.mark.parametrize("action", ["unapprove", "spam", "trash"])
def test_bulk_actions_move_each_checked_comment(app, moderator, post_id, make_comment, action):
    ids = [make_comment(post_id, status=APPROVED) for _ in range(2)]
    form_post(moderator, "/moderation/bulk", {"action": action, "ids": ids})
    expected = {"unapprove": PENDING, "spam": SPAM, "trash": TRASH}[action]
    assert [status_of(app, i) for i in ids] == [expected] * 2


def test_bulk_delete_asks_then_deletes_only_spam_and_trash(app, moderator, post_id, make_comment):
    spam, trash, live = (
        make_comment(post_id, status=SPAM),
        make_comment(post_id, status=TRASH),
        make_comment(post_id),
    )
    ask = form_post(moderator, "/moderation/bulk", {"action": "delete", "ids": [spam, trash, live]})
    assert "Delete 3 comments permanently?" in ask.text
    form_post(
        moderator,
        "/moderation/bulk",
        {"action": "delete", "ids": [spam, trash, live], "confirmed": "yes"},
    )
    assert [status_of(app, i) for i in (spam, trash, live)] == [None, None, APPROVED]


@pytest.mark.parametrize("status", [SPAM, TRASH])
def test_empty_spam_and_trash(app, moderator, post_id, make_comment, status):
    doomed = [make_comment(post_id, status=status) for _ in range(3)]
    kept = make_comment(post_id, status=PENDING)
    ask = form_post(
        moderator,
        f"/moderation/empty/{status.value}",
        {"next": f"/moderation?status={status.value}"},
    )
    assert ask.status_code == 200
    assert all(status_of(app, i) is status for i in doomed)
    form_post(moderator, f"/moderation/empty/{status.value}", {"confirmed": "yes"})
    assert [status_of(app, i) for i in doomed] == [None] * 3
    assert status_of(app, kept) is PENDING


def test_pending_cannot_be_emptied(moderator):
    assert (
        form_post(moderator, "/moderation/empty/pending", {"confirmed": "yes"}).status_code == 404
    )


# Edit and reply


def test_edit_saves_text_and_author(app, moderator, post_id, make_comment):
    comment = make_comment(post_id, status=PENDING)
    form_page = moderator.get(f"/moderation/comments/{comment}/edit").text
    response = moderator.post(
        f"/moderation/comments/{comment}/edit",
        data={
            "csrf_token": csrf_token_from(form_page),
            "body": "Corrected text",
            "author_name": "Corrected Name",
            "author_email": "fixed@example.com",
            "author_url": "https://fixed.example",
            "next": "/moderation?status=pending",
        },
    )
    assert response.headers["Location"] == "/moderation?status=pending"
    [stored] = stored_comments(app)
    assert (stored.body, stored.author_name, stored.author_email, stored.author_url) == (
        "Corrected text",
        "Corrected Name",
        "fixed@example.com",
        "https://fixed.example",
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("author_email", "nope", "needs an @"),
        ("author_url", "javascript:x", "http://"),
        ("body", "  ", "type your comment"),
    ],
)
def test_edit_that_fails_validation_keeps_the_instructors_text(
    app, moderator, post_id, make_comment, field, value, message
):
    comment = make_comment(post_id, status=PENDING, body="original")
    data = {
        "body": "My careful edit",
        "author_name": "N",
        "author_email": "n@example.com",
        "author_url": "",
        field: value,
    }
    response = moderator.post(
        f"/moderation/comments/{comment}/edit",
        data={
            "csrf_token": csrf_token_from(
                moderator.get(f"/moderation/comments/{comment}/edit").text
            ),
            **data,
        },
    )
    assert response.status_code == 400
    assert message in response.text
    if field != "body":
        assert "My careful edit</textarea>" in response.text
    assert stored_comments(app)[0].body == "original"


def test_instructor_reply_is_published_and_approves_the_parent(
    app, moderator, post_id, make_comment
):
    parent = make_comment(post_id, status=PENDING, author_name="Student A")
    form_post(
        moderator,
        f"/moderation/comments/{parent}/reply",
        {"body": "Good question!", "next": "/moderation"},
    )
    assert status_of(app, parent) is APPROVED
    reply = stored_comments(app)[-1]
    assert (reply.body, reply.author_name, reply.status, reply.parent_id) == (
        "Good question!",
        "Professor Lee",
        APPROVED,
        parent,
    )
    public = app.test_client().get("/posts/p/").text
    assert "Good question!" in public
    assert "Professor Lee" in public


def test_empty_reply_is_refused(app, moderator, post_id, make_comment):
    parent = make_comment(post_id, status=PENDING)
    response = form_post(moderator, f"/moderation/comments/{parent}/reply", {"body": " "})
    assert response.status_code == 400
    assert status_of(app, parent) is PENDING


# While logged in, on the blog


def test_bar_with_pending_count_and_inline_moderation_on_the_post(
    app, moderator, post_id, make_comment
):
    held = make_comment(post_id, status=PENDING, body="Held for review")
    page = moderator.get("/posts/p/").text
    assert '<span class="pending-count">1</span>' in page
    assert "Held for review" in page
    assert "Pending: awaiting your moderation." in page
    assert f'action="/moderation/comments/{held}/approve"' in page
    response = act(moderator, held, "approve", next_url=f"/posts/p/#comment-{held}")
    assert response.headers["Location"] == f"/posts/p/#comment-{held}"
    assert '<span class="pending-count">0</span>' in moderator.get("/").text


# Settings


def test_settings_change_what_the_next_comment_does(
    app, auth, moderator, post_id, make_comment, post_comment
):
    make_comment(post_id, author_name="Ada", author_email="ada@example.com")
    page = moderator.get("/moderation/settings").text
    assert "Hold every comment for review until I approve it" in page
    response = moderator.post(
        "/moderation/settings",
        data={
            "csrf_token": csrf_token_from(page),
            "manual_approval": "y",
            "require_prior_approval": "y",
            "max_links": "3",
            "moderation_words": "essay\nmill",
            "disallowed_words": "casino",
            "close_after_days": "",
            "notify_email": "prof@example.edu",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        settings = db.session.get(DiscussionSettings, 1)
        assert (settings.manual_approval, settings.max_links, settings.notify_email) == (
            True,
            3,
            "prof@example.edu",
        )
        assert settings.close_after_days is None
    auth.logout()  # the instructor's own comments skip the rules: comment as a reader
    post_comment(body="A known author, but manual approval is on")
    assert stored_comments(app)[-1].status is PENDING


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("max_links", "-1", "from 0 to 100"),
        ("max_links", "many", "Not a valid integer"),
        ("close_after_days", "0", "from 1 to"),
        ("notify_email", "not-an-email", "valid email"),
    ],
)
def test_settings_are_validated(app, moderator, field, value, message):
    data = {"max_links": "2", "moderation_words": "keep me", field: value}
    response = moderator.post(
        "/moderation/settings",
        data={"csrf_token": csrf_token_from(moderator.get("/moderation/settings").text), **data},
    )
    assert response.status_code == 400
    assert message in response.text
    assert "keep me</textarea>" in response.text
    with app.app_context():
        assert db.session.get(DiscussionSettings, 1) is None


def test_comments_can_be_closed_per_post(app, moderator, post_id):
    form_post(
        moderator,
        f"/moderation/posts/{post_id}/comments-open",
        {"open": "no"},
        page="/moderation/settings",
    )
    assert "Comments are closed." in app.test_client().get("/posts/p/").text
    form_post(
        moderator,
        f"/moderation/posts/{post_id}/comments-open",
        {"open": "yes"},
        page="/moderation/settings",
    )
    assert "Post Comment" in app.test_client().get("/posts/p/").text


# Notifications and one-click links


def outbox_files(app):
    """The .eml files in the outbox folder, once the sender has finished writing them."""
    from pathlib import Path

    sender_done(app)
    outbox = Path(app.instance_path) / "outbox"
    return sorted(outbox.glob("*.eml")) if outbox.exists() else []


def test_held_comment_writes_an_email_to_the_outbox(app, post_id, post_comment, caplog):
    import email
    import logging

    caplog.set_level(logging.INFO, logger="app.discussion.outbox")
    post_comment(body="Please look at this <b>now</b>")
    [path] = outbox_files(app)
    message = email.message_from_bytes(path.read_bytes())
    text = email_text(path)
    assert "Please moderate" in message["Subject"]
    assert "Please look at this <b>now</b>" in text
    assert "/moderation#mod-comment-" in text
    site = app.config["SITE_URL"]  # the links' host never comes from the request
    assert f"Approve it: {site}/moderation/email/" in text
    assert f"Trash it: {site}/moderation/email/" in text
    assert "notification written to" in caplog.text


def test_approved_comment_sends_nothing(app, post_id, make_comment, post_comment):
    make_comment(post_id, author_name="Ada", author_email="ada@example.com")
    post_comment()
    assert outbox_files(app) == []


def test_a_mail_server_that_refuses_never_fails_the_reader(app, post_id, post_comment, caplog):
    import socket

    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_TIMEOUT_SECONDS=2)
    response = post_comment(body="Kept despite the mail server")
    assert response.status_code == 302
    assert stored_comments(app)[-1].body == "Kept despite the mail server"
    [message] = wait_until(lambda: [m for m in outbox_rows(app) if m.attempts and m.last_error])
    assert message.status is OutboxStatus.PENDING  # kept, to be tried again
    assert "Could not send the notification" in caplog.text


def email_text(path) -> str:
    import email

    return email.message_from_bytes(path.read_bytes()).get_payload(decode=True).decode()


def email_links(app, post_comment):
    import re

    post_comment(body="Via email")
    text = email_text(outbox_files(app)[-1])
    site = re.escape(app.config["SITE_URL"])
    approve = re.search(rf"Approve it: {site}(\S+)", text).group(1)
    trash = re.search(rf"Trash it: {site}(\S+)", text).group(1)
    return approve, trash


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_used_link_says_who_did_what_since(app, instructor, post_id, post_comment, method):
    """The instructor approved from the queue, then clicked the email's Trash link."""
    _, trash = email_links(app, post_comment)
    moderator = app.test_client()
    AuthActions(moderator).login()
    comment = stored_comments(app)[-1].id
    form_post(moderator, f"/moderation/comments/{comment}/approve")
    browser = app.test_client()
    browser.post(trash, data={"csrf_token": csrf_token_from(browser.get(trash).text)})
    assert status_of(app, comment) is TRASH
    form_post(moderator, f"/moderation/comments/{comment}/restore")  # back to Approved
    csrf = csrf_token_from(browser.get("/login").text)
    response = browser.open(trash, method=method, data={"csrf_token": csrf})
    assert response.status_code == 410
    assert "Already approved" in response.text
    assert "was approved by Professor Lee on" in response.text
    assert "Ada" in response.text  # the comment's author
    assert status_of(app, comment) is APPROVED


def test_the_email_offers_spam_too(app, post_id, post_comment):
    import re

    post_comment(body="Buy cheap essays")
    text = email_text(outbox_files(app)[-1])
    spam = re.search(rf"Mark it as spam: {re.escape(app.config['SITE_URL'])}(\S+)", text).group(1)
    browser = app.test_client()
    browser.post(spam, data={"csrf_token": csrf_token_from(browser.get(spam).text)})
    assert status_of(app, stored_comments(app)[-1].id) is SPAM


def test_one_click_link_confirms_on_get_and_acts_once_on_post(app, client, post_id, post_comment):
    approve, _ = email_links(app, post_comment)
    comment = stored_comments(app)[-1].id
    confirm = app.test_client().get(approve)
    assert confirm.status_code == 200
    assert "Approve this comment?" in confirm.text
    assert status_of(app, comment) is PENDING  # a GET changes nothing
    browser = app.test_client()
    page = browser.get(approve)
    done = browser.post(approve, data={"csrf_token": csrf_token_from(page.text)})
    assert "1 comment approved." in done.text
    assert status_of(app, comment) is APPROVED
    again = browser.post(approve, data={"csrf_token": csrf_token_from(page.text)})
    assert again.status_code == 410
    assert "Already approved" in again.text
    assert "was approved by an email link on" in again.text
    with app.app_context():
        assert [h.actor for h in db.session.get(Comment, comment).history] == [
            "rules",
            "email link",
        ]


def test_trash_link(app, post_id, post_comment):
    _, trash = email_links(app, post_comment)
    browser = app.test_client()
    browser.post(trash, data={"csrf_token": csrf_token_from(browser.get(trash).text)})
    assert status_of(app, stored_comments(app)[-1].id) is TRASH


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_expired_link_says_so_and_changes_nothing(app, post_id, make_comment, method):
    comment = make_comment(post_id, status=PENDING)
    eight_days_ago = datetime.now(UTC) - timedelta(days=8)
    with app.app_context():
        token = make_token(app.config["SECRET_KEY"], comment, Action.APPROVE, eight_days_ago)
    client = app.test_client()
    csrf = csrf_token_from(client.get("/login").text)
    response = client.open(f"/moderation/email/{token}", method=method, data={"csrf_token": csrf})
    assert response.status_code == 410
    assert "This link has expired; links in notification emails work for 7 days." in response.text
    assert status_of(app, comment) is PENDING


def test_a_link_six_days_old_still_works(app, post_id, make_comment):
    comment = make_comment(post_id, status=PENDING)
    six_days_ago = datetime.now(UTC) - timedelta(days=6)
    with app.app_context():
        token = make_token(app.config["SECRET_KEY"], comment, Action.APPROVE, six_days_ago)
    client = app.test_client()
    page = client.get(f"/moderation/email/{token}")
    assert page.status_code == 200
    client.post(f"/moderation/email/{token}", data={"csrf_token": csrf_token_from(page.text)})
    assert status_of(app, comment) is APPROVED


def test_tampered_link_is_refused(app, client, post_id, make_comment):
    comment = make_comment(post_id, status=PENDING)
    with app.app_context():
        token = make_token(app.config["SECRET_KEY"], comment, Action.APPROVE)
    # A changed character well inside the signature: one near its end may differ only in
    # base64 padding bits and decode to the same signature.
    flipped = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]
    for bad in (flipped, token.replace(".", "!", 1), "garbage"):
        response = client.get(f"/moderation/email/{bad}")
        assert response.status_code == 410
        assert "not valid" in response.text
    with app.app_context():
        forged = make_token("another-secret", comment, Action.APPROVE)
    assert client.get(f"/moderation/email/{forged}").status_code == 410
    assert status_of(app, comment) is PENDING


# Nobody else gets in


MODERATION_ROUTES = [
    ("GET", "/moderation"),
    ("GET", "/moderation?status=spam"),
    ("GET", "/moderation/settings"),
    ("GET", "/moderation/comments/{id}/edit"),
    ("POST", "/moderation/comments/{id}/approve"),
    ("POST", "/moderation/comments/{id}/trash"),
    ("POST", "/moderation/comments/{id}/delete"),
    ("POST", "/moderation/comments/{id}/edit"),
    ("POST", "/moderation/comments/{id}/reply"),
    ("POST", "/moderation/bulk"),
    ("POST", "/moderation/undo"),
    ("POST", "/moderation/empty/spam"),
    ("POST", "/moderation/settings"),
    ("POST", "/moderation/posts/{post}/comments-open"),
]


@pytest.mark.parametrize(("method", "route"), MODERATION_ROUTES)
def test_anonymous_readers_are_sent_to_login_and_change_nothing(
    app, client, post_id, make_comment, post_comment, method, route
):
    held = make_comment(
        post_id,
        status=PENDING,
        body="secret held text",
        author_email="held@example.com",
        author_ip="10.9.8.7",
    )
    make_comment(post_id, status=SPAM)
    post_comment(body="the reader's own comment")  # a real reader session, with a valid CSRF token
    token = csrf_token_from(client.get("/posts/p/").text)
    url = route.format(id=held, post=post_id)
    data = {
        "csrf_token": token,
        "action": "approve",
        "ids": [held],
        "confirmed": "yes",
        "body": "hijack",
        "author_name": "x",
        "author_email": "x@example.com",
        "open": "no",
        "max_links": "9",
    }
    response = client.get(url) if method == "GET" else client.post(url, data=data)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert "secret held text" not in response.text
    assert status_of(app, held) is PENDING
    with app.app_context():
        assert db.session.get(DiscussionSettings, 1) is None
        assert db.session.get(Comment, held).body == "secret held text"
    public = client.get("/posts/p/").text
    assert "held@example.com" not in public
    assert "10.9.8.7" not in public
    assert "Post Comment" in public


@pytest.mark.parametrize(
    "route",
    [
        "/moderation/comments/1/approve",
        "/moderation/bulk",
        "/moderation/undo",
        "/moderation/empty/spam",
    ],
)
def test_state_changing_moderation_routes_refuse_get(moderator, post_id, make_comment, route):
    make_comment(post_id, status=PENDING)
    assert moderator.get(route).status_code == 405


def test_moderation_post_without_csrf_token_is_refused(app, moderator, post_id, make_comment):
    comment = make_comment(post_id, status=PENDING)
    response = moderator.post(
        f"/moderation/comments/{comment}/approve", data={"next": "/moderation"}
    )
    assert response.status_code == 400
    assert "This form has expired" in response.text
    assert "Nothing was changed." in response.text
    assert status_of(app, comment) is PENDING


def test_created_at_is_shown_in_queue(moderator, post_id, make_comment):
    make_comment(post_id, status=PENDING, created_at=datetime(2024, 2, 3, 14, 5, tzinfo=UTC))
    assert "February 3, 2024 at 2:05 pm" in moderator.get("/moderation").text


def test_queue_reads_a_fixed_number_of_queries(app, moderator, post_id, make_comment):
    parent = make_comment(post_id)
    make_comment(post_id, status=PENDING, parent_id=parent)
    few = count_queries(app, moderator, "/moderation?status=all")
    for _ in range(18):
        make_comment(post_id, status=PENDING, parent_id=parent)
    assert count_queries(app, moderator, "/moderation?status=all") == few


@pytest.mark.app_config(COMMENT_FLOOD_SECONDS=60)
def test_the_instructor_commenting_through_the_post_form_is_published_at_once(
    app, moderator, post_id, post_comment
):
    assert (
        post_comment(
            body="Welcome, class.", author_name="Professor Lee", author_email="lee@example.edu"
        ).status_code
        == 302
    )
    assert (
        post_comment(
            body="And a second note.", author_name="Professor Lee", author_email="lee@example.edu"
        ).status_code
        == 302
    )
    comments = stored_comments(app)
    assert [c.status for c in comments] == [APPROVED, APPROVED]
    assert all(c.instructor_id is not None for c in comments)
    public = app.test_client().get("/posts/p/").text
    assert '<span class="badge">Instructor</span>' in public
    assert outbox_files(app) == []


# The queue's script: the same POSTs, answered with what changed


def script_post(client, url, data, page="/moderation"):
    """POST as the queue's script does: the form's fields, the CSRF header, asking for JSON."""
    token = csrf_token_from(client.get(page).text)
    return client.post(
        url,
        data={"csrf_token": token, **data},
        headers={"Accept": "application/json", "X-CSRFToken": token},
    )


def test_the_script_gets_the_rows_in_order_and_the_page_refills(
    app, moderator, post_id, make_comment
):
    ids = [make_comment(post_id, status=PENDING, body=f"Held {n}.") for n in range(22)]
    newest_first = ids[::-1]
    first_page = newest_first[:20]
    answer = script_post(
        moderator,
        f"/moderation/comments/{first_page[0]}/approve",
        {"next": "/moderation?status=pending", "shown": ",".join(map(str, first_page))},
    )
    assert answer.status_code == 200
    data = answer.get_json()
    assert data["ok"] is True
    assert data["message"] == "1 comment approved."
    # The approved row left Pending; the 21st comment moved up into the page, with its HTML.
    assert data["order"] == newest_first[1:21]
    assert list(data["rows"]) == [str(newest_first[20])]
    assert "Held 1." in data["rows"][str(newest_first[20])]
    assert data["counts"]["pending"] == 21 and data["counts"]["approved"] == 1
    assert ">Undo</button>" in data["notice"] and "1 comment approved." in data["notice"]
    assert "Page 1 of 2" in data["pages"]
    assert status_of(app, first_page[0]) is APPROVED
    last = script_post(
        moderator,
        "/moderation/bulk",
        {"action": "approve", "ids": newest_first[1:], "next": "/moderation?status=pending"},
    ).get_json()
    assert last["order"] == [] and last["pages"].strip() == ""  # no "Page 1 of 2" left behind


def test_the_script_sees_a_changed_row_refreshed_in_a_view_that_keeps_it(
    moderator, post_id, make_comment
):
    comment = make_comment(post_id, status=PENDING, body="Stays in All.")
    data = script_post(
        moderator,
        f"/moderation/comments/{comment}/approve",
        {"next": "/moderation?status=all", "shown": str(comment)},
    ).get_json()
    assert data["order"] == [comment]
    row = data["rows"][str(comment)]
    assert 'data-status="approved"' in row and ">Unapprove</button>" in row


def test_a_stale_page_is_told_what_happened_and_gets_the_row_refreshed(
    app, moderator, post_id, make_comment
):
    comment = make_comment(post_id, status=PENDING, author_name="Ann")
    act(moderator, comment, "spam")  # in another tab
    data = script_post(
        moderator,
        f"/moderation/comments/{comment}/approve",
        {"next": "/moderation?status=all", "shown": str(comment)},
    ).get_json()
    assert data["ok"] is False
    assert data["message"] == (
        "Nothing changed: the comment by Ann is in Spam now (changed meanwhile?), "
        "so Approve does not apply."
    )
    assert data["order"] == []  # Spam is not in All: the row goes
    assert status_of(app, comment) is SPAM


def test_an_action_on_a_comment_deleted_meanwhile_says_so(moderator, post_id, make_comment):
    kept = make_comment(post_id, status=PENDING)
    data = script_post(
        moderator,
        "/moderation/comments/999999/trash",
        {"next": "/moderation", "shown": f"{kept},999999"},
    ).get_json()
    assert data["message"] == "That comment no longer exists: it was deleted meanwhile."
    assert data["ok"] is False and data["order"] == [kept] and data["rows"] == {}


@pytest.mark.parametrize(
    "fields",
    [
        {"next": "https://evil.example/", "shown": "x,,-1,99999999999999"},
        {"next": "/moderation?status=nonsense&page=abc&q=%00", "shown": "1" * 5000},
        {"next": "/moderation?page=99999999999", "shown": ""},
        {},
    ],
)
def test_any_form_input_gets_an_answer_never_a_500(moderator, post_id, make_comment, fields):
    comment = make_comment(post_id, status=PENDING)
    response = script_post(moderator, f"/moderation/comments/{comment}/approve", fields)
    assert response.status_code == 200
    assert response.get_json()["message"] == "1 comment approved."


def test_undo_goes_back_step_by_step(app, moderator, post_id, make_comment):
    first, second = (make_comment(post_id, status=PENDING) for _ in range(2))
    script_post(moderator, f"/moderation/comments/{first}/approve", {"next": "/moderation"})
    script_post(moderator, f"/moderation/comments/{second}/spam", {"next": "/moderation"})
    data = script_post(moderator, "/moderation/undo", {"next": "/moderation"}).get_json()
    assert data["message"] == "Undone: 1 comment back to the status before."
    assert status_of(app, second) is PENDING and status_of(app, first) is APPROVED
    assert "1 comment approved." in data["notice"]  # the next step back is offered
    assert str(second) in data["rows"]
    data = script_post(moderator, "/moderation/undo", {"next": "/moderation"}).get_json()
    assert status_of(app, first) is PENDING
    assert ">Undo</button>" not in data["notice"]
    data = script_post(moderator, "/moderation/undo", {"next": "/moderation"}).get_json()
    assert (data["ok"], data["message"]) == (False, "There is nothing to undo.")


def test_many_undo_steps_fit_the_session_cookie(app, moderator, post_id, make_comment):
    ids = [make_comment(post_id, status=PENDING) for _ in range(60)]
    for comment in ids:
        act(moderator, comment, "approve")
    for chunk in range(0, 60, 20):
        form_post(
            moderator,
            "/moderation/bulk",
            {"action": "unapprove", "ids": ids[chunk : chunk + 20], "next": "/moderation"},
        )
    cookie = moderator.get_cookie("session")
    assert len(cookie.value) < 3000
    form_post(moderator, "/moderation/undo", {"next": "/moderation"})
    assert all(status_of(app, c) is APPROVED for c in ids[40:])


def test_the_row_says_why_a_comment_was_held_and_the_authors_history(
    app, client, auth, post_id, post_comment, make_comment
):
    make_comment(post_id, status=APPROVED, author_email="ann@example.com")
    make_comment(post_id, status=SPAM, author_email="ANN@example.com")
    with app.app_context():
        db.session.add(DiscussionSettings(id=1, manual_approval=True))
        db.session.commit()
    post_comment(body="Held by the setting", author_email="ann@example.com")
    auth.login()
    page = client.get("/moderation").text
    assert "Manual approval is on" in page
    assert "1 approved, 1 spam" in page


def test_edit_and_reply_answer_the_script_in_place(app, moderator, post_id, make_comment):
    comment = make_comment(post_id, status=PENDING, author_name="Ann", body="Original.")
    fields = {"author_name": "Ann", "author_email": "ann@example.com", "next": "/moderation"}
    refused = script_post(
        moderator, f"/moderation/comments/{comment}/edit", {**fields, "body": ""}
    ).get_json()
    assert refused["ok"] is False and refused["message"]
    assert refused["rows"] == {str(comment): refused["rows"][str(comment)]}  # not shown: sent
    saved = script_post(
        moderator,
        f"/moderation/comments/{comment}/edit",
        {**fields, "body": "Corrected.", "shown": str(comment)},
    ).get_json()
    assert saved["message"] == "The comment by Ann was saved."
    assert "Corrected." in saved["rows"][str(comment)]
    replied = script_post(
        moderator,
        f"/moderation/comments/{comment}/reply",
        {"body": "Thanks.", "next": "/moderation", "shown": str(comment)},
    ).get_json()
    assert replied["message"].startswith("Your reply to Ann is published")
    assert replied["order"] == [] and replied["counts"]["pending"] == 0
    assert status_of(app, comment) is APPROVED


def test_without_javascript_edit_and_reply_come_back_to_their_row(moderator, post_id, make_comment):
    comment = make_comment(post_id, status=PENDING)
    page = moderator.get("/moderation?status=pending").text
    assert f"next=/moderation?status%3Dpending%23mod-comment-{comment}" in page
    assert f'name="next" value="/moderation?status=pending#mod-comment-{comment}"' in page
    saved = form_post(
        moderator,
        f"/moderation/comments/{comment}/reply",
        {"body": "Thanks.", "next": f"/moderation?status=pending#mod-comment-{comment}"},
    )
    assert saved.headers["Location"] == f"/moderation?status=pending#mod-comment-{comment}"
