"""What a reader's browser remembers: the comments it wrote, a reporter id and, if asked, the
reader's details."""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from flask import Response, current_app, request, session

OWN_COMMENTS_KEY = "own_comments"
LAST_COMMENT_KEY = "last_comment_at"
POSTED_KEY = "posted_comment"
POSTED_LINK_KEY = "posted_comment_link"
REPORTER_KEY = "reporter"
# Enough for a lively discussion; the oldest are forgotten first.
MAX_OWN_COMMENTS = 50
AUTHOR_COOKIES = {
    "author_name": "comment_author",
    "author_email": "comment_author_email",
    "author_url": "comment_author_url",
}
REMEMBER_FOR = timedelta(days=365)


def own_comment_ids() -> set[int]:
    """Ids of comments this browser wrote, whatever became of them, from the signed session
    cookie (not the IP address): its held comments are shown to it, and any of them opens a
    post-first thread (``discussion.post_first`` checks what became of them)."""
    ids = session.get(OWN_COMMENTS_KEY, [])
    return {i for i in ids if isinstance(i, int)} if isinstance(ids, list) else set()


def remember_own_comment(comment_id: int) -> None:
    """Remember that this browser wrote ``comment_id`` (the reply form; a page that proves the
    reader wrote it may call this too)."""
    ids = [i for i in session.get(OWN_COMMENTS_KEY, []) if i != comment_id]
    session[OWN_COMMENTS_KEY] = [*ids, comment_id][-MAX_OWN_COMMENTS:]
    session.permanent = True


def reporter_hash() -> str:
    """This browser as a reporter of comments: a hash of a random id kept in its signed session
    (made on its first report). Only the hash is stored with a report, and it names nobody; it
    lets one browser report a comment only once."""
    reporter = session.get(REPORTER_KEY)
    if not isinstance(reporter, str) or len(reporter) < 16:
        reporter = secrets.token_urlsafe(16)
        session[REPORTER_KEY] = reporter
        session.permanent = True
    return hashlib.sha256(reporter.encode()).hexdigest()


def last_comment_time() -> datetime | None:
    """When this browser last posted a comment, as its signed session says (flood control that
    tells apart two students who share an address, and follows one who changes their email)."""
    stamp = session.get(LAST_COMMENT_KEY)
    if not isinstance(stamp, int | float):
        return None
    return datetime.fromtimestamp(stamp, UTC)


def remember_comment_time(when: datetime) -> None:
    session[LAST_COMMENT_KEY] = round(when.timestamp(), 3)
    session.permanent = True


def remember_posted(comment_id: int, link_token: str = "") -> None:
    """The comment this browser just posted, for the confirmation beside it on the next page,
    with the token of its private link (to show there once)."""
    session[POSTED_KEY] = comment_id
    session[POSTED_LINK_KEY] = link_token


def take_posted() -> tuple[int, str] | None:
    """The comment just posted and its link's token, once: the confirmation is shown on one
    page, not on every visit."""
    comment_id = session.pop(POSTED_KEY, None)
    token = session.pop(POSTED_LINK_KEY, "")
    if not isinstance(comment_id, int):
        return None
    return comment_id, token if isinstance(token, str) else ""


def remembered_author() -> dict[str, str]:
    """The name, email and website saved by a previous comment in this browser."""
    return {field: request.cookies.get(cookie, "") for field, cookie in AUTHOR_COOKIES.items()}


def save_author(response: Response, details: dict[str, str]) -> None:
    secure = current_app.config["SESSION_COOKIE_SECURE"]
    for field, cookie in AUTHOR_COOKIES.items():
        response.set_cookie(
            cookie,
            details.get(field, ""),
            max_age=int(REMEMBER_FOR.total_seconds()),
            httponly=True,
            samesite="Lax",
            secure=secure,
        )


def forget_author(response: Response) -> None:
    for cookie in AUTHOR_COOKIES.values():
        if cookie in request.cookies:
            response.delete_cookie(cookie, httponly=True, samesite="Lax")
