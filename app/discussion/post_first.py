"""Post first: on a post that asks for it, a reader sees classmates' comments only after posting
one of their own (as Canvas's "users must post before seeing replies" and Moodle's Q&A forums).

Who has posted is known from the browser's signed session (``web.reader_memory``: the ids of
the comments it wrote), never from a name or email anyone can type. A comment counts while it is
held, approved or in any other state the instructor keeps it in; in Spam or the Trash, or
deleted, it no longer does, so trashing a reader's only comment hides the thread again.
"""

from __future__ import annotations

from collections.abc import Collection

from ..extensions import db
from ..models import Comment, CommentStatus

# A comment in one of these is not a reply that earns the thread: the rules or the instructor
# judged it junk or took it down.
NOT_COUNTED = (CommentStatus.SPAM, CommentStatus.TRASH)


def thread_is_shown(*, post_first: bool, can_moderate: bool, has_posted: bool) -> bool:
    """Whether this reader sees the comments: always on an ordinary post and for the
    instructor; on a post-first post, once they have posted a comment that counts."""
    return not post_first or can_moderate or has_posted


def has_posted(post_id: int, own_ids: Collection[int]) -> bool:
    """Whether one of this browser's comments (``own_ids``) on the post still counts (no query
    when the browser has written none)."""
    if not own_ids:
        return False
    return (
        db.session.scalar(
            db.select(Comment.id)
            .where(
                Comment.post_id == post_id,
                Comment.id.in_(own_ids),
                Comment.status.not_in(NOT_COUNTED),
            )
            .limit(1)
        )
        is not None
    )


def hidden_message(count: int) -> str:
    """What a reader who has not posted sees in place of the comments."""
    if count == 0:
        return (
            "Classmates' comments appear here once you have posted your own reply. "
            "This is so everyone answers on their own first."
        )
    subject = "1 comment is" if count == 1 else f"{count} comments are"
    return (
        f"{subject} hidden until you post your own reply. "
        "This is so everyone answers on their own first."
    )
