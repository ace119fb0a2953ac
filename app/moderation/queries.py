"""What the moderation screens read."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import or_

from ..extensions import db
from ..models import Comment, CommentReport, CommentStatus, Post, ReportReason

PER_PAGE = 20


def status_counts() -> dict[str, int]:
    """How many comments each filter link holds, "all" counting every status but spam and trash.

    (As on WordPress: "All" means what is live or waiting, not what was thrown away.)
    """
    rows = db.session.execute(
        db.select(Comment.status, db.func.count(Comment.id)).group_by(Comment.status)
    ).all()
    counts = {status.value: 0 for status in CommentStatus}
    counts.update({status.value: count for status, count in rows})
    counts["all"] = counts["pending"] + counts["approved"]
    counts["reported"] = (
        db.session.scalar(
            db.select(db.func.count(db.distinct(CommentReport.comment_id))).where(
                CommentReport.resolved_at.is_(None)
            )
        )
        or 0
    )
    return counts


# Comments with reports the instructor has not answered yet: the Reported view.
OPEN_REPORTS = db.select(CommentReport.comment_id).where(CommentReport.resolved_at.is_(None))


@dataclass(frozen=True)
class ReportSummary:
    """A comment's open reports for its row: how many, and the reasons in words (who sent them
    is never shown: it is not even stored)."""

    count: int
    reasons: list[str]


def open_reports(comments: list[Comment]) -> dict[int, ReportSummary]:
    """Each listed comment's unanswered reports, in one query."""
    ids = [c.id for c in comments]
    if not ids:
        return {}
    rows = db.session.execute(
        db.select(CommentReport.comment_id, CommentReport.reason, CommentReport.note)
        .where(CommentReport.comment_id.in_(ids), CommentReport.resolved_at.is_(None))
        .order_by(CommentReport.created_at, CommentReport.id)
    ).all()
    by_comment: dict[int, list[tuple[ReportReason, str]]] = {}
    for comment_id, reason, note in rows:
        by_comment.setdefault(comment_id, []).append((reason, note))
    return {
        comment_id: ReportSummary(len(reports), reason_lines(reports))
        for comment_id, reports in by_comment.items()
    }


def reason_lines(reports: list[tuple[ReportReason, str]]) -> list[str]:
    """ "Unkind (2)", "Off-topic", then each "Other" with its words."""
    counted = Counter(reason for reason, note in reports if not note)
    lines = [
        reason.label if count == 1 else f"{reason.label} ({count})"
        for reason, count in counted.items()
    ]
    lines += [f"{reason.label}: “{note}”" for reason, note in reports if note]
    return lines


def pending_count() -> int:
    return (
        db.session.scalar(
            db.select(db.func.count(Comment.id)).filter_by(status=CommentStatus.PENDING)
        )
        or 0
    )


def author_histories(comments: list[Comment]) -> dict[int, str]:
    """For each comment, its author's other comments in one line ("2 approved, 0 spam"), matched by
    email address; one query for the whole page."""
    emails = {c.author_email.casefold() for c in comments if c.author_email}
    if not emails:
        return {}
    email = db.func.lower(Comment.author_email)
    rows = db.session.execute(
        db.select(email, Comment.status, db.func.count(Comment.id))
        .where(email.in_(emails), Comment.status.in_([CommentStatus.APPROVED, CommentStatus.SPAM]))
        .group_by(email, Comment.status)
    ).all()
    totals = {(address, status): count for address, status, count in rows}
    lines = {}
    for comment in comments:
        if not comment.author_email:
            continue
        address = comment.author_email.casefold()
        counts = {
            status: totals.get((address, status), 0) - (comment.status is status)
            for status in (CommentStatus.APPROVED, CommentStatus.SPAM)
        }
        lines[comment.id] = (
            f"{counts[CommentStatus.APPROVED]} approved, {counts[CommentStatus.SPAM]} spam"
        )
    return lines


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def queue_page(
    status: CommentStatus | None, search: str, page: int, *, reported: bool = False
) -> Pagination:
    """One page of the queue, newest first, with each comment's post, parent, history and
    revisions loaded. ``reported``: the comments with reports the instructor has not answered,
    in any status."""
    query = (
        db.select(Comment)
        .options(
            db.joinedload(Comment.post),
            db.joinedload(Comment.parent),
            db.selectinload(Comment.history),
            db.selectinload(Comment.revisions),
        )
        .order_by(Comment.created_at.desc(), Comment.id.desc())
    )
    if reported:
        query = query.where(Comment.id.in_(OPEN_REPORTS))
    elif status is None:
        query = query.where(Comment.status.in_([CommentStatus.PENDING, CommentStatus.APPROVED]))
    else:
        query = query.where(Comment.status == status)
    if search:
        pattern = like_pattern(search)
        query = query.where(
            or_(
                *(
                    column.ilike(pattern, escape="\\")
                    for column in (
                        Comment.body,
                        Comment.author_name,
                        Comment.author_email,
                        Comment.author_url,
                        Comment.author_ip,
                    )
                )
            )
        )
    return db.paginate(query, page=page, per_page=PER_PAGE, error_out=False, count=True)


def posts_newest_first() -> list[Post]:
    """Every post, for the settings page's open/closed table."""
    return list(db.session.scalars(db.select(Post).order_by(Post.published_at.desc())))
