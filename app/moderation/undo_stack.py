"""The instructor's undo steps, kept in the session cookie.

Each step is a label and, per earlier status, the ids it changed: ``{"label": "1 comment
approved.", "before": {"pending": [12]}}``. Grouping ids by status keeps a step small, and the
caps keep the whole stack well inside the 4 KB cookie (with the flashes and the login beside it):
the oldest steps are dropped first.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from typing import Any

from ..models import CommentStatus

UNDO_KEY = "moderation_undo"
MAX_STEPS = 30
MAX_COMMENTS = 150

Step = dict[str, Any]


def steps(session: MutableMapping[str, Any]) -> list[Step]:
    """The stored steps, oldest first; anything unreadable (an older format) counts as none."""
    stored = session.get(UNDO_KEY)
    if not isinstance(stored, list):
        return []
    return [s for s in stored if isinstance(s, dict) and "label" in s and "before" in s]


def push(
    session: MutableMapping[str, Any], label: str, changed: Iterable[tuple[int, CommentStatus]]
) -> None:
    """Remember one action's changes as the newest step (one too large to keep is not kept)."""
    before: dict[str, list[int]] = {}
    for comment_id, status in changed:
        before.setdefault(status.value, []).append(comment_id)
    step = {"label": label, "before": before}
    if size(step) > MAX_COMMENTS:
        return
    stack = [*steps(session), step]
    while len(stack) > MAX_STEPS or sum(size(kept) for kept in stack) > MAX_COMMENTS:
        stack.pop(0)
    session[UNDO_KEY] = stack


def pop(session: MutableMapping[str, Any]) -> list[tuple[int, CommentStatus]] | None:
    """Take the newest step off the stack: its (comment id, earlier status) pairs, or None."""
    stack = steps(session)
    if not stack:
        session.pop(UNDO_KEY, None)
        return None
    step = stack.pop()
    session[UNDO_KEY] = stack
    pairs = []
    for value, ids in step["before"].items():
        try:
            status = CommentStatus(value)
        except ValueError:
            continue
        pairs.extend((int(comment_id), status) for comment_id in ids)
    return pairs


def newest_label(session: MutableMapping[str, Any]) -> str | None:
    stack = steps(session)
    return stack[-1]["label"] if stack else None


def size(step: Step) -> int:
    return sum(len(ids) for ids in step["before"].values())
