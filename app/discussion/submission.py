"""Submitting a reader's comment: check it, decide its status, store it once."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Select, or_
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..models import Comment, CommentStatus, Instructor, Post, StatusChange
from .author_mail import queue_posted_email
from .author_notices import queue_reply_email
from .discussion_settings import load_settings, rules_from
from .notifications import NotificationSettings, queue_held_comment_notice
from .rules import CommentDraft, Verdict, decide_status, seconds_to_wait
from .windows import AssignmentWindow, WindowState, window_state

log = logging.getLogger(__name__)

COMMENTS_CLOSED = "Comments are closed."
NOT_OPEN_YET = "Comments on this post are not open yet."
BAD_PARENT = (
    "The comment you are replying to is not available; your reply can go under the post instead."
)
DUPLICATE = (
    "You have already posted this comment here, so it was not posted again. "
    "If you meant to add something, change the text and post it."
)
NOT_SAVED = "We could not save your comment; please try again."


class SubmissionRefused(Exception):
    """A comment that will not be stored, with the words and HTTP status to show the reader."""

    def __init__(self, message: str, status_code: int, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.retry_after = retry_after  # seconds, for a reader who only has to wait


def wait_message(seconds: int) -> str:
    """The words for a reader who must wait before posting again."""
    unit = "second" if seconds == 1 else "seconds"
    return f"Please wait {seconds} {unit} before posting again."


@dataclass(frozen=True)
class Submitted:
    comment: Comment
    verdict: Verdict


def find_reply_target(post: Post, parent_id: int | None) -> Comment | None:
    """The approved comment on ``post`` being answered; refuses any other parent."""
    if parent_id is None:
        return None
    parent = db.session.get(Comment, parent_id)
    if parent is None or parent.post_id != post.id or not parent.is_visible:
        raise SubmissionRefused(BAD_PARENT, 400)
    return parent


@dataclass(frozen=True)
class AuthorHistory:
    """What the rules need to know about the author of a new comment."""

    last_comment_at: datetime | None  # by this email, anywhere
    said_it_already: bool  # the same text on this post, by this name or email, not trashed
    has_approved_comment: bool  # this name and email, anywhere


@cache
def author_history_statement() -> Select[Any]:
    """The statement behind ``author_history``, built once (building it costs more than running
    it); bound with email, name, post_id and body."""
    comments = Comment.__table__.c

    def latest_by(column: Any, name: str) -> Any:
        return (
            db.select(db.func.max(comments.created_at))
            .where(column == db.bindparam(name))
            .scalar_subquery()
        )

    email, name = db.bindparam("email"), db.bindparam("name")
    return db.select(
        latest_by(comments.author_email, "email"),
        db.exists().where(
            comments.post_id == db.bindparam("post_id"),
            comments.body == db.bindparam("body"),
            or_(comments.author_email == email, comments.author_name == name),
            comments.status != CommentStatus.TRASH,
        ),
        db.exists().where(
            comments.author_email == email,
            comments.author_name == name,
            comments.status == CommentStatus.APPROVED,
        ),
    )


def author_history(post: Post, draft: CommentDraft) -> AuthorHistory:
    """Everything the rules ask about the author, in one statement of index lookups.

    The latest comment by email is a covering-index seek; "approved before?" is a seek on
    (email, status); the duplicate check reads this post's comments. The address is not asked:
    a class behind one school address would wait on each other (the per-address rate limit, in
    the view, is what stops a script).
    """
    row = db.session.execute(
        author_history_statement(),
        {
            "email": draft.author_email,
            "name": draft.author_name,
            "post_id": post.id,
            "body": draft.body,
        },
    ).one()
    by_email, duplicate, approved = row
    return AuthorHistory(by_email, bool(duplicate), bool(approved))


def submit_comment(
    post: Post,
    draft: CommentDraft,
    *,
    parent_id: int | None,
    honeypot_filled: bool,
    flood_seconds: int,
    now: datetime,
    instructor: Instructor | None = None,
    notify: NotificationSettings | None = None,
    browser_last_comment_at: datetime | None = None,
    author_opted_in: bool = False,
    replies_from_anyone: bool = False,
) -> Submitted:
    """Store a reader's comment with the status the discussion rules give it; commits once.

    A held comment's email to the instructor (with ``notify``) is put in the outbox in the same
    transaction, so there is a notification exactly when there is a held comment; it is sent
    after the commit, never while the reader waits.

    Refuses (``SubmissionRefused``) a comment on a closed post or outside its assignment window,
    a reply to a comment that is not an approved comment of this post, a comment sent too soon
    after the same reader's last one (by email, or by ``browser_last_comment_at``, this
    browser's last comment as its signed session remembers it), a duplicate, and, with a 503,
    a comment the database would not store. The logged-in ``instructor``'s comments skip flood
    control and the rules. With ``author_opted_in`` (the author ticked "Email me about this
    comment") the author is sent their private link, in the same transaction's outbox, and
    later hears of its publication and of replies (the instructor's, or with
    ``replies_from_anyone`` anyone's). A reply published at once is announced to the author of
    the comment it answers, if they asked.
    """
    slug = post.slug  # for the log: after a failed transaction the post is expired
    try:
        return store_comment(
            post,
            draft,
            parent_id,
            honeypot_filled,
            flood_seconds,
            now,
            instructor,
            notify,
            browser_last_comment_at,
            author_opted_in,
            replies_from_anyone,
        )
    except SQLAlchemyError:
        # A full disk, a read-only file, a lock held too long: nothing was stored, say so.
        db.session.rollback()
        log.exception("Could not store a comment on %s", slug)
        raise SubmissionRefused(NOT_SAVED, 503) from None


def store_comment(
    post: Post,
    draft: CommentDraft,
    parent_id: int | None,
    honeypot_filled: bool,
    flood_seconds: int,
    now: datetime,
    instructor: Instructor | None,
    notify: NotificationSettings | None,
    browser_last_comment_at: datetime | None = None,
    author_opted_in: bool = False,
    replies_from_anyone: bool = False,
) -> Submitted:
    """``submit_comment`` but for its one failure: the checks, the verdict, one commit."""
    settings = load_settings()
    rules = rules_from(settings)
    state = window_state(
        AssignmentWindow.of(post),
        comments_open=post.comments_open,
        published_at=post.published_at,
        # The post's own "close after N days", else the site's.
        close_after_days=(
            post.close_after_days if post.close_after_days is not None else rules.close_after_days
        ),
        now=now,
    )
    if state is WindowState.NOT_YET_OPEN:
        raise SubmissionRefused(NOT_OPEN_YET, 403)
    if not state.accepts_comments:
        raise SubmissionRefused(COMMENTS_CLOSED, 403)
    parent = find_reply_target(post, parent_id)
    history = author_history(post, draft)
    wait = seconds_to_wait((history.last_comment_at, browser_last_comment_at), now, flood_seconds)
    if not instructor and wait:
        raise SubmissionRefused(wait_message(wait), 429, retry_after=wait)
    if history.said_it_already:
        raise SubmissionRefused(DUPLICATE, 409)

    verdict = decide_status(
        draft,
        rules,
        author_has_approved_comment=history.has_approved_comment,
        honeypot_filled=honeypot_filled,
        written_by_instructor=instructor is not None,
    )
    comment = Comment(
        post=post,
        parent=parent,
        body=draft.body,
        author_name=draft.author_name,
        author_email=draft.author_email,
        author_url=draft.author_url,
        author_ip=draft.author_ip,
        user_agent=draft.user_agent,
        status=verdict.status,
        created_at=now,
        instructor_id=instructor.id if instructor else None,
        notify_author=author_opted_in and bool(draft.author_email) and instructor is None,
        notify_replies_from_anyone=author_opted_in and replies_from_anyone,
    )
    comment.history.append(
        StatusChange(actor="rules", to_status=verdict.status, reason=verdict.reason, changed_at=now)
    )
    db.session.add(comment)
    if notify is not None and verdict.status in (CommentStatus.PENDING, CommentStatus.APPROVED):
        db.session.flush()  # the emails' links carry the comment's id
        if verdict.status is CommentStatus.PENDING:
            queue_held_comment_notice(
                comment, notify, settings.notify_email, now, settings.digest_minutes
            )
        if queue_posted_email(comment, notify, now) is not None and comment.is_visible:
            comment.published_email_sent_at = now  # that email says it is published
        if comment.is_visible:
            queue_reply_email(comment, notify, now)
    db.session.commit()
    return Submitted(comment, verdict)
