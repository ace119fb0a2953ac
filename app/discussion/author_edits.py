"""An author changing their own comment: an edit within the edit window, or a revision after
the instructor returned it.

``edit_by_author`` is the one use case (values in, a result out, one commit); the view only says
who the author is (their private link, or the browser that posted the comment). The discussion
rules run again on the new text, so an edit cannot slip past them: text they would hold goes
back to the instructor, text they would call spam is refused and the author keeps it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..extensions import db
from ..models import AUTHOR, Comment, CommentRevision, CommentStatus, RevisionKind
from .moderation import change_status
from .notifications import NotificationSettings, queue_held_comment_notice
from .rules import CommentDraft, Rules, decide_status

EDITABLE = frozenset({CommentStatus.PENDING, CommentStatus.APPROVED})
REVISED_REASON = "revised after return"
HELD_AFTER_EDIT = "held after an edit"


class EditRefused(Exception):
    """Nothing was changed; ``message`` tells the author why, in plain words, and
    ``status_code`` is the HTTP status to answer with (their text is shown back)."""

    def __init__(self, message: str, status_code: int = 409) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


@dataclass(frozen=True)
class EditResult:
    comment: Comment
    kind: RevisionKind
    # The edit took a published comment back to the instructor (the rules hold the new text).
    held: bool
    message: str


def edit_deadline(comment: Comment, edit_minutes: int) -> datetime | None:
    """Until when the author may edit ``comment`` (None: editing is switched off)."""
    if edit_minutes <= 0:
        return None
    return comment.created_at + timedelta(minutes=edit_minutes)


def may_edit(comment: Comment, edit_minutes: int, now: datetime) -> bool:
    """Whether the author may still edit ``comment`` at ``now``: pending or published, and
    within the window (its last instant included)."""
    deadline = edit_deadline(comment, edit_minutes)
    return comment.status in EDITABLE and deadline is not None and now <= deadline


def may_revise(comment: Comment) -> bool:
    """Whether the author may revise ``comment``: returned to them, not limited in time."""
    return comment.status is CommentStatus.RETURNED


def time_left(deadline: datetime, now: datetime) -> str:
    """``about 12 minutes left``, rounded up, so the last seconds still say a minute."""
    minutes = max(1, math.ceil((deadline - now).total_seconds() / 60))
    return f"about {minutes} minute{'' if minutes == 1 else 's'} left"


STALE = {
    CommentStatus.APPROVED: (
        "The instructor has published your comment meanwhile, so it was not changed. "
        "Your new text is below, to keep."
    ),
    CommentStatus.PENDING: (
        "Your comment has gone back to the instructor meanwhile, so it was not changed. "
        "Your new text is below: you can send it again."
    ),
    CommentStatus.RETURNED: (
        "The instructor has returned your comment for revision meanwhile: read their note, "
        "then send your text again. Nothing was changed."
    ),
}
REMOVED = (
    "The instructor has removed this comment from the discussion, so it can no longer be "
    "changed. Your new text is below, to keep."
)
WINDOW_OFF = "Comments cannot be edited after posting on this blog. Nothing was changed."
WINDOW_OVER = (
    "The time for editing this comment is over (comments can be edited for {minutes} after "
    "posting), so it was not changed. Your new text is below, to keep."
)
UNCHANGED = "The text is the same as before: change it, then save."


def edit_by_author(
    comment: Comment,
    body: str,
    *,
    seen_status: CommentStatus | None,
    rules: Rules,
    edit_minutes: int,
    now: datetime,
    notify: NotificationSettings | None = None,
    notify_email: str = "",
    digest_minutes: int = 0,
) -> EditResult:
    """Replace ``comment``'s text with the author's ``body``; commits once and keeps the change
    among the comment's revisions.

    A returned comment is revised (at any time) and goes back to Pending. A pending or
    published one is edited within ``edit_minutes`` of posting: a published one goes back to
    Pending if the rules would hold the new text now, a pending one stays pending. Raises
    ``EditRefused`` (nothing changed) when the status is no longer ``seen_status`` (the one the
    author's page showed), the comment is in Spam or Trash, the window is over or off, the
    text is unchanged, or the rules would call the new text spam. With ``notify``, a comment
    that goes back to Pending is announced to the instructor (at ``notify_email``) as a held
    comment is, in the same transaction's outbox.
    """
    if seen_status is not None and comment.status is not seen_status:
        raise EditRefused(STALE.get(comment.status, REMOVED))
    if comment.status not in EDITABLE and not may_revise(comment):
        raise EditRefused(REMOVED)
    if not may_revise(comment):
        check_window(comment, edit_minutes, now)
    if body == comment.body:
        raise EditRefused(UNCHANGED, 400)
    verdict = decide_status(
        # The text only, under the content rules: the author and this comment were judged
        # when it was posted, and a first-comment or manual-approval rule would otherwise hold
        # every edit of a published comment.
        CommentDraft(body=body, author_name="", author_email=""),
        Rules(
            max_links=rules.max_links,
            moderation_words=rules.moderation_words,
            disallowed_words=rules.disallowed_words,
            require_prior_approval=False,
        ),
        author_has_approved_comment=True,
    )
    if verdict.status is CommentStatus.SPAM:
        reason = verdict.reason[:1].lower() + verdict.reason[1:]
        raise EditRefused(
            f"Your change was not saved: the text {reason}. Change it and save again; your "
            "text is below.",
            400,
        )
    kind = RevisionKind.REVISION if may_revise(comment) else RevisionKind.EDIT
    comment.revisions.append(
        CommentRevision(
            actor=AUTHOR, kind=kind, body_before=comment.body, body_after=body, changed_at=now
        )
    )
    comment.body = body
    held = False
    if kind is RevisionKind.REVISION:
        change_status(
            comment,
            CommentStatus.PENDING,
            actor=AUTHOR,
            instructor=None,
            now=now,
            reason=REVISED_REASON,
        )
        message = (
            "Thank you: your revision is sent. It is waiting for the instructor again; until "
            "they approve it only you can see it."
        )
    elif comment.status is CommentStatus.APPROVED and verdict.held:
        change_status(
            comment,
            CommentStatus.PENDING,
            actor=AUTHOR,
            instructor=None,
            now=now,
            reason=f"{HELD_AFTER_EDIT}: {verdict.reason}",
        )
        held = True
        message = (
            f"Your edit is saved, but the discussion rules hold the new text for the instructor "
            f"to read first ({held_words(verdict.reason)}). Until they approve it, only you can "
            "see your comment."
        )
    elif comment.status is CommentStatus.PENDING:
        message = "Your edit is saved. Your comment is still waiting for the instructor."
    else:
        message = "Your edit is saved and published."
    if notify is not None and (held or kind is RevisionKind.REVISION):
        queue_held_comment_notice(comment, notify, notify_email, now, digest_minutes)
    db.session.commit()
    return EditResult(comment, kind, held, message)


def check_window(comment: Comment, edit_minutes: int, now: datetime) -> None:
    """Refuse an edit outside the edit window (or with editing switched off)."""
    if edit_minutes <= 0:
        raise EditRefused(WINDOW_OFF)
    if not may_edit(comment, edit_minutes, now):
        minutes = f"{edit_minutes} minute{'' if edit_minutes == 1 else 's'}"
        raise EditRefused(WINDOW_OVER.format(minutes=minutes))


def held_words(reason: str) -> str:
    """A rule's reason, worded for the instructor ("3 links", "Contains “essay”"), as the
    author reads it."""
    if reason.endswith("links"):
        return f"it has {reason}"
    if reason.startswith("Contains"):
        return "it contains a word the instructor reads first"
    return reason[:1].lower() + reason[1:]
