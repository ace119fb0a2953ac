"""Unsubscribing from the emails to a comment's author (RFC 8058 one-click, and a page).

Every email to an author carries a signed link naming the comment and the address it was sent
to. Using it stops the emails about that comment (the default, what a mail client's one-click
button does) or, from the page, every email of this blog to that address. The link has no
expiry: an unsubscribe link must work for as long as the emails it came with are read. It binds
the comment's posting time (a reused id finds nothing) and the address (when the instructor
corrects the comment's email, the old link no longer speaks for the new address).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Comment, EmailOptOut

SALT = "author-unsubscribe-link"

NOT_VALID = "This unsubscribe link is not valid. It may have been copied incompletely."
GONE = "This comment is no longer here, so no more emails will be sent about it."


class Scope(enum.StrEnum):
    COMMENT = "comment"  # the emails about one comment (the default, one-click)
    ADDRESS = "address"  # every email of this blog to the address


class UnsubscribeLinkError(Exception):
    """A link that unsubscribes nothing; ``status_code`` is the HTTP status to answer with."""

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


def normalise_address(address: str) -> str:
    """An address as the opt-out table stores and compares it: trimmed and lowercased."""
    return address.strip().lower()


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=SALT)


def make_unsubscribe_token(secret_key: str, comment: Comment) -> str:
    """The token of ``comment``'s unsubscribe link, for the address the comment has now."""
    return _serializer(secret_key).dumps(
        {
            "c": comment.id,
            "t": int(comment.created_at.timestamp()),
            "e": normalise_address(comment.author_email),
        }
    )


@dataclass(frozen=True)
class Subscription:
    """What a valid link is about: the comment, the address, and what is already stopped."""

    comment: Comment
    address: str
    comment_stopped: bool
    address_stopped: bool


def find_subscription(secret_key: str, token: str) -> Subscription:
    """What an unsubscribe link is about; raises ``UnsubscribeLinkError`` (404 for a forged or
    tampered link, or one for an address the comment no longer has; 410 for a deleted
    comment)."""
    try:
        data = _serializer(secret_key).loads(token)
        comment_id, posted, address = int(data["c"]), int(data["t"]), str(data["e"])
    except (BadSignature, KeyError, TypeError, ValueError) as exc:
        raise UnsubscribeLinkError(NOT_VALID, 404) from exc
    comment = db.session.get(Comment, comment_id)
    if comment is None or int(comment.created_at.timestamp()) != posted:
        raise UnsubscribeLinkError(GONE, 410)
    if normalise_address(comment.author_email) != address:
        raise UnsubscribeLinkError(NOT_VALID, 404)
    return Subscription(
        comment,
        address,
        comment_stopped=not comment.notify_author,
        address_stopped=address_opted_out(address),
    )


def address_opted_out(address: str) -> bool:
    """Whether ``address`` asked for no email at all from this blog."""
    # Asked in the middle of moderating a batch: flushing each comment's change first would
    # cost the page-version updates once per comment instead of once per batch.
    with db.session.no_autoflush:
        return db.session.get(EmailOptOut, normalise_address(address)) is not None


def unsubscribe(subscription: Subscription, scope: Scope, now: datetime) -> bool:
    """Stop the emails ``scope`` names; commits once. False, and nothing changed, when they
    were already stopped (a second click, a mail client that tries twice)."""
    if scope is Scope.COMMENT:
        if subscription.comment_stopped or subscription.address_stopped:
            return False
        subscription.comment.notify_author = False
        db.session.commit()
        return True
    if subscription.address_stopped:
        return False
    subscription.comment.notify_author = False
    db.session.add(EmailOptOut(address=subscription.address, created_at=now))
    try:
        db.session.commit()
    except IntegrityError:  # the same address, unsubscribed meanwhile by another request
        db.session.rollback()
        return False
    return True
