"""What the Atom feeds hold: published posts, and approved comments on published posts.

Comments on a post-first post (readers see them only after posting their own) are in no feed:
a feed has no session to tell who has posted.

Each reader of a feed first reads its *version* (a small query: the listed rows' ids and page
versions), which is the feed's cache key; the entries are loaded only when that key misses.
Drafts, scheduled posts and any comment not approved never appear.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, false
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import Comment, CommentStatus, Post
from .visibility import public_posts

POSTS_IN_FEED = 20
COMMENTS_IN_FEED = 50


def stable_id(host: str, *parts: object) -> str:
    """A feed or entry id that never changes for this site: a name-based UUID, not the
    permalink (which changes with the slug)."""
    name = "/".join([host, *(str(part) for part in parts)])
    return uuid.uuid5(uuid.NAMESPACE_URL, name).urn


# Built once, run on a plain pooled connection: these run on every feed request, most of which
# are then answered from the cache (or with a 304).
POSTS = Post.__table__.c
COMMENTS = Comment.__table__.c
POSTS_FEED_VERSION = (
    db.select(POSTS.id, POSTS.page_version, POSTS.published_at, POSTS.updated_at)
    .where(public_posts(bindparam("now")))
    .order_by(POSTS.published_at.desc(), POSTS.id.desc())
    .limit(POSTS_IN_FEED)
)


def posts_feed_version(now: datetime) -> list[tuple[Any, ...]]:
    """(id, page version, published at, updated at) of the posts in the feed, newest first."""
    with db.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(POSTS_FEED_VERSION, {"now": now})]


def feed_posts(ids: Sequence[int]) -> list[Post]:
    """The posts with ``ids``, in that order."""
    posts = {p.id: p for p in db.session.scalars(db.select(Post).where(Post.id.in_(ids)))}
    return [posts[i] for i in ids if i in posts]


def _comments_feed_version(one_post: bool) -> Any:
    statement = (
        db.select(COMMENTS.id, POSTS.id, POSTS.page_version, COMMENTS.created_at)
        .join(Post.__table__, COMMENTS.post_id == POSTS.id)
        .where(
            COMMENTS.status == CommentStatus.APPROVED.value,
            public_posts(bindparam("now")),
            POSTS.post_first == false(),
        )
        .order_by(COMMENTS.created_at.desc(), COMMENTS.id.desc())
        .limit(COMMENTS_IN_FEED)
    )
    return statement.where(COMMENTS.post_id == bindparam("post_id")) if one_post else statement


COMMENTS_FEED_VERSION = _comments_feed_version(one_post=False)
POST_COMMENTS_FEED_VERSION = _comments_feed_version(one_post=True)


def comments_feed_version(now: datetime, post_id: int | None = None) -> list[tuple[Any, ...]]:
    """(comment id, post id, post's page version, created at) of the newest approved comments
    on published posts (or on one post) that are not post first, newest first. A comment's edit
    moves its post's page version, and any status change changes the ids: together they say
    whether a feed is current."""
    if post_id is None:
        statement, values = COMMENTS_FEED_VERSION, {"now": now}
    else:
        statement, values = POST_COMMENTS_FEED_VERSION, {"now": now, "post_id": post_id}
    with db.engine.connect() as connection:
        return [tuple(row) for row in connection.execute(statement, values)]


def feed_comments(ids: Sequence[int]) -> list[Comment]:
    """The comments with ``ids``, in that order, each with its post (one query)."""
    comments = {
        c.id: c
        for c in db.session.scalars(
            db.select(Comment).options(joinedload(Comment.post)).where(Comment.id.in_(ids))
        )
    }
    return [comments[i] for i in ids if i in comments]


def last_change(times: Sequence[datetime | None], fallback: datetime) -> datetime:
    """The feed's ``updated``: the latest of its entries' times."""
    known = [time for time in times if time is not None]
    return max(known) if known else fallback
