"""What the Atom feeds hold: published posts, and approved comments on published posts.

Each reader of a feed first reads its *version* (a small query: the listed rows' ids and page
versions), which is the feed's cache key; the entries are loaded only when that key misses.
Drafts, scheduled posts and any comment not approved never appear.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

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


def posts_feed_version(now: datetime) -> list[tuple[Any, ...]]:
    """(id, page version, published at, updated at) of the posts in the feed, newest first."""
    return [
        tuple(row)
        for row in db.session.execute(
            db.select(Post.id, Post.page_version, Post.published_at, Post.updated_at)
            .where(public_posts(now))
            .order_by(Post.published_at.desc(), Post.id.desc())
            .limit(POSTS_IN_FEED)
        )
    ]


def feed_posts(ids: Sequence[int]) -> list[Post]:
    """The posts with ``ids``, in that order."""
    posts = {p.id: p for p in db.session.scalars(db.select(Post).where(Post.id.in_(ids)))}
    return [posts[i] for i in ids if i in posts]


def comments_feed_version(now: datetime, post_id: int | None = None) -> list[tuple[Any, ...]]:
    """(comment id, post id, post's page version, created at) of the newest approved comments
    on published posts (or on one post), newest first. A comment's edit moves its post's page
    version, and any status change changes the ids: together they say whether a feed is current."""
    statement = (
        db.select(Comment.id, Post.id, Post.page_version, Comment.created_at)
        .join(Post, Comment.post_id == Post.id)
        .where(Comment.status == CommentStatus.APPROVED, public_posts(now))
        .order_by(Comment.created_at.desc(), Comment.id.desc())
        .limit(COMMENTS_IN_FEED)
    )
    if post_id is not None:
        statement = statement.where(Comment.post_id == post_id)
    return [tuple(row) for row in db.session.execute(statement)]


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
