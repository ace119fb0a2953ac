"""Assignment windows: when a post takes comments, and which comments came in late.

A post may have an opening time, a due time and a closing time, each optional, with
closes ≥ due ≥ opens. Before it opens the form takes nothing; from the due time to the closing
time comments are still taken but are late; after it closes the form is closed. A comment's time
is when it was submitted (``Comment.created_at``), never when it was approved.

The rules are plain functions of values and the current time: a window opening or closing
changes no row, so whoever caches a page must key it by the state these functions return.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from ..extensions import db
from ..models import Comment, Post
from .rules import comments_are_open


class WindowState(enum.StrEnum):
    """What the comment form shows; each value renders differently (it is part of cache keys)."""

    OPEN = "open"
    NOT_YET_OPEN = "not-yet-open"
    WINDOW_CLOSED = "window-closed"  # past the window's closing time
    CLOSED = "closed"  # closed by the post's switch or by the site's age limit

    @property
    def accepts_comments(self) -> bool:
        return self is WindowState.OPEN


@dataclass(frozen=True)
class AssignmentWindow:
    """A post's window; every end is an aware datetime or None."""

    opens_at: datetime | None = None
    due_at: datetime | None = None
    closes_at: datetime | None = None

    @classmethod
    def of(cls, post: Post) -> AssignmentWindow:
        return cls(post.opens_at, post.due_at, post.closes_at)

    @property
    def is_set(self) -> bool:
        return any((self.opens_at, self.due_at, self.closes_at))


# Which end each refusal is about, so a form can show it beside the right field.
DUE_BEFORE_OPENS = "The due time is before the opening time; it must be at or after it."
CLOSES_BEFORE_DUE = "The closing time is before the due time; it must be at or after it."
CLOSES_BEFORE_OPENS = "The closing time is before the opening time; it must be at or after it."


def window_problems(window: AssignmentWindow) -> dict[str, str]:
    """Why a window contradicts itself, by the field at fault (empty when it is consistent).

    Each end is optional; the ones given must run opens ≤ due ≤ closes.
    """
    problems: dict[str, str] = {}
    opens, due, closes = window.opens_at, window.due_at, window.closes_at
    if opens and due and due < opens:
        problems["due_at"] = DUE_BEFORE_OPENS
    if due and closes and closes < due:
        problems["closes_at"] = CLOSES_BEFORE_DUE
    elif opens and closes and closes < opens:
        problems["closes_at"] = CLOSES_BEFORE_OPENS
    return problems


def window_state(
    window: AssignmentWindow,
    *,
    comments_open: bool,
    published_at: datetime,
    close_after_days: int | None,
    now: datetime,
) -> WindowState:
    """Whether a post takes a comment submitted at ``now``, and if not, why.

    The post's own switch always counts. A post with a window follows its window, whose ends
    are inclusive (a comment at exactly the closing time is taken); the site's "close after N
    days" applies only to posts without one, or an old post given a window would never open.
    """
    if window.is_set:
        close_after_days = None
    if not comments_are_open(comments_open, published_at, close_after_days, now):
        return WindowState.CLOSED
    if window.opens_at is not None and now < window.opens_at:
        return WindowState.NOT_YET_OPEN
    if window.closes_at is not None and now > window.closes_at:
        return WindowState.WINDOW_CLOSED
    return WindowState.OPEN


def is_late(due_at: datetime | None, submitted_at: datetime) -> bool:
    """Whether a comment submitted at ``submitted_at`` missed the due time (at it is on time)."""
    return due_at is not None and submitted_at > due_at


class WindowError(ValueError):
    """A window that cannot be saved, with the reason for each field at fault."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def save_window(post: Post, window: AssignmentWindow) -> None:
    """Store ``post``'s window; refuses (``WindowError``) one whose ends contradict each other.

    Commits once. Changing the post moves its page version, so its cached page is renewed.
    """
    problems = window_problems(window)
    if problems:
        raise WindowError(problems)
    post.opens_at, post.due_at, post.closes_at = window.opens_at, window.due_at, window.closes_at
    db.session.commit()


class UnusableLocalTime(ValueError):
    """A wall-clock time that names no moment: skipped by a daylight-saving change (02:30 on a
    spring-forward night), or outside the years a window can sensibly have."""


# Wide enough for any course; narrow enough that converting between zones never overflows.
FIRST_YEAR, LAST_YEAR = 1900, 2200


def from_local(naive: datetime, zone: tzinfo) -> datetime:
    """A wall-clock time in ``zone`` as an aware UTC datetime.

    Refuses a time the clocks skip and a year outside 1900–2200; of a time that happens twice
    (autumn), takes the first.
    """
    if not FIRST_YEAR <= naive.year <= LAST_YEAR:
        raise UnusableLocalTime(f"Choose a date between {FIRST_YEAR} and {LAST_YEAR}.")
    local = naive.replace(tzinfo=zone, fold=0)
    as_utc = local.astimezone(UTC)
    if as_utc.astimezone(zone).replace(tzinfo=None) != naive.replace(fold=0):
        raise UnusableLocalTime(
            f"{naive:%H:%M} on {naive:%Y-%m-%d} does not exist in {zone}: the clocks skip it."
        )
    return as_utc


def to_local(value: datetime, zone: tzinfo) -> datetime:
    """An aware datetime as a naive wall-clock time in ``zone`` (for a datetime-local field)."""
    return value.astimezone(zone).replace(tzinfo=None)


def late_comment_ids(comments: Iterable[Comment]) -> set[int]:
    """Which of these comments (each with its post loaded) came in after their post's due time.
    For the instructor's eyes only; the instructor's own comments are never late."""
    return {
        comment.id
        for comment in comments
        if comment.instructor_id is None and is_late(comment.post.due_at, comment.created_at)
    }
