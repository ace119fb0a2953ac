"""Readers' reports of published comments: the rule that holds a much-reported comment, and the
use cases that file a report and that dismiss a comment's reports.

A report sends the comment to the instructor's Reported view. Once ``reports_to_hold`` readers
(different browsers) have reported a comment and the instructor has not decided on it since, it
is held (moved to Pending) until the instructor decides. Any decision of the instructor (Approve,
Keep, Trash, Spam...) resolves the reports made so far: only reports made after it count again.

A reply of the instructor can be reported (a reader may have a point: a typo that names a
student, a link gone bad) but is never held by reports: readers do not take the instructor's
words down; the instructor reads the reports and decides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Comment, CommentReport, CommentStatus, ReportReason
from .moderation import change_status, resolve_reports

NOT_PUBLISHED = "There is no published comment here to report: it may have been removed."
ALREADY_HELD = (
    "This comment is already waiting for the instructor's review, so there is nothing to "
    "report; thank you."
)
ALREADY_REPORTED = "You have already reported this comment. The instructor will take a look."
MAX_NOTE = 200
# Who, in the comment's history, held it: the discussion rule, as for a held new comment.
RULES = "rules"


class ReportRefused(Exception):
    """The report was not stored; ``message`` says why in the reader's words."""

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


@dataclass(frozen=True)
class ReportOutcome:
    open_reports: int
    held: bool


def should_hold(open_reports: int, hold_after: int, *, by_instructor: bool) -> bool:
    """Whether a published comment with ``open_reports`` unresolved reports is held now
    (``hold_after`` 0: never; an instructor's reply: never)."""
    return hold_after > 0 and not by_instructor and open_reports >= hold_after


def check_reportable(comment: Comment | None, now: datetime) -> Comment:
    """``comment`` if readers may report it: approved, on a post they may read."""
    if comment is None or not comment.post.is_public(now):
        raise ReportRefused(NOT_PUBLISHED, 404)
    if comment.status is CommentStatus.PENDING:
        raise ReportRefused(ALREADY_HELD, 409)
    if comment.status is not CommentStatus.APPROVED:
        raise ReportRefused(NOT_PUBLISHED, 404)
    return comment


def open_report_count(comment_id: int) -> int:
    return (
        db.session.scalar(
            db.select(db.func.count(CommentReport.id)).where(
                CommentReport.comment_id == comment_id, CommentReport.resolved_at.is_(None)
            )
        )
        or 0
    )


def report_comment(
    comment_id: int,
    *,
    reason: ReportReason,
    note: str,
    reporter_hash: str,
    hold_after: int,
    now: datetime,
) -> ReportOutcome:
    """File one browser's report of a published comment; hold the comment when enough readers
    have reported it since the instructor last decided. Commits once.

    Refuses (``ReportRefused``, nothing stored) an unknown, unpublished or held comment, and a
    second report of a comment from the same browser (``reporter_hash``).
    """
    comment = check_reportable(db.session.get(Comment, comment_id), now)
    already = db.session.scalar(
        db.select(CommentReport.id).where(
            CommentReport.comment_id == comment.id, CommentReport.reporter_hash == reporter_hash
        )
    )
    if already is not None:
        raise ReportRefused(ALREADY_REPORTED, 409)
    db.session.add(
        CommentReport(
            comment_id=comment.id,
            reason=reason,
            note=note[:MAX_NOTE] if reason is ReportReason.OTHER else "",
            reporter_hash=reporter_hash,
            created_at=now,
        )
    )
    try:
        db.session.flush()
    except IntegrityError:  # the same browser's report in two tabs at once
        db.session.rollback()
        raise ReportRefused(ALREADY_REPORTED, 409) from None
    count = open_report_count(comment.id)
    held = should_hold(count, hold_after, by_instructor=comment.instructor_id is not None)
    if held:
        change_status(
            comment,
            CommentStatus.PENDING,
            actor=RULES,
            instructor=None,
            now=now,
            reason=f"held after {count} reports",
        )
    db.session.commit()
    return ReportOutcome(count, held)


def keep_comment(comment_id: int, now: datetime) -> Comment | None:
    """The instructor keeps a reported comment as it is: its reports are resolved (they no
    longer count towards holding it). Commits once; None if the comment is gone."""
    comment = db.session.get(Comment, comment_id)
    if comment is None:
        return None
    resolve_reports([comment.id], now)
    db.session.commit()
    return comment
