"""What the blog pages read, each in a fixed number of queries."""

from __future__ import annotations

from ..extensions import db
from ..models import Comment, CommentStatus, Post


def approved_comments(post: Post) -> list[Comment]:
    """The post's approved comments, oldest first, in one query."""
    return list(
        db.session.scalars(
            db.select(Comment)
            .filter_by(post_id=post.id, status=CommentStatus.APPROVED)
            .order_by(Comment.created_at, Comment.id)
        )
    )
