"""The class roster: importing a class list after a preview, and keeping it by hand.

``plan_import`` is the rule (the file's rows and the current roster in, what would be added,
changed and left alone out); the use cases below it change the roster and commit once.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Comment, Student, StudentCommentLink, utcnow
from .matching import StudentRef, normalize_email
from .roster_file import MAX_ROWS, Problem, RosterFile, RosterRow, check_student


class RosterError(ValueError):
    """A refused roster change, with a message for the instructor."""


def current_roster() -> list[StudentRef]:
    """Every student, by name."""
    return [
        StudentRef(student.id, student.name, student.email, student.section)
        for student in db.session.scalars(db.select(Student).order_by(Student.name, Student.id))
    ]


@dataclass(frozen=True)
class Change:
    """A student already on the roster whose name or section the file changes."""

    student: StudentRef
    row: RosterRow

    @property
    def renamed(self) -> bool:
        return self.student.name != self.row.name

    @property
    def moved(self) -> bool:
        return self.student.section != self.row.section


@dataclass
class ImportPlan:
    """What confirming an import would do; nothing is stored until ``apply_import``."""

    additions: list[RosterRow] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    unchanged: list[RosterRow] = field(default_factory=list)
    # Students on the roster the file does not mention: they stay.
    not_in_file: list[StudentRef] = field(default_factory=list)

    @property
    def has_work(self) -> bool:
        return bool(self.additions or self.changes)

    def digest(self) -> str:
        """A short fingerprint of what would change, to notice a roster edited meanwhile."""
        work = [[row.email, row.name, row.section] for row in self.additions] + [
            [c.student.id, c.row.name, c.row.section] for c in self.changes
        ]
        return hashlib.blake2s(json.dumps(work).encode(), digest_size=8).hexdigest()


def plan_import(
    rows: Sequence[RosterRow], has_section: bool, roster: Sequence[StudentRef]
) -> ImportPlan:
    """Sort the file's rows against the roster: new emails are added; a known email with another
    name, or another section when the file has a section column, is a change; the rest is
    unchanged. Nobody is removed: students the file leaves out are listed and kept."""
    by_email = {student.email: student for student in roster}
    plan = ImportPlan()
    for row in rows:
        student = by_email.get(row.email)
        if student is not None and not has_section:
            row = RosterRow(row.line, row.name, row.email, student.section)
        if student is None:
            plan.additions.append(row)
        elif student.name != row.name or student.section != row.section:
            plan.changes.append(Change(student, row))
        else:
            plan.unchanged.append(row)
    in_file = {row.email for row in rows}
    plan.not_in_file = [student for student in roster if student.email not in in_file]
    return plan


def apply_import(plan: ImportPlan) -> tuple[int, int]:
    """Add and change the students ``plan`` lists, all in one commit or none; returns how many
    were added and changed. Refuses (``RosterError``) when another change got there first."""
    for row in plan.additions:
        db.session.add(Student(name=row.name, email=row.email, section=row.section))
    for change in plan.changes:
        student = db.session.get(Student, change.student.id)
        if student is None:
            db.session.rollback()
            raise RosterError("A student in this preview was removed meanwhile; load it again.")
        student.name, student.section = change.row.name, change.row.section
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise RosterError(
            "Someone added one of these students meanwhile; nothing was saved. Load the file again."
        ) from error
    return len(plan.additions), len(plan.changes)


# Between the preview and the confirmation the rows travel in the page, as JSON.


def rows_payload(roster_file: RosterFile) -> str:
    """The preview's usable rows, for the confirmation form."""
    rows = [[row.line, row.name, row.email, row.section] for row in roster_file.rows]
    return json.dumps({"has_section": roster_file.has_section, "rows": rows}, ensure_ascii=False)


def rows_from_payload(payload: str) -> RosterFile:
    """The rows a confirmation sends back, checked again as if they came from the file (the
    browser is outside: a changed page must not slip a bad row in)."""
    try:
        data = json.loads(payload)
        has_section = data["has_section"] is True
        raw_rows = data["rows"]
        if not isinstance(raw_rows, list) or len(raw_rows) > MAX_ROWS:
            raise ValueError("rows")
        values = [
            (int(line), str(name), str(email), str(section))
            for line, name, email, section in raw_rows
        ]
    # The page is outside: anything json.loads can make (an infinite number, deep nesting) may
    # come back.
    except (ValueError, TypeError, KeyError, OverflowError, RecursionError):
        return RosterFile(problems=[Problem(None, "The preview was damaged; load the file again.")])
    result = RosterFile(has_section=has_section)
    seen: set[str] = set()
    for line, name, email, section in values:
        row, problem = check_student(line, name, email, section)
        if row is None or row.email in seen:
            result.problems.append(Problem(line, problem or "a repeated email"))
            continue
        seen.add(row.email)
        result.rows.append(row)
    return result


# Keeping the roster by hand


def add_student(name: str, email: str, section: str) -> Student:
    """Add one student; refuses a bad email, a missing name, or an email already on the roster."""
    row, problem = check_student(0, name, email, section)
    if row is None:
        raise RosterError(f"Not added: {problem}.")
    if db.session.scalar(db.select(Student.id).filter_by(email=row.email)) is not None:
        raise RosterError(f"{row.email} is already on the roster.")
    student = Student(name=row.name, email=row.email, section=row.section)
    db.session.add(student)
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise RosterError(f"{row.email} is already on the roster.") from error
    return student


def update_student(student: Student, name: str, email: str, section: str) -> None:
    """Rename a student, correct their email, or move them to another section; commits once.
    Refuses what ``add_student`` refuses, and an email that another student has."""
    row, problem = check_student(0, name, email, section)
    if row is None:
        raise RosterError(f"Not saved: {problem}.")
    taken = db.session.scalar(
        db.select(Student.id).where(Student.email == row.email, Student.id != student.id)
    )
    if taken is not None:
        raise RosterError(f"{row.email} belongs to another student on the roster.")
    student.name, student.email, student.section = row.name, row.email, row.section
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise RosterError(f"{row.email} belongs to another student on the roster.") from error


def remove_student(student: Student) -> None:
    """Take a student off the roster. Their comments stay (they become a guest's); only the
    links made by hand to them go, with the database's cascade."""
    db.session.execute(db.delete(StudentCommentLink).filter_by(student_id=student.id))
    db.session.delete(student)
    db.session.commit()


def link_comment(comment: Comment, student: Student, *, same_email_too: bool) -> int:
    """Say by hand that ``comment`` (written under another email) is ``student``'s, and with
    ``same_email_too`` every other comment from that email; returns how many comments were
    linked. The instructor's own comments are never a student's."""
    if comment.instructor_id is not None:
        raise RosterError("The instructor's own comments cannot belong to a student.")
    comments = [comment]
    if same_email_too:
        email = normalize_email(comment.author_email)
        comments = [
            other
            for other in db.session.scalars(
                db.select(Comment).where(
                    db.func.lower(db.func.trim(Comment.author_email)) == email,
                    Comment.instructor_id.is_(None),
                )
            )
            if normalize_email(other.author_email) == email
        ] or [comment]
    ids = [c.id for c in comments]
    db.session.execute(db.delete(StudentCommentLink).where(StudentCommentLink.comment_id.in_(ids)))
    now = utcnow()
    db.session.add_all(
        StudentCommentLink(comment_id=c.id, student_id=student.id, linked_at=now) for c in comments
    )
    db.session.commit()
    return len(comments)


def unlink_comment(comment: Comment) -> bool:
    """Undo a link made by hand; the comment belongs to whoever its email says again."""
    # Through the ORM, not a bulk delete: the flush is what tells the page cache (the queue shows
    # the marks this changes).
    link = db.session.get(StudentCommentLink, comment.id)
    if link is None:
        return False
    db.session.delete(link)
    db.session.commit()
    return True


def preview_lines(roster_file: RosterFile, plan: ImportPlan) -> list[str]:
    """The preview as plain text, for the command line."""
    lines = list(roster_file.notes)
    for problem in roster_file.problems:
        where = f"Row {problem.line}" if problem.line is not None else "The file"
        lines.append(f"{where}: {problem.reason}" + (f"  [{problem.text}]" if problem.text else ""))
    for row in plan.additions:
        lines.append(f"Add     row {row.line}: {row.name} <{row.email}> {row.section}".rstrip())
    for change in plan.changes:
        old, new = change.student, change.row
        lines.append(
            f"Change  row {new.line}: {new.email}: {old.name} [{old.section}] → "
            f"{new.name} [{new.section}]"
        )
    lines.append(
        f"{len(plan.additions)} to add, {len(plan.changes)} to change, "
        f"{len(plan.unchanged)} unchanged, {len(roster_file.problems)} row(s) ignored"
        + (
            f", {len(plan.not_in_file)} on the roster not in the file (kept)"
            if plan.not_in_file
            else ""
        )
        + "."
    )
    return lines
