"""Whose comment is this? The roster's matching rule, and the marks the instructor sees.

A comment belongs to a student when the instructor linked it to them by hand, or else when its
email is the student's (case and surrounding spaces ignored). Comments written by the instructor
belong to no one on the roster; every other comment is a guest's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import and_, or_

from ..extensions import db
from ..models import Comment, Student, StudentCommentLink


def normalize_email(value: str) -> str:
    """The form emails are compared in: trimmed, lowercased (``" Ada@X.org "`` → ``ada@x.org``)."""
    return value.strip().lower()


@dataclass(frozen=True)
class StudentRef:
    """What the marks and the report need to know about a student."""

    id: int
    name: str
    email: str
    section: str


def owner_of(
    author_email: str,
    linked_student_id: int | None,
    students_by_email: Mapping[str, StudentRef],
    students_by_id: Mapping[int, StudentRef],
) -> StudentRef | None:
    """The student a comment belongs to, or None for a guest: a link made by hand wins over the
    email, and the email matches whatever its case and surrounding spaces."""
    if linked_student_id is not None and linked_student_id in students_by_id:
        return students_by_id[linked_student_id]
    return students_by_email.get(normalize_email(author_email))


@dataclass(frozen=True)
class CommentMark:
    """The instructor's mark on a comment: a student's (with their section) or a guest's."""

    student: StudentRef | None

    @property
    def is_guest(self) -> bool:
        return self.student is None


def comment_marks(comments: Iterable[Comment]) -> dict[int, CommentMark]:
    """Each comment's mark, by comment id, in at most two queries whatever the number of
    comments. Empty when no roster is loaded (a blog not used as a class marks nobody a guest),
    and the instructor's own comments get no mark (they carry the Instructor badge)."""
    readers = [comment for comment in comments if comment.instructor_id is None]
    if not readers or not db.session.scalar(db.select(db.func.count(Student.id))):
        return {}
    ids = [comment.id for comment in readers]
    emails = {normalize_email(comment.author_email) for comment in readers}
    rows = db.session.execute(
        db.select(Student, StudentCommentLink.comment_id)
        .outerjoin(
            StudentCommentLink,
            and_(
                StudentCommentLink.student_id == Student.id,
                StudentCommentLink.comment_id.in_(ids),
            ),
        )
        .where(or_(Student.email.in_(emails), StudentCommentLink.comment_id.is_not(None)))
    ).all()
    by_email: dict[str, StudentRef] = {}
    by_id: dict[int, StudentRef] = {}
    links: dict[int, int] = {}
    for student, linked_comment_id in rows:
        ref = StudentRef(student.id, student.name, student.email, student.section)
        by_email[student.email] = by_id[student.id] = ref
        if linked_comment_id is not None:
            links[linked_comment_id] = student.id
    return {
        comment.id: CommentMark(
            owner_of(comment.author_email, links.get(comment.id), by_email, by_id)
        )
        for comment in readers
    }
