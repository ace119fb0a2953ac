"""Which posts readers may see: published, and their publish time has come.

Time is part of the rule, so a scheduled post appears without any write to the database: every
query that lists or opens posts for readers passes the current time.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_

from ..models import Post, PostStatus


def public_posts(now: datetime | Any) -> ColumnElement[bool]:
    """The SQL condition for posts every reader may see at ``now`` (a value or a bind param)."""
    posts = Post.__table__.c
    return and_(posts.status == PostStatus.PUBLISHED.value, posts.published_at <= now)


def describe_state(status: PostStatus, published_at: datetime, now: datetime) -> str:
    """``Draft``, ``Scheduled``, ``Published`` or ``Trash``: what the Posts list shows."""
    if status is PostStatus.PUBLISHED:
        return "Scheduled" if published_at > now else "Published"
    return status.value.title()
