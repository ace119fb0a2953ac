"""Moderation: which status changes are allowed, and the use cases that make them.

``plan_transition`` is the rule (a status and an action in, the new status out). The functions
below it apply actions to stored comments, record each change in the comment's history and
commit once.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from ..extensions import db
from ..models import (
    Comment,
    CommentReport,
    CommentRevision,
    CommentStatus,
    Instructor,
    RevisionKind,
    StatusChange,
    utcnow,
)
from ..text import plural
from .author_notices import comment_now_visible
from .mail_text import NotificationSettings

PENDING, APPROVED, SPAM, TRASH, RETURNED = (
    CommentStatus.PENDING,
    CommentStatus.APPROVED,
    CommentStatus.SPAM,
    CommentStatus.TRASH,
    CommentStatus.RETURNED,
)


class Action(enum.StrEnum):
    APPROVE = "approve"
    UNAPPROVE = "unapprove"
    SPAM = "spam"
    NOT_SPAM = "not-spam"
    TRASH = "trash"
    RESTORE = "restore"
    DELETE = "delete"

    @property
    def label(self) -> str:
        return ACTION_LABELS[self]

    @property
    def past_tense(self) -> str:
        return PAST_TENSE[self]


ACTION_LABELS = {
    Action.APPROVE: "Approve",
    Action.UNAPPROVE: "Unapprove",
    Action.SPAM: "Spam",
    Action.NOT_SPAM: "Not Spam",
    Action.TRASH: "Trash",
    Action.RESTORE: "Restore",
    Action.DELETE: "Delete Permanently",
}
PAST_TENSE = {
    Action.APPROVE: "approved",
    Action.UNAPPROVE: "unapproved",
    Action.SPAM: "marked as spam",
    Action.NOT_SPAM: "restored from spam",
    Action.TRASH: "moved to the Trash",
    Action.RESTORE: "restored from the Trash",
    Action.DELETE: "deleted permanently",
}

# Which statuses each action applies to. Not Spam and Restore return a comment to the status it
# had before; Delete Permanently only empties what is already in Spam or Trash. A comment
# returned for revision may still be approved as it is, or thrown away, while its author
# revises it. (Returning itself needs a note: see ``discussion.returns``.)
ALLOWED_FROM: dict[Action, frozenset[CommentStatus]] = {
    Action.APPROVE: frozenset({PENDING, RETURNED}),
    Action.UNAPPROVE: frozenset({APPROVED}),
    Action.SPAM: frozenset({PENDING, APPROVED, TRASH, RETURNED}),
    Action.NOT_SPAM: frozenset({SPAM}),
    Action.TRASH: frozenset({PENDING, APPROVED, SPAM, RETURNED}),
    Action.RESTORE: frozenset({TRASH}),
    Action.DELETE: frozenset({SPAM, TRASH}),
}
IN_STATUS = {
    PENDING: "pending",
    APPROVED: "approved",
    SPAM: "in Spam",
    TRASH: "in the Trash",
    RETURNED: "returned for revision",
}
FIXED_TARGET = {
    Action.APPROVE: APPROVED,
    Action.UNAPPROVE: PENDING,
    Action.SPAM: SPAM,
    Action.TRASH: TRASH,
}


def actions_for(status: CommentStatus) -> list[Action]:
    """The actions offered on a comment in ``status``, in the order the buttons appear."""
    return [action for action in Action if status in ALLOWED_FROM[action]]


def primary_action(status: CommentStatus) -> Action | None:
    """The action the instructor most often takes on a comment in ``status`` (shown as primary)."""
    return {PENDING: Action.APPROVE, SPAM: Action.NOT_SPAM, TRASH: Action.RESTORE}.get(status)


def plan_transition(
    status: CommentStatus, action: Action, status_before: CommentStatus | None
) -> CommentStatus | None:
    """The status ``action`` moves a comment to, or None when it does not apply.

    ``status_before`` is the status the comment had before it entered Spam or Trash (from its
    history); Not Spam and Restore return it there, or to Pending when it is unknown.
    """
    if status not in ALLOWED_FROM[action] or action is Action.DELETE:
        return None
    if action in FIXED_TARGET:
        return FIXED_TARGET[action]
    if status_before in (None, SPAM, TRASH):
        return PENDING
    return status_before


@dataclass
class Outcome:
    """What an action did: the (comment id, status before) pairs it changed, and the rest.

    ``missing`` counts ids that no longer exist; ``inapplicable`` names the comments whose status
    the action does not apply to (often changed meanwhile in another tab), so a stale page is
    told what happened in words rather than seeing nothing change.
    """

    action: Action
    changed: list[tuple[int, CommentStatus]] = field(default_factory=list)
    deleted: int = 0
    missing: int = 0
    inapplicable: list[tuple[str, CommentStatus]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.changed) + self.deleted

    @property
    def skipped(self) -> int:
        return self.missing + len(self.inapplicable)

    def message(self) -> str:
        if not self.count and self.missing == 1 and not self.inapplicable:
            return "That comment no longer exists: it was deleted meanwhile."
        if not self.count and len(self.inapplicable) == 1 and not self.missing:
            name, status = self.inapplicable[0]
            return (
                f"Nothing changed: the comment by {name} is {IN_STATUS[status]} now "
                f"(changed meanwhile?), so {self.action.label} does not apply."
            )
        text = f"{plural(self.count, 'comment')} {self.action.past_tense}."
        if self.skipped:
            text += f" {self.skipped} skipped: the action does not apply to their status."
        return text


def status_before_entering(comment: Comment) -> CommentStatus | None:
    """The status the comment had just before it reached its current one."""
    for change in reversed(comment.history):
        if change.to_status is comment.status:
            return change.from_status
    return None


def held_reason(comment: Comment) -> str | None:
    """Why the rules last held a comment (or sent it to Spam), from the history they recorded
    (readers' reports hold through the rules too); None when the rules approved it or left no
    record. Older records keep their older wording."""
    for change in reversed(comment.history):
        if change.actor == "rules" and change.to_status is not APPROVED:
            return change.reason or None
    return None


def change_status(
    comment: Comment,
    to_status: CommentStatus,
    *,
    actor: str,
    instructor: Instructor | None,
    now: datetime,
    reason: str = "",
) -> None:
    """Move ``comment`` to ``to_status`` and record it (no commit; the caller commits once)."""
    comment.history.append(
        StatusChange(
            instructor_id=instructor.id if instructor else None,
            actor=actor,
            from_status=comment.status,
            to_status=to_status,
            reason=reason,
            changed_at=now,
        )
    )
    comment.status = to_status


def load_comments(comment_ids: Iterable[int]) -> list[Comment]:
    ids = sorted(set(comment_ids))
    if not ids:
        return []
    return list(
        db.session.scalars(
            db.select(Comment)
            .where(Comment.id.in_(ids))
            .options(
                db.selectinload(Comment.history),
                # What the emails to authors read when comments become visible.
                db.selectinload(Comment.post),
                db.selectinload(Comment.parent),
            )
            .order_by(Comment.id)
        )
    )


def apply_action(
    comment_ids: Sequence[int],
    action: Action,
    *,
    actor: str,
    instructor: Instructor | None,
    now: datetime,
    notify: NotificationSettings | None,
) -> Outcome:
    """Apply ``action`` to each listed comment where it is allowed; commits once.

    A comment already in the target status, or in a status the action does not apply to, is
    skipped and left untouched. Unknown ids are ignored (counted as skipped). A comment that
    becomes visible has its author (and the author it answers) emailed as they asked, in the
    same transaction; ``notify`` None (a command, a test) sends nothing.
    """
    outcome = Outcome(action)
    comments = load_comments(comment_ids)
    outcome.missing = len(set(comment_ids)) - len(comments)
    for comment in comments:
        if action is Action.DELETE and comment.status in ALLOWED_FROM[Action.DELETE]:
            delete_permanently(comment)
            outcome.deleted += 1
            continue
        target = plan_transition(comment.status, action, status_before_entering(comment))
        if target is None or target is comment.status:
            outcome.inapplicable.append((comment.author_name, comment.status))
            continue
        outcome.changed.append((comment.id, comment.status))
        change_status(comment, target, actor=actor, instructor=instructor, now=now)
        if target is APPROVED:
            comment_now_visible(comment, notify, now)
    # The instructor has decided on these comments: readers' reports so far are answered.
    resolve_reports([comment_id for comment_id, _ in outcome.changed], now)
    db.session.commit()
    return outcome


def resolve_reports(comment_ids: list[int], now: datetime) -> None:
    """Mark the open reports of ``comment_ids`` resolved: they leave the Reported view and no
    longer count towards holding the comment (no commit: part of the instructor's decision)."""
    if not comment_ids:
        return
    db.session.execute(
        db.update(CommentReport)
        .where(CommentReport.comment_id.in_(comment_ids), CommentReport.resolved_at.is_(None))
        .values(resolved_at=now)
    )


def delete_permanently(comment: Comment) -> None:
    """Remove a comment; its replies move up to its parent so no thread is cut off."""
    db.session.execute(
        db.update(Comment)
        .where(Comment.parent_id == comment.id)
        .values(parent_id=comment.parent_id)
        .execution_options(changes_pages={comment.post_id})
    )
    db.session.delete(comment)


def empty_status(status: CommentStatus) -> int:
    """Delete every comment in Spam or Trash; returns how many. Commits once."""
    if status not in (SPAM, TRASH):
        raise ValueError("only Spam and Trash can be emptied")
    comments = db.session.scalars(db.select(Comment).filter_by(status=status)).all()
    for comment in comments:
        delete_permanently(comment)
    db.session.commit()
    return len(comments)


def undo(
    previous: Sequence[tuple[int, CommentStatus]],
    *,
    actor: str,
    instructor: Instructor | None,
    now: datetime,
    notify: NotificationSettings | None,
) -> int:
    """Put each comment back into the status it had before the last action; commits once.
    A comment back in Approved is announced as ``apply_action`` does (once only, ever)."""
    before = dict(previous)
    restored = 0
    for comment in load_comments(before):
        if comment.status is not before[comment.id]:
            change_status(
                comment,
                before[comment.id],
                actor=actor,
                instructor=instructor,
                now=now,
                reason="undo",
            )
            if comment.status is APPROVED:
                comment_now_visible(comment, notify, now)
            restored += 1
    db.session.commit()
    return restored


def edit_comment(
    comment: Comment,
    *,
    body: str,
    author_name: str,
    author_email: str,
    author_url: str,
    instructor: Instructor | None = None,
    now: datetime | None = None,
) -> None:
    """Save the instructor's corrections to a comment's text and author details; a change to
    the text is kept among the comment's revisions, by ``instructor``."""
    if body != comment.body:
        comment.revisions.append(
            CommentRevision(
                instructor_id=instructor.id if instructor else None,
                actor=instructor.username if instructor else "instructor",
                kind=RevisionKind.EDIT,
                body_before=comment.body,
                body_after=body,
                changed_at=now or utcnow(),
            )
        )
    comment.body = body
    comment.author_name = author_name
    comment.author_email = author_email
    comment.author_url = author_url
    db.session.commit()


def reply_as_instructor(
    parent: Comment,
    body: str,
    instructor: Instructor,
    now: datetime,
    notify: NotificationSettings | None,
) -> Comment:
    """Publish the instructor's reply at once, approving the comment it answers; commits once.
    The author of the comment, if they asked, hears that it is published and answered."""
    approving = parent.status is PENDING
    if approving:
        change_status(
            parent,
            APPROVED,
            actor=instructor.username,
            instructor=instructor,
            now=now,
            reason="replied to",
        )
    elif parent.status is not APPROVED:
        raise ValueError("only pending or approved comments can be answered")
    reply = Comment(
        post_id=parent.post_id,
        parent=parent,
        body=body,
        author_name=instructor.public_name,
        author_email="",
        author_url="",
        instructor_id=instructor.id,
        status=APPROVED,
        created_at=now,
    )
    reply.history.append(
        StatusChange(
            instructor_id=instructor.id,
            actor=instructor.username,
            from_status=None,
            to_status=APPROVED,
            reason="instructor's reply",
            changed_at=now,
        )
    )
    db.session.add(reply)
    db.session.flush()  # the emails' links carry the reply's id
    if approving:
        comment_now_visible(parent, notify, now)
    comment_now_visible(reply, notify, now)
    db.session.commit()
    return reply
