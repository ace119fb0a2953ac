"""Reading a class list from a file someone exported from a spreadsheet.

Values in, a result out: bytes become rows and problems, and nothing is stored here. The file
comes from outside, so it is read defensively: a size limit, no NUL bytes, text in UTF-8 (with or
without BOM; Excel's "CSV UTF-8"), UTF-16 with its BOM (Excel's "Unicode Text"), or else
Windows-1252 (Excel's plain "CSV"), said so in the preview; comma, semicolon (Excel in many
European locales) or tab separated. Every row that cannot be used is named with its reason.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field

from email_validator import EmailNotValidError, validate_email

MAX_BYTES = 1024 * 1024
MAX_ROWS = 2_000
MAX_NAME = 245
MAX_EMAIL = 100  # the longest email a comment can carry
MAX_SECTION = 64

# Header names people use, lowercased and with spaces, dashes and underscores removed.
HEADER_ALIASES = {
    "name": "name",
    "fullname": "name",
    "student": "name",
    "studentname": "name",
    "firstname": "first_name",
    "givenname": "first_name",
    "lastname": "last_name",
    "surname": "last_name",
    "familyname": "last_name",
    "email": "email",
    "emailaddress": "email",
    "mail": "email",
    "studentemail": "email",
    "section": "section",
    "group": "section",
    "class": "section",
}
DELIMITERS = {",": "commas", ";": "semicolons", "\t": "tabs"}
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class RosterRow:
    """One usable student from the file, cleaned: the email trimmed and lowercased."""

    line: int
    name: str
    email: str
    section: str


@dataclass(frozen=True)
class Problem:
    """A row that will be ignored (``line`` None: the whole file), and why."""

    line: int | None
    reason: str
    text: str = ""


@dataclass
class RosterFile:
    """What a file holds: the usable rows, the ignored ones, notes on how it was read, and
    whether it has a section column (without one, students keep the sections they have)."""

    rows: list[RosterRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    has_section: bool = False

    @property
    def unreadable(self) -> bool:
        """Whether the file itself was refused (no row could be read)."""
        return any(problem.line is None for problem in self.problems)


def refuse(reason: str) -> RosterFile:
    return RosterFile(problems=[Problem(None, reason)])


def clean(value: str) -> str:
    """One line of text: control characters dropped, runs of spaces made one, ends trimmed."""
    return SPACES.sub(" ", CONTROL_CHARACTERS.sub(" ", value)).strip()


def decode(data: bytes) -> tuple[str | None, str | None]:
    """The file's text and a note on an unusual encoding, or None and why it is not text."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "The file is UTF-16 text (Excel's “Unicode Text”)."
        except UnicodeDecodeError:
            return None, "The file says it is UTF-16 text but is not."
    if b"\x00" in data:
        return None, "This is not a text file (it holds binary data). Export the sheet as CSV."
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None, "This file is not UTF-8 text. Export the sheet as “CSV UTF-8”."
    if CONTROL_CHARACTERS.search(text.replace("\r", "").replace("\n", "").replace("\t", "")):
        return None, "This is not a text file (it holds binary data). Export the sheet as CSV."
    return text, (
        "The file is not UTF-8, so it was read as Windows-1252 (Excel's plain “CSV”). Check "
        "accented names below; if they look wrong, export as “CSV UTF-8” instead."
    )


def header_key(cell: str) -> str | None:
    return HEADER_ALIASES.get(re.sub(r"[\s_\-.]+", "", cell.strip().lower()))


def find_header(lines: list[str]) -> tuple[str, list[str | None]] | None:
    """The separator and the columns' meanings, from the first line: the separator that gives
    an email column and a name (or first and last names)."""
    first = lines[0] if lines else ""
    for delimiter in DELIMITERS:
        cells = next(csv.reader([first], delimiter=delimiter), [])
        keys = [header_key(cell) for cell in cells]
        has_name = "name" in keys or {"first_name", "last_name"} <= set(keys)
        if "email" in keys and has_name:
            return delimiter, keys
    return None


def missing_header_reason(first_line: str) -> str:
    if "@" in first_line:
        return (
            "The first row holds a student, not column names. Add a header row: "
            "name, email and (optionally) section."
        )
    return (
        "No header row with the columns name and email (and optionally section) was found in "
        "the first row."
    )


def email_problem(email: str) -> str | None:
    """Why ``email`` cannot be a student's address, or None."""
    if not email:
        return "no email"
    if len(email) > MAX_EMAIL:
        return f"the email is longer than {MAX_EMAIL} characters"
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        return f"“{email}” is not a valid email address"
    return None


def check_student(
    line: int, name: str, email: str, section: str
) -> tuple[RosterRow | None, str | None]:
    """A student from cleaned values, or why they cannot be one. Also used when a preview comes
    back to be confirmed: what the browser sends is checked again."""
    name, email, section = clean(name), clean(email).lower(), clean(section)
    problem = email_problem(email)
    if problem is None and not name:
        problem = "no name"
    if problem is None and len(name) > MAX_NAME:
        problem = f"the name is longer than {MAX_NAME} characters"
    if problem is None and len(section) > MAX_SECTION:
        problem = f"the section is longer than {MAX_SECTION} characters"
    if problem:
        return None, problem
    return RosterRow(line, name, email, section), None


def read_row(
    line: int, cells: list[str], keys: list[str | None]
) -> tuple[RosterRow | None, str | None]:
    """A row's student, or why the row is ignored; (None, None) for an empty row."""
    if not any(clean(cell) for cell in cells):
        return None, None
    values: dict[str, str] = {}
    for key, cell in zip(keys, cells, strict=False):
        if key and key not in values:
            values[key] = clean(cell)
    name = values.get("name") or " ".join(
        part for part in (values.get("first_name", ""), values.get("last_name", "")) if part
    )
    return check_student(line, name, values.get("email", ""), values.get("section", ""))


def read_roster_file(data: bytes) -> RosterFile:
    """The students in a CSV class list, with every ignored row and the reason.

    Refuses the whole file (a problem with no line) when it is too large, binary, not text in a
    known encoding, or has no header row naming an email and a name column. Inside a good file,
    a row is ignored for a missing or bad email, a missing name, an over-long field, or an email
    already given on an earlier row; empty rows are skipped silently.
    """
    if len(data) > MAX_BYTES:
        return refuse(
            f"The file is {len(data) / 1024 / 1024:.1f} MB; a class list is at most "
            f"{MAX_BYTES // 1024 // 1024} MB. Is it the right file?"
        )
    text, note = decode(data)
    if text is None:
        return refuse(note or "This file cannot be read.")
    if not text.strip():
        return refuse("The file is empty.")
    lines = text.splitlines()
    found = find_header(lines)
    if found is None:
        return refuse(missing_header_reason(lines[0]))
    delimiter, keys = found

    result = RosterFile(has_section="section" in keys)
    if note:
        result.notes.append(note)
    if delimiter != ",":
        result.notes.append(f"The columns are separated by {DELIMITERS[delimiter]}.")
    header = next(csv.reader([lines[0]], delimiter=delimiter))
    unused = [clean(cell) for cell, key in zip(header, keys, strict=True) if key is None]
    if any(unused):
        result.notes.append("Columns not used: " + ", ".join(cell for cell in unused if cell) + ".")

    first_line_of: dict[str, int] = {}
    # Strict: a quote left open would otherwise swallow every row after it without a word.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        next(reader)  # the header
        for cells in reader:
            line = reader.line_num
            if len(result.rows) + len(result.problems) >= MAX_ROWS:
                result.problems.append(
                    Problem(line, f"more than {MAX_ROWS:,} rows: this row and the rest are ignored")
                )
                break
            row, problem = read_row(line, cells, keys)
            if problem:
                result.problems.append(Problem(line, problem, clean(delimiter.join(cells))[:200]))
            elif row and row.email in first_line_of:
                result.problems.append(
                    Problem(
                        line,
                        f"the same email as row {first_line_of[row.email]} ({row.email})",
                        clean(delimiter.join(cells))[:200],
                    )
                )
            elif row:
                first_line_of[row.email] = line
                result.rows.append(row)
    except csv.Error as error:
        # A quote left open, or a field larger than the csv module's limit: the rest of the file
        # cannot be split into rows reliably, so it is refused whole.
        return refuse(
            f"The file could not be read as CSV at row {reader.line_num} ({error}); "
            "check that row's quotation marks."
        )
    if not result.rows and not result.problems:
        result.problems.append(Problem(None, "The file has a header row but no students."))
    return result
