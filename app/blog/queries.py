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
