"""Discussion rules: which status a new comment gets, and whether a post takes comments.

Plain functions over plain values, in the spirit of WordPress's discussion settings: nothing here
reads the request, the database or the clock, so every rule is tested on its own.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..models import CommentStatus
from ..text import count_links


@dataclass(frozen=True)
class Rules:
    """The instructor's discussion settings, as the rules need them."""

    manual_approval: bool = False
    require_prior_approval: bool = True
    # A comment with this many links or more is held (0 switches the check off).
    max_links: int = 2
    moderation_words: tuple[str, ...] = ()
    disallowed_words: tuple[str, ...] = ()
    # Posts older than this many days take no new comments (None: never close).
    close_after_days: int | None = None


@dataclass(frozen=True)
class CommentDraft:
    """What a reader submitted, after the form has cleaned it."""

    body: str
    author_name: str
    author_email: str
    author_url: str = ""
    author_ip: str = ""
    user_agent: str = ""

    def searchable_fields(self) -> tuple[str, ...]:
        return (
            self.body,
            self.author_name,
            self.author_email,
            self.author_url,
            self.author_ip,
            self.user_agent,
        )


@dataclass(frozen=True)
class Verdict:
    status: CommentStatus
    reason: str

    @property
    def held(self) -> bool:
        return self.status is CommentStatus.PENDING


def parse_word_list(text: str) -> tuple[str, ...]:
    """One word or phrase per line, blank lines ignored, case kept for display."""
    return tuple(line.strip() for line in text.splitlines() if line.strip())


def first_match(words: Iterable[str], fields: Iterable[str]) -> str | None:
    """The first word found inside any field, ignoring case (``"pill"`` matches ``"Pills"``)."""
    haystacks = [field.casefold() for field in fields if field]
    for word in words:
        needle = word.casefold()
        if needle and any(needle in haystack for haystack in haystacks):
            return word
    return None


def decide_status(
    draft: CommentDraft,
    rules: Rules,
    *,
    author_has_approved_comment: bool,
    honeypot_filled: bool = False,
    written_by_instructor: bool = False,
) -> Verdict:
    """The status a new comment gets, and why (the reason is shown to the instructor in the queue
    row, so it is worded for them: "First comment from this author", "3 links").

    The instructor's own comments are published; for readers, spam signals win over everything,
    then any reason to hold; otherwise the comment is approved.
    """
    if written_by_instructor:
        return Verdict(CommentStatus.APPROVED, "written by the instructor")
    if honeypot_filled:
        return Verdict(CommentStatus.SPAM, "a field hidden from people was filled in")
    word = first_match(rules.disallowed_words, draft.searchable_fields())
    if word is not None:
        return Verdict(CommentStatus.SPAM, f"Contains the disallowed word “{word}”")
    if rules.manual_approval:
        return Verdict(CommentStatus.PENDING, "Manual approval is on")
    links = count_links(draft.body)
    if rules.max_links and links >= rules.max_links:
        return Verdict(CommentStatus.PENDING, f"{links} links")
    word = first_match(rules.moderation_words, draft.searchable_fields())
    if word is not None:
        return Verdict(CommentStatus.PENDING, f"Contains “{word}”")
    if rules.require_prior_approval and not author_has_approved_comment:
        return Verdict(CommentStatus.PENDING, "First comment from this author")
    return Verdict(CommentStatus.APPROVED, "passed every rule")


FIRST_COMMENT_REVIEWED = (
    "Your first comment is reviewed by the instructor before it appears; after that, your "
    "comments appear at once."
)
EVERY_COMMENT_REVIEWED = "Comments are reviewed by the instructor before they appear."


def review_notice(manual_approval: bool, require_prior_approval: bool) -> str | None:
    """What a reader is told before posting about the instructor reading their comment first
    (None: comments appear at once unless something in them holds them)."""
    if manual_approval:
        return EVERY_COMMENT_REVIEWED
    if require_prior_approval:
        return FIRST_COMMENT_REVIEWED
    return None


def comments_are_open(
    comments_open: bool, published_at: datetime, close_after_days: int | None, now: datetime
) -> bool:
    """Whether a post takes new comments: open by its own switch and not too old."""
    if not comments_open:
        return False
    if close_after_days is None:
        return True
    return now - published_at <= timedelta(days=close_after_days)


def seconds_to_wait(
    last_comment_times: Iterable[datetime | None], now: datetime, flood_seconds: int
) -> int:
    """How many whole seconds the reader must still wait before their next comment (0: none).

    ``last_comment_times`` are this reader's previous comments as each sign of them saw it (by
    email, by this browser's session); the latest counts. Rounded up, so a reader told "wait 12
    seconds" who waits 12 seconds gets through.
    """
    times = [time for time in last_comment_times if time is not None]
    if flood_seconds <= 0 or not times:
        return 0
    remaining = timedelta(seconds=flood_seconds) - (now - max(times))
    if remaining <= timedelta(0):
        return 0
    return max(1, math.ceil(remaining.total_seconds()))


def is_flood(last_comment_at: datetime | None, now: datetime, flood_seconds: int) -> bool:
    """Whether a new comment comes too soon after the same reader's previous one."""
    return seconds_to_wait([last_comment_at], now, flood_seconds) > 0
