"""The class roster: class lists from real spreadsheets, what an import would do, bad files,
the matching rule, and the command that loads a class list."""

from __future__ import annotations

import pytest

from app.classroom.matching import normalize_email, owner_of
from app.classroom.roster import plan_import, rows_from_payload
from app.classroom.roster_file import MAX_ROWS, read_roster_file
from app.extensions import db
from app.models import Student

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
    for damaged in ("", "{", '{"rows": 5}', '{"has_section": true, "rows": [[1, 2]]}', "[]"):
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


def roster(app):
    with app.app_context():
        return [
            (s.name, s.email, s.section)
            for s in db.session.scalars(db.select(Student).order_by(Student.email))
        ]


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
