"""What the blog pages read, each in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import and_, or_

from ..extensions import db
from ..models import Comment, CommentStatus, Post


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


def own_held_comment_ids(post: Post, own_ids: Collection[int]) -> set[int]:
    """Which of this browser's comments still wait for moderation on ``post`` (no query if none)."""
    if not own_ids:
        return set()
    return set(
        db.session.scalars(
            db.select(Comment.id).where(
                Comment.post_id == post.id,
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
