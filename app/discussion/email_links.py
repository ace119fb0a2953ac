"""Signed one-click links in notification emails: approve or trash a comment, once, within 7 days.

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
from ..models import UsedActionLink
from .moderation import Action

SALT = "comment-action-link"
LINK_LIFETIME = timedelta(days=7)
EMAIL_ACTIONS = (Action.APPROVE, Action.TRASH)


class LinkError(Exception):
    """A link that cannot be used: tampered, expired or already used."""


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


def signer_stamping(issued_at: datetime) -> type[TimestampSigner]:
    """A signer that stamps ``issued_at`` instead of the clock (itsdangerous documents
    ``get_timestamp`` as the method to override): a link made then, as a test needs one."""

    class StampedSigner(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(issued_at.timestamp())

    return StampedSigner


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
        raise LinkError("This link has already been used; it works only once.")
    return request


def mark_used(nonce: str, now: datetime) -> None:
    """Record the link as used, in the caller's transaction; refuses a second use."""
    db.session.add(UsedActionLink(nonce=nonce, used_at=now))
    try:
        db.session.flush()
    except IntegrityError as exc:
        db.session.rollback()
        raise LinkError("This link has already been used; it works only once.") from exc
