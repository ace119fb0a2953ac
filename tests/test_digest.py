"""Notifications that respect an inbox: the first held comment is emailed at once, the ones held
in the next N minutes go out together as one digest, each with its own one-click links."""

from __future__ import annotations

import email
import re
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest

from app.discussion.notifications import NotificationSettings, queue_held_comment_notice
from app.discussion.outbox import mail_sender
from app.extensions import db
from app.models import CommentStatus, DiscussionSettings, OutboxMessage
from app.web.site import SiteLinks

from .conftest import csrf_token_from, stored_comments
from .mail_servers import outbox_rows, wait_until

PENDING = CommentStatus.PENDING
T0 = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)


@pytest.fixture
def post_id(make_post):
    return make_post(slug="p", title="The Secret Speech")


def notify(app) -> NotificationSettings:
    return NotificationSettings(
        url_for=SiteLinks(app.url_map, app.config["SITE_URL"]),
        secret_key=app.config["SECRET_KEY"],
        from_address="blog@example.edu",
        blog_title="Class Blog",
    )


@pytest.fixture
def quiet_sender(app):
    """These tests queue at made-up times, long past: the sender must not send as they queue."""
    mail_sender(app).stop()


def held(app, make_comment, post_id: int, at: datetime, minutes: int = 15) -> OutboxMessage:
    """A held comment queued for the instructor at ``at``: the outbox row that tells about it."""
    comment = make_comment(post_id, status=PENDING, body=f"Held at {at:%H:%M}.", created_at=at)
    with app.app_context():
        from app.models import Comment

        row = queue_held_comment_notice(
            db.session.get(Comment, comment), notify(app), "", at, minutes
        )
        db.session.commit()
        db.session.expunge(row)
        return row


def test_the_first_is_sent_at_once_and_the_next_gather_until_the_time_is_up(
    app, make_comment, post_id, quiet_sender
):
    first = held(app, make_comment, post_id, T0)
    assert not first.is_digest and first.next_attempt_at == T0
    digest = held(app, make_comment, post_id, T0 + timedelta(minutes=1))
    assert digest.is_digest and digest.next_attempt_at == T0 + timedelta(minutes=15)
    for minute in (3, 9, 14):
        again = held(app, make_comment, post_id, T0 + timedelta(minutes=minute))
        assert again.id == digest.id  # the same digest, written again with one more comment
    rows = outbox_rows(app)
    assert len(rows) == 2
    text = email.message_from_string(rows[1].message).get_payload(decode=True).decode()
    assert "4 comments are waiting for your approval." in text
    for minute in ("10:01", "10:03", "10:09", "10:14"):
        assert f"> Held at {minute}." in text
    assert text.count("Approve it: ") == text.count("Mark it as spam: ") == 4
    assert rows[1].subject.endswith("4 comments are waiting for moderation")


def test_after_the_digest_has_gone_the_next_is_sent_at_once_again(
    app, make_comment, post_id, quiet_sender
):
    held(app, make_comment, post_id, T0)
    held(app, make_comment, post_id, T0 + timedelta(minutes=1))
    later = held(app, make_comment, post_id, T0 + timedelta(minutes=40))
    assert not later.is_digest and later.next_attempt_at == T0 + timedelta(minutes=40)


def test_zero_minutes_means_one_email_per_comment(app, make_comment, post_id, quiet_sender):
    for minute in range(3):
        row = held(app, make_comment, post_id, T0 + timedelta(minutes=minute), minutes=0)
        assert not row.is_digest
    assert len(outbox_rows(app)) == 3


def test_a_digest_taken_by_a_sender_takes_no_more(app, make_comment, post_id, quiet_sender):
    """Once a sender has claimed the digest (or tried it), a new one starts."""
    held(app, make_comment, post_id, T0)
    digest = held(app, make_comment, post_id, T0 + timedelta(minutes=1))
    with app.app_context():
        db.session.get(OutboxMessage, digest.id).attempts = 1
        db.session.commit()
    another = held(app, make_comment, post_id, T0 + timedelta(minutes=2))
    assert another.id != digest.id and another.is_digest


def test_a_class_posting_at_once_makes_two_emails_whose_links_work(
    app, runner, post_id, post_comment
):
    """Through the real form: 6 readers, each held; one email now, one digest of 5 sent by
    `flask send-mail` (its time not yet come), and a link in the digest approves its comment."""
    for n in range(6):
        response = post_comment(body=f"Reply number {n}.", author_email=f"s{n}@example.edu")
        assert response.status_code == 302
    # The first email goes at once; the digest waits for its time, so the sender is stopped.
    assert wait_until(lambda: outbox_rows(app)[0].status.value == "sent")
    mail_sender(app).stop()
    rows = outbox_rows(app)
    assert [r.is_digest for r in rows] == [False, True]
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 0, result.output
    digest = outbox_rows(app)[1]
    assert digest.status.value == "sent"
    text = email.message_from_string(digest.message).get_payload(decode=True).decode()
    assert "5 comments are waiting for your approval." in text
    site = re.escape(app.config["SITE_URL"])
    third = re.findall(rf"Approve it: {site}(\S+)", text)[2]
    browser = app.test_client()
    browser.post(third, data={"csrf_token": csrf_token_from(browser.get(third).text)})
    statuses = [c.status for c in stored_comments(app)]
    assert statuses == [PENDING, PENDING, PENDING, CommentStatus.APPROVED, PENDING, PENDING]


def test_the_setting_is_saved_in_the_instructors_words(app, moderator):
    page = unescape(moderator.get("/moderation/settings").text)
    assert "gather the next ones for this many minutes into one email" in page
    assert "Hold a student's first comment for review; later comments appear at once" in page
    assert "outbox" not in page
    data = {
        "csrf_token": csrf_token_from(page),
        "require_prior_approval": "y",
        "max_links": "2",
        "digest_minutes": "30",
    }
    assert moderator.post("/moderation/settings", data=data).status_code == 302
    with app.app_context():
        assert db.session.get(DiscussionSettings, 1).digest_minutes == 30
    data["digest_minutes"] = "-1"
    refused = moderator.post("/moderation/settings", data=data)
    assert refused.status_code == 400
    assert "Enter a number of minutes from 0 to 1,440." in refused.text


def test_a_full_digest_starts_another_sent_at_the_same_time(
    app, make_comment, post_id, quiet_sender
):
    """A spam wave: each held comment rewrites the digest it joins, so a digest holds at most
    DIGEST_MAX comments and the next ones start another, due at the same time."""
    from app.discussion.notifications import DIGEST_MAX

    held(app, make_comment, post_id, T0)
    rows = [held(app, make_comment, post_id, T0 + timedelta(seconds=1 + n)) for n in range(25)]
    digests = {row.id: row for row in rows}
    assert len(digests) == 2
    first, second = sorted(digests.values(), key=lambda row: row.id)
    assert first.next_attempt_at == second.next_attempt_at == T0 + timedelta(minutes=15)
    counts = [len(row.held_comment_ids.split(",")) for row in outbox_rows(app)[1:]]
    assert counts == [DIGEST_MAX, 25 - DIGEST_MAX]
