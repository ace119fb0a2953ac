"""The posts' use cases: what the instructor changes about a post."""

from __future__ import annotations

from ..extensions import db
from ..models import Post


def set_comments_open(post: Post, is_open: bool) -> None:
    """Open or close ``post`` to new comments; commits (the post's page version moves with it)."""
    post.comments_open = is_open
    db.session.commit()
