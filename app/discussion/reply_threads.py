"""Arrange a flat list of comments into reply threads, WordPress style."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..models import Comment

MAX_THREAD_DEPTH = 5


@dataclass
class ThreadNode:
    comment: Comment
    depth: int
    children: list[ThreadNode] = field(default_factory=list)


def build_threads(
    comments: Sequence[Comment], max_depth: int = MAX_THREAD_DEPTH
) -> list[ThreadNode]:
    """Nest ``comments`` (oldest first) under their parents, at most ``max_depth`` levels deep.

    A comment whose parent is not in the list (not shown to this reader) starts its own thread.
    Replies below the deepest level are shown at that level, after the comment they answer, in
    the order they were written; the stored parent is kept.
    """
    shown = {comment.id for comment in comments}
    replies: dict[int | None, list[Comment]] = defaultdict(list)
    for comment in comments:
        parent_id = comment.parent_id if comment.parent_id in shown else None
        replies[parent_id].append(comment)

    def descendants(comment: Comment) -> list[Comment]:
        found, stack = [], [comment]
        while stack:
            current = stack.pop()
            found.append(current)
            stack.extend(replies[current.id])
        return sorted(found, key=lambda c: (c.created_at, c.id))

    def grow(comment: Comment, depth: int) -> ThreadNode:
        node = ThreadNode(comment, depth)
        for reply in replies[comment.id]:
            if depth + 1 < max_depth:
                node.children.append(grow(reply, depth + 1))
            else:
                node.children.extend(ThreadNode(c, depth + 1) for c in descendants(reply))
        return node

    return [grow(comment, 1) for comment in replies[None]]
