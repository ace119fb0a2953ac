"""Where a comment stands, in the plain words its author reads on their private page."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ..models import Comment, CommentStatus


class StandingKind(StrEnum):
    WAITING = "waiting"
    PUBLISHED = "published"
    REMOVED = "removed"
    RETURNED = "returned"


@dataclass(frozen=True)
class Standing:
    kind: StandingKind
    headline: str
    explanation: str


def standing_of(comment: Comment) -> Standing:
    """The author's view of ``comment``'s status. Spam and Trash read the same to the author:
    "removed" tells them what they need without labelling them a spammer."""
    if comment.status is CommentStatus.APPROVED:
        return Standing(
            StandingKind.PUBLISHED,
            "Published.",
            "Your comment is in the discussion, where everyone reading the post can see it.",
        )
    if comment.status is CommentStatus.PENDING:
        return Standing(
            StandingKind.WAITING,
            "Waiting for the instructor.",
            "The instructor reviews comments before they are published. Until then only you "
            "can see it: here, and on the post's page in a browser that has opened this link.",
        )
    if comment.status is CommentStatus.RETURNED:
        return Standing(
            StandingKind.RETURNED,
            "Returned for revision.",
            "The instructor has sent your comment back to you with a note. Nobody else can see "
            "it until you revise it and send it again; then it waits for the instructor.",
        )
    return Standing(
        StandingKind.REMOVED,
        "Removed.",
        "The instructor has removed this comment from the discussion. Your text is below, "
        "so it is not lost.",
    )
