"""What the Class screen reads, each in a fixed number of queries whatever the class size."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ..classroom.matching import StudentRef, normalize_email, owner_of
from ..extensions import db
from ..models import Comment, CommentStatus, Post, Student, StudentCommentLink

# Returned comments are the student's work too, sent back to them for revision.
LIVE = (CommentStatus.APPROVED, CommentStatus.PENDING, CommentStatus.RETURNED)
GUESTS_SHOWN = 50


@dataclass(frozen=True)
class StudentLine:
    student: StudentRef
    comments: int


@dataclass(frozen=True)
class GuestLine:
    """Someone not on the roster who commented, by email; linking goes through their latest
    comment (with the option to take every other one along)."""

    email: str
    name: str
    comments: int
    latest_comment_id: int


@dataclass(frozen=True)
class LinkedComment:
    comment_id: int
    author_name: str
    author_email: str
    post_title: str
    student_name: str


@dataclass(frozen=True)
class ClassOverview:
    students: list[StudentLine]
    guests: list[GuestLine]
    guest_count: int
    linked: list[LinkedComment]
    sections: list[str]
    posts: list[Post]


def roster_refs() -> list[StudentRef]:
    return [
        StudentRef(*row)
        for row in db.session.execute(
            db.select(Student.id, Student.name, Student.email, Student.section).order_by(
                Student.name, Student.id
            )
        )
    ]


def class_overview() -> ClassOverview:
    """The roster with each student's comment count (spam and trash left out), the people not
    on it who commented, the comments linked by hand and the posts' windows: five queries."""
    students = roster_refs()
    by_email = {student.email: student for student in students}
    by_id = {student.id: student for student in students}
    # Grouped by the email as written and the hand-made link: a few rows per person.
    groups = db.session.execute(
        db.select(
            Comment.author_email,
            StudentCommentLink.student_id,
            db.func.count(Comment.id),
            db.func.max(Comment.id),
        )
        .outerjoin(StudentCommentLink, StudentCommentLink.comment_id == Comment.id)
        .where(Comment.instructor_id.is_(None), Comment.status.in_(LIVE))
        .group_by(Comment.author_email, StudentCommentLink.student_id)
    ).all()
    counts: Counter[int] = Counter()
    guest_counts: Counter[str] = Counter()
    guest_latest: dict[str, int] = {}
    for email, linked_id, count, latest in groups:
        student = owner_of(email, linked_id, by_email, by_id)
        if student is not None:
            counts[student.id] += count
            continue
        key = normalize_email(email)
        guest_counts[key] += count
        guest_latest[key] = max(latest, guest_latest.get(key, 0))
    newest = sorted(guest_latest, key=guest_latest.__getitem__, reverse=True)[:GUESTS_SHOWN]
    names: dict[int, str] = {}
    if newest:
        names = dict(
            db.session.execute(
                db.select(Comment.id, Comment.author_name).where(
                    Comment.id.in_([guest_latest[key] for key in newest])
                )
            ).all()
        )
    guests = [
        GuestLine(key, names.get(guest_latest[key], ""), guest_counts[key], guest_latest[key])
        for key in newest
    ]
    return ClassOverview(
        students=[StudentLine(student, counts[student.id]) for student in students],
        guests=guests,
        guest_count=len(guest_latest),
        linked=linked_comments(),
        sections=sorted({student.section for student in students if student.section}),
        posts=list(
            db.session.scalars(
                db.select(Post)
                .options(
                    db.load_only(Post.id, Post.title, Post.opens_at, Post.due_at, Post.closes_at)
                )
                .order_by(Post.published_at.desc(), Post.id.desc())
            )
        ),
    )


def linked_comments() -> list[LinkedComment]:
    rows = db.session.execute(
        db.select(Comment.id, Comment.author_name, Comment.author_email, Post.title, Student.name)
        .join(StudentCommentLink, StudentCommentLink.comment_id == Comment.id)
        .join(Student, Student.id == StudentCommentLink.student_id)
        .join(Post, Post.id == Comment.post_id)
        .order_by(Student.name, Comment.created_at)
    )
    return [LinkedComment(*row) for row in rows]


def sections() -> list[str]:
    return list(
        db.session.scalars(
            db.select(Student.section)
            .where(Student.section != "")
            .distinct()
            .order_by(Student.section)
        )
    )


def post_choices() -> list[tuple[int, str]]:
    """Every post, newest first, for the report's post filter."""
    return [
        (row.id, row.title)
        for row in db.session.execute(
            db.select(Post.id, Post.title).order_by(Post.published_at.desc(), Post.id.desc())
        )
    ]


def students_for_choice() -> list[tuple[int, str]]:
    return [
        (student.id, f"{student.name} ({student.section})" if student.section else student.name)
        for student in roster_refs()
    ]
