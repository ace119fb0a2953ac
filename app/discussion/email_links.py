"""Signed one-click links in notification emails: approve, spam or trash a comment, once, within
7 days.

A link carries the comment id, the action and a random nonce, signed with the app's secret key
(itsdangerous). Using it records the nonce, so the same link cannot act twice.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Comment, CommentStatus, Instructor, UsedActionLink
from .mail_text import NotificationSettings
from .moderation import Action, Outcome, apply_action
from .signing import signer_stamping

SALT = "comment-action-link"
LINK_LIFETIME = timedelta(days=7)
EMAIL_ACTIONS = (Action.APPROVE, Action.SPAM, Action.TRASH)


class LinkError(Exception):
    """A link that cannot be used: tampered, expired or already used. For a link already used,
    ``last_change`` says what happened to its comment since (who, when, to which status)."""

    def __init__(self, message: str, last_change: LastChange | None = None) -> None:
        super().__init__(message)
        self.last_change = last_change


@dataclass(frozen=True)
class LastChange:
    """The latest thing that happened to a comment, in the instructor's words."""

    comment: Comment
    what: str  # "approved", "marked as spam", ...
    by: str  # a display name, or "the discussion rules", "an email link"
    at: datetime


WHAT_BECAME = {
    CommentStatus.PENDING: "sent back to Pending",
    CommentStatus.APPROVED: "approved",
    CommentStatus.SPAM: "marked as spam",
    CommentStatus.TRASH: "moved to the Trash",
    CommentStatus.RETURNED: "returned to its author for revision",
}
ACTOR_WORDS = {
    "rules": "the discussion rules",
    "email link": "an email link",
    "author": "the comment's author",
}


def last_change(comment: Comment) -> LastChange | None:
    """What last happened to ``comment`` and who did it (an instructor by display name)."""
    if not comment.history:
        return None
    change = comment.history[-1]
    instructor = db.session.get(Instructor, change.instructor_id) if change.instructor_id else None
    by = instructor.public_name if instructor else ACTOR_WORDS.get(change.actor, change.actor)
    return LastChange(comment, WHAT_BECAME[change.to_status], by, change.changed_at)


@dataclass(frozen=True)
class LinkRequest:
    comment_id: int
    action: Action
    nonce: str


def make_token(
    secret_key: str, comment_id: int, action: Action, issued_at: datetime | None = None
) -> str:
    """A signed link token for ``action`` on the comment, stamped ``issued_at`` (default: now)."""
    signer = TimestampSigner if issued_at is None else signer_stamping(issued_at)
    serializer = URLSafeTimedSerializer(secret_key, salt=SALT, signer=signer)
    return serializer.dumps({"c": comment_id, "a": action.value, "n": secrets.token_hex(16)})


def read_token(secret_key: str, token: str, max_age: timedelta = LINK_LIFETIME) -> LinkRequest:
    """Check the signature and age of a link; raises ``LinkError`` with a reader-facing reason."""
    serializer = URLSafeTimedSerializer(secret_key, salt=SALT)
    try:
        data = serializer.loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired as exc:
        raise LinkError(
            "This link has expired; links in notification emails work for 7 days."
        ) from exc
    except BadSignature as exc:
        raise LinkError("This link is not valid. It may have been copied incompletely.") from exc
    try:
        request = LinkRequest(int(data["c"]), Action(data["a"]), str(data["n"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise LinkError("This link is not valid. It may have been copied incompletely.") from exc
    if request.action not in EMAIL_ACTIONS:
        raise LinkError("This link is not valid. It may have been copied incompletely.")
    if db.session.get(UsedActionLink, request.nonce) is not None:
        raise already_used(request.comment_id)
    return request


def already_used(comment_id: int) -> LinkError:
    """The refusal of a second use, saying what became of the comment."""
    comment = db.session.get(Comment, comment_id)
    change = last_change(comment) if comment is not None else None
    return LinkError("This link has already been used; it works only once.", change)


def use_link(link: LinkRequest, now: datetime, notify: NotificationSettings | None) -> Outcome:
    """Act as the link says, once: records the link as used and applies its action, in one
    transaction (with the emails an approval sends its author, ``notify`` permitting). Refuses
    (``LinkError``) a link used meanwhile, by another click."""
    db.session.add(UsedActionLink(nonce=link.nonce, used_at=now))
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise already_used(link.comment_id) from exc
    return apply_action(
        [link.comment_id],
        link.action,
        actor="email link",
        instructor=None,
        now=now,
        notify=notify,
    )
