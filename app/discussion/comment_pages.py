"""Comment pages: a post's discussion broken into pages of N top-level comments, each with its
replies, WordPress style (``/posts/<slug>/comment-page-2/``). Pages are numbered from the oldest;
a post opens on the newest page when the instructor chose so.

A page is read in a fixed number of queries whose cost depends on the page, not on how many
comments the post holds: the page's top-level comments by index, then their replies.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, or_

from ..extensions import db
from ..models import Comment


@dataclass(frozen=True)
class CommentPage:
    number: int
    count: int  # how many pages there are (at least 1)
    per_page: int

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.number < self.count else None


def page_count(top_level: int, per_page: int) -> int:
    return max(1, -(-top_level // per_page))


def default_page(count: int, newest_first: bool) -> int:
    """The page a post opens on."""
    return count if newest_first else 1


def count_top_level(post_id: int, shown: ColumnElement[bool]) -> int:
    return (
        db.session.scalar(
            db.select(db.func.count(Comment.id)).where(
                Comment.post_id == post_id, Comment.parent_id.is_(None), shown
            )
        )
        or 0
    )


def page_comments(
    post_id: int, shown: ColumnElement[bool], page: int, per_page: int
) -> list[Comment]:
    """The page's top-level comments (oldest first) and every reply under them that this reader
    may see, oldest first, in two queries (the second one recursive)."""
    top_ids = list(
        db.session.scalars(
            db.select(Comment.id)
            .where(Comment.post_id == post_id, Comment.parent_id.is_(None), shown)
            .order_by(Comment.created_at, Comment.id)
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
    if not top_ids:
        return []
    thread = db.select(Comment.id).where(Comment.id.in_(top_ids)).cte("thread", recursive=True)
    replies = db.select(Comment.id).join(thread, Comment.parent_id == thread.c.id).where(shown)
    thread = thread.union_all(replies)
    return list(
        db.session.scalars(
            db.select(Comment)
            .where(Comment.id.in_(db.select(thread.c.id)))
            .order_by(Comment.created_at, Comment.id)
        )
    )


def thread_root(comment_id: int) -> Comment | None:
    """The top-level comment of the thread ``comment_id`` is in (itself when top-level)."""
    chain = (
        db.select(Comment.id, Comment.parent_id)
        .where(Comment.id == comment_id)
        .cte("chain", recursive=True)
    )
    chain = chain.union_all(
        db.select(Comment.id, Comment.parent_id).join(chain, Comment.id == chain.c.parent_id)
    )
    root_id = db.session.scalar(db.select(chain.c.id).where(chain.c.parent_id.is_(None)))
    return None if root_id is None else db.session.get(Comment, root_id)


def page_holding(comment: Comment, shown: ColumnElement[bool], per_page: int) -> int:
    """The page number that shows ``comment`` (the page of its thread's top-level comment)."""
    root = thread_root(comment.id) or comment
    before = or_(
        Comment.created_at < root.created_at,
        and_(Comment.created_at == root.created_at, Comment.id < root.id),
    )
    earlier = (
        db.session.scalar(
            db.select(db.func.count(Comment.id)).where(
                Comment.post_id == root.post_id, Comment.parent_id.is_(None), shown, before
            )
        )
        or 0
    )
    return earlier // per_page + 1


def shown_condition(statuses: Sequence[Any], own_ids: Sequence[int] = ()) -> ColumnElement[bool]:
    """Comments in ``statuses``, or this reader's own among ``own_ids``."""
    condition = Comment.status.in_(list(statuses))
    if own_ids:
        condition = or_(condition, Comment.id.in_(list(own_ids)))
    return condition
