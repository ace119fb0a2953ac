"""The author's private "check my comment" link: a signed address that shows one comment's state
to whoever holds it, on any device and without an account.

The token carries the comment's id and the second it was posted, signed with the app's secret key
(itsdangerous) and a salt of its own, so no other signed value of ours can stand in for it. The
posting time binds the link to this comment: if the comment is deleted and its id is used again
(SQLite may reuse the highest id), the old link finds nothing rather than someone else's comment.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..extensions import db
from ..models import Comment
from .signing import signer_stamping

SALT = "author-comment-link"
# Long enough for a course: a student looks back at the end of term.
LINK_LIFETIME = timedelta(days=365)

NOT_VALID = "This link is not valid. It may have been copied incompletely."
EXPIRED = "This link has expired: links to check on a comment work for a year."
GONE = "This comment is no longer here: it has been deleted."


class AuthorLinkError(Exception):
    """A link that finds no comment: forged, tampered, expired or for a deleted comment.
    ``status_code`` is the HTTP status to answer with."""

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


def _serializer(secret_key: str, issued_at: datetime | None = None) -> URLSafeTimedSerializer:
    if issued_at is None:
        return URLSafeTimedSerializer(secret_key, salt=SALT)
    return URLSafeTimedSerializer(secret_key, salt=SALT, signer=signer_stamping(issued_at))


def make_author_token(secret_key: str, comment: Comment, issued_at: datetime | None = None) -> str:
    """The token of ``comment``'s private link, stamped ``issued_at`` (default: now)."""
    posted = int(comment.created_at.timestamp())
    return _serializer(secret_key, issued_at).dumps({"c": comment.id, "t": posted})


def find_comment(secret_key: str, token: str, max_age: timedelta = LINK_LIFETIME) -> Comment:
    """The comment a link is for; raises ``AuthorLinkError`` with the reader's reason."""
    try:
        data = _serializer(secret_key).loads(token, max_age=int(max_age.total_seconds()))
    except SignatureExpired as exc:
        raise AuthorLinkError(EXPIRED, 410) from exc
    except BadSignature as exc:
        raise AuthorLinkError(NOT_VALID, 404) from exc
    try:
        comment_id, posted = int(data["c"]), int(data["t"])
    except (KeyError, TypeError, ValueError) as exc:
        raise AuthorLinkError(NOT_VALID, 404) from exc
    comment = db.session.get(Comment, comment_id)
    if comment is None or int(comment.created_at.timestamp()) != posted:
        raise AuthorLinkError(GONE, 410)
    return comment
