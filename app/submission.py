"""Submitting a reader's comment: check it, decide its status, store it once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_

from .extensions import db
from .models import Comment, CommentStatus, Instructor, Post, StatusChange
from .rules import CommentDraft, Verdict, comments_are_open, decide_status, is_flood
from .settings import load_rules

COMMENTS_CLOSED = "Comments are closed."
BAD_PARENT = (
    "The comment you are replying to is not available; your reply can go under the post instead."
)
FLOOD = "You are posting comments too quickly. Slow down."
DUPLICATE = "Duplicate comment detected; it looks as though you’ve already said that!"


class SubmissionRefused(Exception):
    """A comment that will not be stored, with the words and HTTP status to show the reader."""

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


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


def last_comment_time(author_ip: str, author_email: str) -> datetime | None:
    """When this IP address or email last commented anywhere on the blog.

    One statement, two index seeks: the latest comment by this email and by this address (an
    OR would read every comment from, say, a school's one shared address)."""
    latest = [
        db.select(db.func.max(Comment.created_at)).where(column == value).scalar_subquery()
        for column, value in ((Comment.author_email, author_email), (Comment.author_ip, author_ip))
        if value
    ]
    times = db.session.execute(db.select(*latest)).one()
    return max((time for time in times if time is not None), default=None)


def is_duplicate(post: Post, draft: CommentDraft) -> bool:
    """The same text by the same author (name or email) on the same post, not in the trash."""
    return (
        db.session.scalar(
            db.select(Comment.id)
            .where(
                Comment.post_id == post.id,
                Comment.body == draft.body,
                or_(
                    Comment.author_email == draft.author_email,
                    Comment.author_name == draft.author_name,
                ),
                Comment.status != CommentStatus.TRASH,
            )
            .limit(1)
        )
        is not None
    )


def author_has_approved_comment(draft: CommentDraft) -> bool:
    """Whether someone with this name and email already has an approved comment on the blog."""
    return (
        db.session.scalar(
            db.select(Comment.id)
            .filter_by(
                author_email=draft.author_email,
                author_name=draft.author_name,
                status=CommentStatus.APPROVED,
            )
            .limit(1)
        )
        is not None
    )


def submit_comment(
    post: Post,
    draft: CommentDraft,
    *,
    parent_id: int | None,
    honeypot_filled: bool,
    flood_seconds: int,
    now: datetime,
    instructor: Instructor | None = None,
) -> Submitted:
    """Store a reader's comment with the status the discussion rules give it; commits once.

    Refuses (``SubmissionRefused``) a comment on a closed post, a reply to a comment that is not
    an approved comment of this post, a comment sent too soon after the same reader's last one,
    and a duplicate. The logged-in ``instructor``'s comments skip flood control and the rules.
    """
    rules = load_rules()
    if not comments_are_open(post.comments_open, post.published_at, rules.close_after_days, now):
        raise SubmissionRefused(COMMENTS_CLOSED, 403)
    parent = find_reply_target(post, parent_id)
    last_time = None if instructor else last_comment_time(draft.author_ip, draft.author_email)
    if is_flood(last_time, now, flood_seconds):
        raise SubmissionRefused(FLOOD, 429)
    if is_duplicate(post, draft):
        raise SubmissionRefused(DUPLICATE, 409)

    verdict = decide_status(
        draft,
        rules,
        author_has_approved_comment=author_has_approved_comment(draft),
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
    )
    comment.history.append(
        StatusChange(actor="rules", to_status=verdict.status, reason=verdict.reason, changed_at=now)
    )
    db.session.add(comment)
    db.session.commit()
    return Submitted(comment, verdict)
