"""The class roster: class lists from real spreadsheets, the preview before anything is saved,
bad files, keeping the roster by hand, the matching rule, and the marks the instructor sees."""

from __future__ import annotations

import io
import re
from html import unescape

import pytest

from app.classroom.matching import normalize_email, owner_of
from app.classroom.roster import plan_import, rows_from_payload
from app.classroom.roster_file import MAX_ROWS, read_roster_file
from app.extensions import db
from app.models import Comment, CommentStatus, Student, StudentCommentLink

from .conftest import csrf_token_from, form_post, stored_comments

# Class lists as spreadsheets write them

ROWS = [("Zoë Martín", "zoe@example.com", "A"), ("Ngozi Okafor", "ngozi@example.com", "B")]


def excel_utf8(rows=ROWS) -> bytes:
    """Excel's "CSV UTF-8 (Comma delimited)": a BOM, CRLF line ends, quotes where needed."""
    lines = ["Name,Email,Section"] + [f'"{n}",{e},{s}' for n, e, s in rows]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def google_sheets(rows=ROWS) -> bytes:
    """Google Sheets' "Comma-separated values": no BOM, CRLF, no final line end."""
    lines = ["name,email,section"] + [f"{n},{e},{s}" for n, e, s in rows]
    return "\r\n".join(lines).encode("utf-8")


def excel_semicolons(rows=ROWS) -> bytes:
    """Excel in a French or German locale: semicolons, and Windows-1252 for plain "CSV"."""
    lines = ["Nom;E-mail;Section", *(";".join(row) for row in rows)]
    lines[0] = "Name;E-mail;Section"
    return ("\r\n".join(lines) + "\r\n").encode("cp1252")


def libreoffice_unix(rows=ROWS) -> bytes:
    lines = ["name,email,section"] + [",".join(row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


@pytest.mark.parametrize(
    "make_file", [excel_utf8, google_sheets, excel_semicolons, libreoffice_unix]
)
def test_class_lists_from_real_spreadsheets_read_the_same(make_file):
    roster_file = read_roster_file(make_file())
    assert [(r.name, r.email, r.section) for r in roster_file.rows] == ROWS
    assert roster_file.problems == []
    assert roster_file.has_section


def test_what_was_unusual_about_a_file_is_said():
    semicolons = read_roster_file(excel_semicolons())
    assert "separated by semicolons" in " ".join(semicolons.notes)
    assert "Windows-1252" in " ".join(semicolons.notes)  # accents: check them in the preview
    assert read_roster_file(excel_utf8()).notes == []


def test_first_and_last_name_columns_and_unused_columns():
    data = b"First Name,Last Name,Email Address,Student ID\nAda,Lovelace,ADA@Example.com ,12\n"
    roster_file = read_roster_file(data)
    assert [(r.name, r.email, r.section) for r in roster_file.rows] == [
        ("Ada Lovelace", "ada@example.com", "")
    ]
    assert not roster_file.has_section
    assert roster_file.notes == ["Columns not used: Student ID."]


def test_excel_unicode_text_is_read():
    data = "Name\tEmail\nZoë\tzoe@example.com\n".encode("utf-16")
    assert [r.name for r in read_roster_file(data).rows] == ["Zoë"]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"Ada,ada@example.com\nBo,bo@example.com\n", "The first row holds a student"),
        (b"who,where\nAda,ada@example.com\n", "No header row with the columns name and email"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
        (bytes(range(256)) * 4, "not a text file"),
        (b"", "The file is empty."),
        (b"name,email\n", "a header row but no students"),
        (b'name,email\n"Ada,ada@example.com\nBo,bo@example.com\n', "check that row's quotation"),
        (b"name,email\n" + b"x" * (1024 * 1024 + 1), "a class list is at most 1 MB"),
    ],
)
def test_a_file_that_cannot_be_a_class_list_is_refused_whole(data, reason):
    roster_file = read_roster_file(data)
    assert roster_file.unreadable
    assert roster_file.rows == []
    assert reason in roster_file.problems[0].reason


def test_each_bad_row_is_named_with_its_reason():
    data = (
        b"name,email,section\n"
        b"Ada,ada@example.com,A\n"  # row 2
        b"Bad Email,not-an-address,A\n"  # row 3
        b",,\n"  # row 4: empty, skipped without a word
        b"No Email,,B\n"  # row 5
        b",nameless@example.com,B\n"  # row 6
        b"Ada Again,ADA@example.com ,B\n"  # row 7: the same email as row 2
        b"Bob,bob@example.com\n"  # row 8: a short row is fine
    )
    roster_file = read_roster_file(data)
    assert [(r.line, r.email) for r in roster_file.rows] == [
        (2, "ada@example.com"),
        (8, "bob@example.com"),
    ]
    assert [(p.line, p.reason) for p in roster_file.problems] == [
        (3, "“not-an-address” is not a valid email address"),
        (5, "no email"),
        (6, "no name"),
        (7, "the same email as row 2 (ada@example.com)"),
    ]


def test_a_huge_number_of_rows_stops_at_the_limit():
    rows = "".join(f"S{n},s{n}@example.com\n" for n in range(MAX_ROWS + 5))
    roster_file = read_roster_file(("name,email\n" + rows).encode())
    assert len(roster_file.rows) == MAX_ROWS
    assert "more than 2,000 rows" in roster_file.problems[-1].reason


# The plan: what an import would do


def test_the_plan_adds_changes_and_keeps(app, make_student):
    make_student("Zoe Martin", "zoe@example.com", "A")  # renamed by the file
    make_student("Ngozi Okafor", "ngozi@example.com", "A")  # moved to B by the file
    make_student("Left Out", "left@example.com", "A")
    make_student("Same", "same@example.com", "C")
    rows = [*ROWS, ("Same", "same@example.com", "C"), ("New Person", "new@example.com", "")]
    roster_file = read_roster_file(google_sheets(rows))
    with app.app_context():
        from app.classroom.roster import current_roster

        plan = plan_import(roster_file.rows, roster_file.has_section, current_roster())
    assert [r.email for r in plan.additions] == ["new@example.com"]
    assert [(c.row.email, c.renamed, c.moved) for c in plan.changes] == [
        ("zoe@example.com", True, False),
        ("ngozi@example.com", False, True),
    ]
    assert [r.email for r in plan.unchanged] == ["same@example.com"]
    assert [s.email for s in plan.not_in_file] == ["left@example.com"]


def test_without_a_section_column_students_keep_their_sections(app, make_student):
    make_student("Ada", "ada@example.com", "A")
    roster_file = read_roster_file(b"name,email\nAda,ada@example.com\n")
    with app.app_context():
        from app.classroom.roster import current_roster

        plan = plan_import(roster_file.rows, roster_file.has_section, current_roster())
    assert plan.changes == [] and len(plan.unchanged) == 1


def test_rows_coming_back_from_the_browser_are_checked_again():
    payload = (
        '{"has_section": true, "rows": [[2, "Ada", "ada@example.com", "A"],'
        ' [3, "=cmd", "not-an-email", "A"], [4, "Ada2", "ADA@example.com", "B"]]}'
    )
    roster_file = rows_from_payload(payload)
    assert [r.email for r in roster_file.rows] == ["ada@example.com"]
    assert [p.line for p in roster_file.problems] == [3, 4]
    for damaged in (
        "",
        "{",
        "[]",
        '{"rows": 5}',
        '{"has_section": true, "rows": [[1, 2]]}',
        '{"has_section": true, "rows": [[1e999, "A", "a@example.com", ""]]}',
        '{"has_section": true, "rows": [[null, "A", "a@example.com", ""]]}',
        "[" * 100_000 + "]" * 100_000,
    ):
        assert rows_from_payload(damaged).unreadable


# The matching rule


@pytest.mark.parametrize(
    "written", ["ada@example.com", "ADA@Example.COM", "  ada@example.com ", "\tAda@example.com\n"]
)
def test_an_email_matches_whatever_its_case_and_surrounding_spaces(written):
    from app.classroom.matching import StudentRef

    ada = StudentRef(1, "Ada", "ada@example.com", "A")
    assert owner_of(written, None, {ada.email: ada}, {1: ada}) is ada
    assert normalize_email(written) == "ada@example.com"


def test_a_link_made_by_hand_wins_and_anything_else_is_a_guest():
    from app.classroom.matching import StudentRef

    ada = StudentRef(1, "Ada", "ada@example.com", "A")
    bo = StudentRef(2, "Bo", "bo@example.com", "B")
    by_email, by_id = {s.email: s for s in (ada, bo)}, {1: ada, 2: bo}
    assert owner_of("ada.personal@gmail.com", None, by_email, by_id) is None
    assert owner_of("ada.personal@gmail.com", 1, by_email, by_id) is ada
    assert owner_of("ada@example.com", 2, by_email, by_id) is bo
    assert owner_of("a.da@example.com", None, by_email, by_id) is None  # no fuzzy guessing


# The Class screen


def upload(client, data: bytes, filename="class.csv"):
    """POST the file as a browser does. The multipart body is built here, in memory: the test
    client would spool a large one to a temporary file that a refused request never closes."""
    token = csrf_token_from(client.get("/class").text)
    boundary = "----roster-test-boundary"
    body = b"".join(
        [
            f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n'.encode(),
            token.encode(),
            f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="roster_file"; '
            f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'.encode(),
            data,
            f"\r\n--{boundary}--\r\n".encode(),
        ]
    )
    return client.post(
        "/class/import",
        input_stream=io.BytesIO(body),
        content_type=f"multipart/form-data; boundary={boundary}",
        content_length=len(body),
    )


def confirm(client, preview_html: str):
    rows = unescape(re.search(r'name="rows" value="([^"]*)"', preview_html).group(1))
    digest = re.search(r'name="digest" value="([^"]*)"', preview_html).group(1)
    token = csrf_token_from(preview_html)
    return client.post(
        "/class/import/confirm", data={"csrf_token": token, "rows": rows, "digest": digest}
    )


def roster(app):
    with app.app_context():
        return [
            (s.name, s.email, s.section)
            for s in db.session.scalars(db.select(Student).order_by(Student.email))
        ]


def test_upload_shows_a_preview_and_saves_nothing_until_confirmed(app, moderator):
    data = excel_utf8([*ROWS, ("Bad", "nope", "A")])
    preview = upload(moderator, data)
    assert preview.status_code == 200
    text = preview.text
    assert "Nothing is saved until you confirm." in text
    assert "2 to add" in text and "1 row ignored" in text
    assert "Zoë Martín" in text and "ngozi@example.com" in text
    assert "“nope” is not a valid email address" in text
    assert roster(app) == []

    response = confirm(moderator, text)
    assert response.status_code == 302
    assert roster(app) == [
        ("Ngozi Okafor", "ngozi@example.com", "B"),
        ("Zoë Martín", "zoe@example.com", "A"),
    ]
    page = moderator.get("/class").text
    assert "Class list loaded: 2 students added, 0 changed." in page
    assert "Zoë Martín" in page


def test_a_roster_changed_between_preview_and_confirmation_is_previewed_again(
    app, moderator, make_student
):
    preview = upload(moderator, google_sheets())
    make_student("Zoe Changed", "zoe@example.com", "C")  # another tab, meanwhile
    response = confirm(moderator, preview.text)
    assert response.status_code == 200
    assert "The roster changed since this preview was made" in response.text
    assert roster(app) == [("Zoe Changed", "zoe@example.com", "C")]
    assert confirm(moderator, response.text).status_code == 302
    assert ("Zoë Martín", "zoe@example.com", "A") in roster(app)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"Ada,ada@example.com\n", "The first row holds a student, not column names."),
        (b"\x00\x01\x02binary\xff\xfe", "This is not a text file"),
        (b"name,email\n" + b"y" * (1100 * 1024), "Is it the right file?"),
    ],
)
def test_bad_files_get_a_preview_that_says_why_and_nothing_is_saved(app, moderator, data, message):
    response = upload(moderator, data)
    assert response.status_code in (400, 413)
    assert message in unescape(response.text)
    assert "Nothing was saved." in response.text or "too large" in response.text
    assert roster(app) == []


def test_a_ten_megabyte_file_gets_the_class_screen_not_an_error(app, moderator):
    response = upload(moderator, b"name,email\n" + b"z" * (10 * 1024 * 1024))
    assert response.status_code == 413
    assert "too large for a class list" in response.text
    assert "<h1>Class</h1>" in response.text
    assert roster(app) == []


def test_no_file_chosen(moderator):
    token = csrf_token_from(moderator.get("/class").text)
    response = moderator.post("/class/import", data={"csrf_token": token})
    assert response.status_code == 400
    assert "Choose the CSV file of your class list first." in response.text


def test_a_damaged_confirmation_saves_nothing(app, moderator):
    token = csrf_token_from(moderator.get("/class").text)
    response = moderator.post(
        "/class/import/confirm", data={"csrf_token": token, "rows": "{oops", "digest": "x"}
    )
    assert response.status_code == 400
    assert "The preview was damaged; load the file again." in response.text
    assert roster(app) == []


def test_every_change_needs_a_post_with_a_csrf_token(
    app, moderator, make_student, make_post, make_comment
):
    student_id = make_student("Ada", "ada@example.com")
    post_id = make_post(slug="p")
    comment_id = make_comment(post_id, author_email="x@example.com")
    for url in (
        "/class/import/confirm",
        "/class/students",
        f"/class/students/{student_id}/edit",
        f"/class/students/{student_id}/remove",
        f"/class/comments/{comment_id}/link",
        f"/class/comments/{comment_id}/unlink",
        f"/class/posts/{post_id}/window",
    ):
        response = moderator.post(url, data={"confirmed": "yes", "name": "Z", "email": "z@x.org"})
        assert response.status_code == 400, url
    assert moderator.get(f"/class/students/{student_id}/remove").status_code == 405
    assert roster(app) == [("Ada", "ada@example.com", "")]


@pytest.mark.parametrize(
    "url",
    [
        "/class",
        "/class/participation",
        "/class/participation.csv",
        "/class/participation/comments.csv",
        "/class/print",
        "/class/posts/1/window",
    ],
)
def test_every_class_page_is_for_the_instructor_only(client, make_post, url):
    make_post(slug="p")
    response = client.get(url)
    assert response.status_code == 302
    assert "/login" in response.location


def test_add_rename_move_and_remove_a_student(
    app, moderator, make_post, make_comment, make_student
):
    post_id = make_post(slug="p")
    comment_id = make_comment(post_id, author_name="Ada L", author_email="Ada@Example.com")

    response = form_post(
        moderator,
        "/class/students",
        {"name": "Ada Lovelace", "email": " ADA@example.com ", "section": "A"},
        page="/class",
    )
    assert response.status_code == 302
    assert roster(app) == [("Ada Lovelace", "ada@example.com", "A")]
    with app.app_context():
        student_id = db.session.scalar(db.select(Student.id))

    again = form_post(
        moderator, "/class/students", {"name": "Twin", "email": "ada@example.com"}, page="/class"
    )
    assert again.status_code == 400
    assert "ada@example.com is already on the roster." in again.text

    edit_url = f"/class/students/{student_id}/edit"
    form_post(
        moderator,
        edit_url,
        {"name": "Ada King", "email": "ada@example.com", "section": "B"},
        page=edit_url,
    )
    assert roster(app) == [("Ada King", "ada@example.com", "B")]

    remove_url = f"/class/students/{student_id}/remove"
    asked = form_post(moderator, remove_url, page=edit_url)
    assert "Remove Ada King from the roster?" in asked.text
    assert roster(app) == [("Ada King", "ada@example.com", "B")]
    done = form_post(moderator, remove_url, {"confirmed": "yes"}, page=edit_url)
    assert done.status_code == 302
    assert roster(app) == []
    # Her comment stays, now a guest's (once anyone is on the roster again).
    assert [c.id for c in stored_comments(app)] == [comment_id]
    make_student("Bo", "bo@example.com")
    assert "badge-guest" in moderator.get("/moderation?status=all").text


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"name": "", "email": "a@example.com"}, "Enter the student&#39;s name."),
        ({"name": "A", "email": "not an email"}, "is not a valid email address"),
        ({"name": "A", "email": "a@example.com", "section": "s" * 65}, "at most 64 characters"),
    ],
)
def test_adding_a_student_with_bad_details_says_why(app, moderator, fields, message):
    response = form_post(moderator, "/class/students", fields, page="/class")
    assert response.status_code == 400
    assert message in response.text
    assert roster(app) == []


def test_linking_a_comment_by_hand_and_undoing_it(app, moderator, make_post, make_student):
    post_id = make_post(slug="p")
    student_id = make_student("Ada", "ada@example.com", "A")
    with app.app_context():
        comments = [
            Comment(post_id=post_id, author_name="Ada", author_email=email, body=f"Mine {n}.")
            for n, email in enumerate(["ada.home@gmail.com", "Ada.Home@gmail.com ", "x@y.org"])
        ]
        db.session.add_all(comments)
        db.session.commit()
        first, second, _other = (c.id for c in comments)

    page = moderator.get(f"/class/comments/{first}/link")
    assert "Link a comment to a student" in page.text
    response = form_post(
        moderator,
        f"/class/comments/{first}/link",
        {"student": str(student_id), "same_email_too": "y"},
        page=f"/class/comments/{first}/link",
    )
    assert response.status_code == 302
    with app.app_context():
        links = dict(
            db.session.execute(
                db.select(StudentCommentLink.comment_id, StudentCommentLink.student_id)
            ).all()
        )
    assert links == {first: student_id, second: student_id}
    queue = moderator.get("/moderation?status=all").text
    assert queue.count("roster · A") == 2 and queue.count("badge-guest") == 1

    form_post(moderator, f"/class/comments/{second}/unlink", page="/class")
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(StudentCommentLink.comment_id))) == 1
    assert moderator.get("/moderation?status=all").text.count("roster · A") == 1


def test_linking_to_a_student_who_is_not_there_is_refused(
    app, moderator, make_post, make_comment, make_student
):
    post_id = make_post(slug="p")
    make_student("Ada", "ada@example.com")
    comment_id = make_comment(post_id)
    url = f"/class/comments/{comment_id}/link"
    response = form_post(moderator, url, {"student": "999"}, page=url)
    assert response.status_code == 400
    assert "Not a valid choice" in response.text


# Marks for the instructor, never for readers


@pytest.fixture
def marked_thread(app, make_post, make_student, make_comment):
    post_id = make_post(slug="p", title="The Post")
    make_student("Ada Lovelace", "ada@example.com", "Section 2")
    make_comment(post_id, author_name="Ada", author_email=" Ada@Example.com", body="Student.")
    make_comment(post_id, author_name="Gus", author_email="gus@example.net", body="Guest.")
    make_comment(
        post_id,
        status=CommentStatus.PENDING,
        author_name="Ada",
        author_email="ada@example.com",
        body="Held student comment.",
    )
    return post_id


def test_the_queue_marks_students_with_their_section_and_guests(moderator, marked_thread):
    queue = moderator.get("/moderation?status=all").text
    assert queue.count('<span class="badge badge-roster">roster · Section 2</span>') == 2
    assert queue.count('<span class="badge badge-guest">guest</span>') == 1
    assert "link to a student" in queue


def test_the_post_shows_marks_to_the_instructor_only(app, client, moderator, marked_thread):
    mine = moderator.get("/posts/p/").text
    assert mine.count("roster · Section 2") == 2 and mine.count("badge-guest") == 1
    reader = app.test_client()
    for _ in range(2):  # rendered, then from the cache
        html = reader.get("/posts/p/").text
        assert "roster" not in html and "guest" not in html and "Section 2" not in html


def test_without_a_roster_nobody_is_marked_a_guest(moderator, make_post, make_comment):
    post_id = make_post(slug="p")
    make_comment(post_id, body="A comment on a blog that is not a class.")
    assert "badge-guest" not in moderator.get("/moderation?status=all").text


def test_the_cached_queue_follows_roster_changes(moderator, marked_thread, make_student):
    assert moderator.get("/moderation?status=all").text.count("badge-guest") == 1
    make_student("Gus", "GUS@example.net", "Section 3")
    queue = moderator.get("/moderation?status=all").text
    assert "badge-guest" not in queue and "roster · Section 3" in queue


def test_marks_cost_the_same_queries_for_3_and_60_comments(
    app, moderator, make_post, make_student, make_comment
):
    from .conftest import count_queries

    post_id = make_post(slug="p")
    make_student("Ada", "ada@example.com", "A")
    for n in range(3):
        make_comment(post_id, author_email="ada@example.com" if n % 2 else f"g{n}@example.org")
    few = count_queries(app, moderator, "/posts/p/")
    for n in range(57):
        make_comment(post_id, author_email="ada@example.com" if n % 2 else f"h{n}@example.org")
    assert count_queries(app, moderator, "/posts/p/") == few


# The command line


def test_import_roster_command_previews_then_saves(app, runner, tmp_path):
    path = tmp_path / "class.csv"
    path.write_bytes(excel_utf8([*ROWS, ("Bad", "nope", "A")]))
    declined = runner.invoke(args=["import-roster", str(path)], input="n\n")
    assert "Add     row 2: Zoë Martín <zoe@example.com> A" in declined.output
    assert "Row 4: “nope” is not a valid email address" in declined.output
    assert "2 to add, 0 to change, 0 unchanged, 1 row(s) ignored." in declined.output
    assert "Nothing saved." in declined.output
    assert roster(app) == []

    accepted = runner.invoke(args=["import-roster", str(path), "--yes"])
    assert accepted.exit_code == 0, accepted.output
    assert "Saved: 2 added, 0 changed." in accepted.output
    assert len(roster(app)) == 2
    again = runner.invoke(args=["import-roster", str(path), "--yes"])
    assert "Nothing to change." in again.output


def test_import_roster_command_refuses_a_bad_file(app, runner, tmp_path):
    path = tmp_path / "photo.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    result = runner.invoke(args=["import-roster", str(path)])
    assert result.exit_code == 1
    assert "Nothing saved. This is not a text file" in result.output
