"""What the Posts screen reads."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import and_, or_

from ..extensions import db
from ..models import Comment, CommentStatus, Post, PostStatus

PER_PAGE = 20
FILTERS = ("all", "published", "scheduled", "draft", "trash")


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def filter_condition(name: str, now: datetime) -> Any:
    """The posts a filter link shows; "all" is everything but the trash."""
    published = Post.status == PostStatus.PUBLISHED
    return {
        "all": Post.status != PostStatus.TRASH,
        "published": and_(published, Post.published_at <= now),
        "scheduled": and_(published, Post.published_at > now),
        "draft": Post.status == PostStatus.DRAFT,
        "trash": Post.status == PostStatus.TRASH,
    }[name]


def filter_counts(now: datetime) -> dict[str, int]:
    """How many posts each filter link holds, in one query."""
    columns = [
        db.func.count(db.case((filter_condition(name, now), 1))).label(name) for name in FILTERS
    ]
    row = db.session.execute(db.select(*columns).select_from(Post)).one()
    return dict(row._mapping)


def comment_counts(post_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Approved and pending comments of each listed post, in one query."""
    if not post_ids:
        return {}
    status = Comment.status
    rows = db.session.execute(
        db.select(
            Comment.post_id,
            db.func.count(db.case((status == CommentStatus.APPROVED, 1))),
            db.func.count(db.case((status == CommentStatus.PENDING, 1))),
        )
        .where(Comment.post_id.in_(post_ids))
        .group_by(Comment.post_id)
    ).all()
    return {post_id: (approved, pending) for post_id, approved, pending in rows}


def posts_page(filter_name: str, search: str, page: int, now: datetime) -> Pagination:
    """One page of the Posts list, newest first (two queries: the page and its count)."""
    statement = (
        db.select(Post)
        .where(filter_condition(filter_name, now))
        .order_by(Post.published_at.desc(), Post.id.desc())
    )
    if search:
        pattern = like_pattern(search)
        statement = statement.where(
            or_(
                Post.title.ilike(pattern, escape="\\"),
                Post.body.ilike(pattern, escape="\\"),
                Post.author_name.ilike(pattern, escape="\\"),
            )
        )
    return db.paginate(statement, page=page, per_page=PER_PAGE, error_out=False)
