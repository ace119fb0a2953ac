"""What the blog pages read, each in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, bindparam, or_

from ..discussion.discussion_settings import SETTINGS_ID
from ..extensions import db
from ..models import Comment, CommentStatus, DiscussionSettings, Post


class PostHead(NamedTuple):
    id: int
    page_version: int
    comments_open: bool
    published_at: datetime
    close_after_days: int | None
    opens_at: datetime | None
    due_at: datetime | None
    closes_at: datetime | None


def _post_head_statement() -> Select[Any]:
    posts, settings = Post.__table__.c, DiscussionSettings.__table__.c
    close_after_days = (
        db.select(settings.close_after_days).where(settings.id == SETTINGS_ID).scalar_subquery()
    )
    return db.select(
        posts.id,
        posts.page_version,
        posts.comments_open,
        posts.published_at,
        close_after_days,
        posts.opens_at,
        posts.due_at,
        posts.closes_at,
    ).where(posts.slug == bindparam("slug"))


# Built once: this runs on every post page, where building the statement costs more than
# running it.
POST_HEAD = _post_head_statement()


def post_head(slug: str) -> PostHead | None:
    """What decides how a post page is served, in one small query: the post's id, its page
    version (the cache key) and what says whether it takes comments."""
    # A plain pooled connection, not the ORM session: half the overhead, and most post pages need
    # nothing else from the database.
    with db.engine.connect() as connection:
        row = connection.execute(POST_HEAD, {"slug": slug}).first()
    return None if row is None else PostHead(*row)


FRONT_PAGE_VERSIONS = (
    db.select(
        Post.__table__.c.id,
        Post.__table__.c.page_version,
        db.func.count().over().label("total"),
    )
    .order_by(Post.__table__.c.published_at.desc(), Post.__table__.c.id.desc())
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)


def front_page_versions(page: int, per_page: int) -> tuple[list[tuple[int, int]], int]:
    """The (id, page version) of each post listed on a front page, and how many posts there
    are, in one query: together they say whether a cached front page is current."""
    with db.engine.connect() as connection:
        rows = connection.execute(
            FRONT_PAGE_VERSIONS, {"limit": per_page, "offset": (page - 1) * per_page}
        ).all()
    return [(row.id, row.page_version) for row in rows], rows[0].total if rows else 0


def visible_comments(
    post: Post, own_ids: Collection[int] = (), *, include_held: bool = False
) -> list[Comment]:
    """The comments this reader may see on ``post``, oldest first, in one query.

    Everyone sees approved comments; a reader also sees their own held comments (``own_ids``);
    the instructor (``include_held``) sees every held comment.
    """
    shown = [Comment.status == CommentStatus.APPROVED]
    if include_held:
        shown.append(Comment.status == CommentStatus.PENDING)
    elif own_ids:
        shown.append(and_(Comment.status == CommentStatus.PENDING, Comment.id.in_(own_ids)))
    return list(
        db.session.scalars(
            db.select(Comment)
            .where(Comment.post_id == post.id, or_(*shown))
            .order_by(Comment.created_at, Comment.id)
        )
    )


def own_held_comment_ids(post_id: int, own_ids: Collection[int]) -> set[int]:
    """Which of this browser's comments still wait for moderation on the post (no query if none)."""
    if not own_ids:
        return set()
    return set(
        db.session.scalars(
            db.select(Comment.id).where(
                Comment.post_id == post_id,
                Comment.status == CommentStatus.PENDING,
                Comment.id.in_(own_ids),
            )
        )
    )


def approved_comment(post: Post, comment_id: int | None) -> Comment | None:
    """The approved comment on ``post`` that a reply answers (no query when there is none)."""
    if comment_id is None:
        return None
    return db.session.scalar(
        db.select(Comment).where(
            Comment.id == comment_id,
            Comment.post_id == post.id,
            Comment.status == CommentStatus.APPROVED,
        )
    )
