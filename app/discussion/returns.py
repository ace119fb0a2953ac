"""Returning a comment to its author for revision, with a private note.

The comment leaves public view (status Returned: only its author sees it, with the note), its
author is emailed the note and their private link if they asked for email, and their revision
brings it back to Pending (``author_edits.edit_by_author``). The note is kept on the status
change, so the comment's history shows it to the instructor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from ..extensions import db
from ..models import Comment, CommentStatus, Instructor
from .author_mail import queue_author_email
from .moderation import IN_STATUS, change_status, load_comments
from .notifications import NotificationSettings

MAX_NOTE = 1000
RETURNED_REASON = "returned for revision"
RETURNABLE = frozenset({CommentStatus.PENDING, CommentStatus.APPROVED})

NOTE_REQUIRED = "Write a note to the author: it tells them what to revise."
NOTE_TOO_LONG = f"Keep the note to {MAX_NOTE:,} characters or fewer."


@dataclass(frozen=True)
class ReturnNote:
    """The instructor's latest note on a returned comment, as its author reads it."""

    note: str
    by: str  # the instructor's display name
    at: datetime


@dataclass
class ReturnOutcome:
    """What returning did: ``changed`` holds (comment id, status before) for the undo stack."""

    message: str
    changed: list[tuple[int, CommentStatus]] = field(default_factory=list)
    emailed: bool = False

    @property
    def ok(self) -> bool:
        return bool(self.changed)


def clean_note(note: str) -> str:
    """The note as stored; raises ``ValueError`` with the form's message when it is empty or too
    long (the form checks the same, so this guards callers that skip it)."""
    text = note.strip()
    if not text:
        raise ValueError(NOTE_REQUIRED)
    if len(text) > MAX_NOTE:
        raise ValueError(NOTE_TOO_LONG)
    return text


def return_for_revision(
    comment_id: int,
    note: str,
    *,
    instructor: Instructor,
    notify: NotificationSettings | None,
    now: datetime,
) -> ReturnOutcome:
    """Return a pending or approved comment to its author with ``note``; commits once.

    Refuses (nothing changed, the message says why) a comment deleted meanwhile, one already
    returned, or one in Spam or Trash; raises ``ValueError`` for an empty or too-long note. The
    author is emailed the note and their private link only if they asked for email.
    """
    text = clean_note(note)
    comments = load_comments([comment_id])
    if not comments:
        return ReturnOutcome("That comment no longer exists: it was deleted meanwhile.")
    comment = comments[0]
    if comment.status is CommentStatus.RETURNED:
        return ReturnOutcome(
            f"Nothing changed: the comment by {comment.author_name} is already returned for "
            "revision; its author has your note."
        )
    if comment.status not in RETURNABLE:
        return ReturnOutcome(
            f"Nothing changed: the comment by {comment.author_name} is "
            f"{IN_STATUS[comment.status]} now (changed meanwhile?), so it cannot be returned."
        )
    before = comment.status
    change_status(
        comment,
        CommentStatus.RETURNED,
        actor=instructor.username,
        instructor=instructor,
        now=now,
        reason=RETURNED_REASON,
    )
    comment.history[-1].note = text
    emailed = notify is not None and (
        queue_author_email(
            comment,
            notify,
            subject=f"Your comment on “{comment.post.title}” was returned for revision",
            text=(
                f"{instructor.public_name} has returned your comment on “{comment.post.title}” "
                f"for you to revise, with this note:\n\n{text}\n\n"
                "Until you revise it, only you can see it. Open the link below to read it again "
                "and send your revision."
            ),
            now=now,
        )
        is not None
    )
    db.session.commit()
    message = f"The comment by {comment.author_name} was returned for revision"
    message += " and its author emailed." if emailed else "."
    return ReturnOutcome(message, [(comment.id, before)], emailed)


def latest_return(comment: Comment) -> ReturnNote | None:
    """The note of the latest time ``comment`` was returned (None if it never was), with the
    display name of the instructor who wrote it."""
    for change in reversed(comment.history):
        if change.to_status is CommentStatus.RETURNED and change.note:
            instructor = (
                db.session.get(Instructor, change.instructor_id) if change.instructor_id else None
            )
            by = instructor.public_name if instructor else "The instructor"
            return ReturnNote(change.note, by, change.changed_at)
    return None
