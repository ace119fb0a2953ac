"""Arranging comments into threads, with the depth limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.discussion.reply_threads import build_threads
from app.models import Comment

START = datetime(2024, 1, 1, tzinfo=UTC)


def comment(comment_id: int, parent_id: int | None = None) -> Comment:
    return Comment(
        id=comment_id, parent_id=parent_id, created_at=START + timedelta(minutes=comment_id)
    )


def shape(nodes):
    return [(n.comment.id, n.depth, shape(n.children)) for n in nodes]


def test_replies_nest_under_their_parents_in_time_order():
    comments = [comment(1), comment(2), comment(3, 1), comment(4, 3), comment(5, 1)]
    assert shape(build_threads(comments)) == [
        (1, 1, [(3, 2, [(4, 3, [])]), (5, 2, [])]),
        (2, 1, []),
    ]


def test_replies_below_the_deepest_level_stay_at_that_level():
    chain = [comment(1)] + [comment(i, i - 1) for i in range(2, 9)]
    threads = build_threads(chain, max_depth=5)
    node = threads[0]
    for _ in range(3):
        node = node.children[0]
    assert node.comment.id == 4
    assert [(c.comment.id, c.depth, c.children) for c in node.children] == [
        (5, 5, []),
        (6, 5, []),
        (7, 5, []),
        (8, 5, []),
    ]


def test_a_reply_whose_parent_is_not_shown_starts_its_own_thread():
    assert shape(build_threads([comment(2, 1), comment(3)])) == [(2, 1, []), (3, 1, [])]
