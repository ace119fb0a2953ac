"""A commenter's personal data on request: everything stored about them, and erasing it.

A commenter is known by the email address they gave. The export holds every comment they wrote
(any status) with what was stored beside it; erasing replaces the name with "Anonymous", removes
the email, website, IP address and browser, keeps or replaces the text as the instructor chooses,
and records that it happened in each comment's history, without the erased values.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import Comment, Instructor, StatusChange

ANONYMOUS = "Anonymous"
REMOVED_TEXT = "[removed at the author's request]"
ERASED_REASON = "personal data erased at the author's request"


class PersonalDataError(Exception):
    """The request cannot be carried out; nothing was changed."""


def normalised_email(email: str) -> str:
    return email.strip().lower()


def comments_by(email: str) -> list[Comment]:
    """Every comment written with ``email`` (compared without case), oldest first, with its post
    and history loaded."""
    wanted = normalised_email(email)
    if not wanted:
        return []
    return list(
        db.session.scalars(
            db.select(Comment)
            .options(
                selectinload(Comment.post),
                selectinload(Comment.history),
                selectinload(Comment.revisions),
            )
            .where(db.func.lower(Comment.author_email) == wanted)
            .order_by(Comment.created_at, Comment.id)
        )
    )


def export_commenter(email: str, now: datetime) -> dict[str, Any]:
    """Everything stored about the commenter with ``email``, as JSON-ready data."""
    comments = comments_by(email)
    return {
        "format": "classblog-personal-data",
        "email": normalised_email(email),
        "exported_at": now.isoformat(),
        "stored_about_you": (
            "For each comment: the name, email address, website, IP address and browser "
            "(user agent) sent with it, its text, when it was written, its moderation status "
            "and the history of that status (with any note the instructor wrote you when "
            "returning it), and each earlier version of its text."
        ),
        "comments": [
            {
                "id": comment.id,
                "post": {"title": comment.post.title, "slug": comment.post.slug},
                "in_reply_to": comment.parent_id,
                "author_name": comment.author_name,
                "author_email": comment.author_email,
                "author_url": comment.author_url,
                "author_ip": comment.author_ip,
                "user_agent": comment.user_agent,
                "body": comment.body,
                "status": comment.status.value,
                "created_at": comment.created_at.isoformat(),
                "history": [
                    {
                        "from": change.from_status.value if change.from_status else None,
                        "to": change.to_status.value,
                        "reason": change.reason,
                        "note": change.note,
                        "when": change.changed_at.isoformat(),
                    }
                    for change in comment.history
                ],
                "earlier_versions": [
                    {
                        "before": revision.body_before,
                        "after": revision.body_after,
                        "by": revision.actor,
                        "kind": revision.kind.value,
                        "when": revision.changed_at.isoformat(),
                    }
                    for revision in comment.revisions
                ],
            }
            for comment in comments
        ],
    }


def erase_commenter(
    email: str,
    *,
    keep_text: bool,
    actor: str,
    instructor: Instructor | None,
    now: datetime,
) -> int:
    """Erase the personal data of the commenter with ``email``; commits once and returns how
    many comments were changed. Refuses an empty address."""
    if not normalised_email(email):
        raise PersonalDataError("Give the commenter's email address.")
    comments = comments_by(email)
    for comment in comments:
        comment.author_name = ANONYMOUS
        comment.author_email = ""
        comment.author_url = ""
        comment.author_ip = ""
        comment.user_agent = ""
        if not keep_text:
            comment.body = REMOVED_TEXT
            comment.revisions.clear()  # earlier versions are their text too
        comment.history.append(
            StatusChange(
                instructor_id=instructor.id if instructor else None,
                actor=actor,
                from_status=comment.status,
                to_status=comment.status,
                reason=ERASED_REASON + ("" if keep_text else "; text removed"),
                changed_at=now,
            )
        )
    db.session.commit()
    return len(comments)
