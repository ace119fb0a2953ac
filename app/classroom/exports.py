"""What leaves the report: the grading CSV, the CSV of every comment, and the printable view.

Each reads what the report read (``participation.load_facts``) and at most one query more, so an
export costs the same whatever the size of the class.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from ..extensions import db
from ..models import Comment, CommentStatus, StatusChange
from .matching import StudentRef, owner_of
from .participation import COLUMNS, COUNTED, CommentFacts, Facts, Participation, PostFacts, Scope
from .spreadsheet import csv_document


def local_time(value: datetime | None, zone: tzinfo) -> str:
    """``2026-03-03 09:15:07`` in the site's zone: a form every spreadsheet reads as a time."""
    return "" if value is None else value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")


def grading_csv(rows: Sequence[Participation], zone: tzinfo) -> bytes:
    """One row per student on the roster (the report's rows, in its order), the report's
    columns, ready for a gradebook. Guests are left out: a gradebook has no row for them."""
    header = [heading for _, heading in COLUMNS]
    header.insert(1, "Email")
    zone_name = str(zone)
    header = [f"{h} ({zone_name})" if h in ("First comment", "Last comment") else h for h in header]
    lines = []
    for row in rows:
        cells: list[object] = []
        for key, _ in COLUMNS:
            value = getattr(row, key)
            cells.append(local_time(value, zone) if key in ("first", "last") else value)
        cells.insert(1, row.email)
        lines.append(cells)
    return csv_document(header, lines)


def approval_times(scope: Scope) -> dict[int, datetime]:
    """When each comment in scope was last approved (from its history), in one query."""
    query = (
        db.select(StatusChange.comment_id, db.func.max(StatusChange.changed_at))
        .join(Comment, Comment.id == StatusChange.comment_id)
        .where(StatusChange.to_status == CommentStatus.APPROVED)
        .group_by(StatusChange.comment_id)
    )
    if scope.post_id is not None:
        query = query.where(Comment.post_id == scope.post_id)
    if scope.start is not None:
        query = query.where(Comment.created_at >= scope.start)
    if scope.end is not None:
        query = query.where(Comment.created_at < scope.end)
    # max() keeps its column's type, so the times come back as aware UTC on every backend.
    return {comment_id: approved_at for comment_id, approved_at in db.session.execute(query)}


def owners(facts: Facts) -> tuple[dict[str, StudentRef], dict[int, StudentRef]]:
    return (
        {student.email: student for student in facts.students},
        {student.id: student for student in facts.students},
    )


def comments_csv(
    facts: Facts, scope: Scope, approved_at: dict[int, datetime], zone: tzinfo
) -> bytes:
    """Every comment in scope, oldest first: whose it is, where, its status and times, whether
    it was late, its length and its text. With a section, only that section's students'."""
    by_email, by_id = owners(facts)
    posts = {post.id: post for post in facts.posts}
    header = [
        "Student", "Author", "Email", "Section", "Post", "Comment ID", "Parent ID", "Status",
        f"Submitted ({zone})", f"Approved ({zone})", "Late", "Words", "Text",
    ]  # fmt: skip
    rows = []
    for comment in facts.comments:
        student = owner_of(comment.author_email, comment.linked_student_id, by_email, by_id)
        if comment.by_instructor:
            student = None
        if scope.section and (student is None or student.section != scope.section):
            continue
        post = posts.get(comment.post_id)
        due_at = post.due_at if post else None
        late = not comment.by_instructor and due_at is not None and comment.created_at > due_at
        approved = approved_at.get(comment.id) if comment.status is CommentStatus.APPROVED else None
        rows.append(
            [
                student.name if student else "",
                comment.author_name,
                comment.author_email,
                student.section if student else "",
                post.title if post else "",
                comment.id,
                comment.parent_id,
                comment.status.value,
                local_time(comment.created_at, zone),
                local_time(approved, zone),
                "yes" if late else "",
                comment.words,
                comment.body,
            ]
        )
    return csv_document(header, rows)


@dataclass(frozen=True)
class Answered:
    """The comment a printed comment answers."""

    author_name: str
    body: str
    created_at: datetime


@dataclass(frozen=True)
class PrintedComment:
    comment: CommentFacts
    post: PostFacts
    answers: Answered | None
    late: bool


@dataclass
class PrintedStudent:
    student: StudentRef
    comments: list[PrintedComment] = field(default_factory=list)


def answered_comments(comments: list[CommentFacts]) -> dict[int, Answered]:
    """The comments these answer, in one query (none when nothing is a reply)."""
    ids = {comment.parent_id for comment in comments if comment.parent_id is not None}
    if not ids:
        return {}
    rows = db.session.execute(
        db.select(Comment.id, Comment.author_name, Comment.body, Comment.created_at).where(
            Comment.id.in_(ids)
        )
    )
    return {row.id: Answered(row.author_name, row.body, row.created_at) for row in rows}


def printable(facts: Facts, scope: Scope, student_id: int | None) -> list[PrintedStudent]:
    """Each student's comments (not spam or trash; held ones included) with the comment each
    answers, in roster order: one student, or every student of the section or class."""
    by_email, by_id = owners(facts)
    posts = {post.id: post for post in facts.posts}
    people = {
        student.id: PrintedStudent(student)
        for student in facts.students
        if (student_id is None or student.id == student_id)
        and (not scope.section or student.section == scope.section)
    }
    mine = []
    for comment in facts.comments:
        if comment.by_instructor or comment.status not in COUNTED:
            continue
        student = owner_of(comment.author_email, comment.linked_student_id, by_email, by_id)
        if student is not None and student.id in people and comment.post_id in posts:
            mine.append((student.id, comment))
    answered = answered_comments([comment for _, comment in mine])
    for owner_id, comment in mine:
        post = posts[comment.post_id]
        people[owner_id].comments.append(
            PrintedComment(
                comment,
                post,
                answered.get(comment.parent_id) if comment.parent_id else None,
                post.due_at is not None and comment.created_at > post.due_at,
            )
        )
    return list(people.values())
