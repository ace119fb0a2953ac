"""Export and import: every table of the blog as JSON, loaded back into an empty database on
either backend, identical column by column.

What is exported is read from the models' metadata, not listed by hand: every table (except the
few in ``NOT_EXPORTED``, each with its reason) and every column of it. Each value is written in a
JSON form chosen by its column's type, and an import checks every table, row and column of the
file before it stores anything.
"""

from __future__ import annotations

import enum
import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Enum,
    Integer,
    String,
    Table,
    bindparam,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.exc import DBAPIError

from ..extensions import db
from ..models import UTCDateTime

EXPORT_FORMAT = "classblog-export"
# 2: every table and column, from the metadata. 1: posts, comments with nested history, settings.
EXPORT_VERSION = 2

# The only tables left out, each with the reason. Every other table is exported whole.
NOT_EXPORTED: dict[str, str] = {
    "cache_versions": "counters that key the page cache, not data; the migration creates them",
    "outbox_messages": "this installation's mail, sent or waiting; another must not send it again"
    " (the held comments it was about stay in the queue)",
    "scheduled_runs": "when this installation last ran its daily purge; the new one runs its own",
}

# PostgreSQL's INTEGER, which SQLite would exceed silently: refused alike on both backends.
INTEGER_RANGE = range(-(2**31), 2**31)


class ExportError(Exception):
    """An export or import that cannot be done, with the reason."""


def exported_tables() -> list[Table]:
    """Every table of the models but ``NOT_EXPORTED``, each after the tables it refers to."""
    return [table for table in db.metadata.sorted_tables if table.name not in NOT_EXPORTED]


# How values are written in the file, by column type.


def json_kind(column: Column[Any]) -> str:
    """The JSON form of a column's values: "time", "choice", "bool", "int" or "text".

    Refuses a column type with no form yet, so a new kind of column is noticed, not dropped.
    """
    column_type = column.type
    if isinstance(column_type, UTCDateTime):
        return "time"  # ISO 8601 with its UTC offset
    if isinstance(column_type, Enum):  # before String: an Enum is stored as a String
        return "choice"  # the enum's value, e.g. "pending"
    if isinstance(column_type, Boolean):
        return "bool"
    if isinstance(column_type, Integer):
        return "int"
    if isinstance(column_type, String):  # Text included
        return "text"
    raise ExportError(f'column "{column.table.name}.{column.name}" has no JSON form yet.')


def to_json(column: Column[Any], value: Any) -> Any:
    """A value read from ``column`` as it is written in the file."""
    if value is None:
        return None
    kind = json_kind(column)
    if kind == "time":
        return value.isoformat()
    if kind == "choice" and isinstance(value, enum.Enum):
        return value.value
    return value


def _read_time(column: Column[Any], value: Any) -> datetime:
    if not isinstance(value, str):
        raise ExportError(f"expected a date and time as text, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ExportError(f"expected an ISO 8601 date and time, got {value!r}") from None
    if parsed.tzinfo is None:
        raise ExportError(f"the date and time {value!r} has no UTC offset")
    return parsed


def _read_choice(column: Column[Any], value: Any) -> Any:
    allowed: list[str] = column.type.enums  # type: ignore[attr-defined]  # an Enum: json_kind
    if value not in allowed:
        raise ExportError(f"expected one of {', '.join(allowed)}, got {value!r}")
    enum_class = column.type.enum_class  # type: ignore[attr-defined]
    return enum_class(value) if enum_class else value


def _read_bool(column: Column[Any], value: Any) -> bool:
    if not isinstance(value, bool):
        raise ExportError(f"expected true or false, got {value!r}")
    return value


def _read_int(column: Column[Any], value: Any) -> int:
    # JSON's true and false are ints to Python; they are not numbers here.
    if not isinstance(value, int) or isinstance(value, bool):
        raise ExportError(f"expected a whole number, got {value!r}")
    if value not in INTEGER_RANGE:
        raise ExportError(f"the number {value} is too large for the database")
    return value


def _read_text(column: Column[Any], value: Any) -> str:
    if not isinstance(value, str):
        raise ExportError(f"expected text, got {value!r}")
    length = getattr(column.type, "length", None)
    # SQLite ignores a column's length and PostgreSQL refuses the row: say so either way.
    if length is not None and len(value) > length:
        raise ExportError(f"the text is {len(value)} characters long; at most {length} fit")
    return value


READERS: dict[str, Callable[[Column[Any], Any], Any]] = {
    "time": _read_time,
    "choice": _read_choice,
    "bool": _read_bool,
    "int": _read_int,
    "text": _read_text,
}


def from_json(column: Column[Any], value: Any) -> Any:
    """The Python value for ``value`` from the file; refuses a wrong type or a missing value."""
    if value is None:
        if not column.nullable:
            raise ExportError("a value is required, got null")
        return None
    return READERS[json_kind(column)](column, value)


# Export.


@contextmanager
def one_snapshot() -> Iterator[Connection]:
    """A connection that reads every table as of one moment, so an export taken while the blog
    serves never holds a comment whose post it missed."""
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ")
        elif connection.dialect.name == "sqlite":
            # pysqlite opens no transaction for reads, so each SELECT would see a newer state.
            connection.exec_driver_sql("BEGIN")
        yield connection


def export_data() -> dict[str, Any]:
    """Every row of every exported table, by primary key, each value in its JSON form."""
    tables: dict[str, list[dict[str, Any]]] = {}
    with one_snapshot() as connection:
        for table in exported_tables():
            rows = connection.execute(select(table).order_by(*table.primary_key.columns))
            tables[table.name] = [
                {
                    column.name: to_json(column, value)
                    for column, value in zip(table.columns, row, strict=True)
                }
                for row in rows
            ]
    return {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "tables": tables}


def dumps_html_safe(data: dict[str, Any]) -> str:
    """JSON in which ``<``, ``>``, ``&`` and ``'`` are \\u escapes: the same data when parsed, and
    inert if the file is ever opened as HTML."""
    text_ = json.dumps(data, ensure_ascii=False, indent=1)
    for char, escape in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("'", "\\u0027")):
        text_ = text_.replace(char, escape)
    return text_ + "\n"


def write_export(target: Path) -> dict[str, int]:
    """Write the export to ``target``; returns how many rows each table had.

    A new file is readable by its owner only: it holds password hashes and readers' addresses.
    """
    data = export_data()
    with open(
        os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w", encoding="utf-8"
    ) as file:
        file.write(dumps_html_safe(data))
    return {name: len(rows) for name, rows in data["tables"].items()}


# Reading a file.


def _object_without_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object; refuses one that names a key twice (``json`` would keep the last)."""
    data: dict[str, Any] = {}
    for key, value in pairs:
        if key in data:
            raise ExportError(f"the key {key!r} appears twice in one object.")
        data[key] = value
    return data


def read_export(path: Path) -> Any:
    """The parsed JSON of an export file; refuses a file that is not UTF-8 JSON (a truncated one,
    say), naming where it stops making sense."""
    try:
        raw = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ExportError(f"the file is not UTF-8 text ({error.reason}).") from error
    except OSError as error:
        raise ExportError(f"the file cannot be read ({error.strerror}).") from error
    try:
        return json.loads(raw, object_pairs_hook=_object_without_duplicate_keys)
    except json.JSONDecodeError as error:
        raise ExportError(
            f"the file is not valid JSON: {error.msg} at line {error.lineno}, "
            f"column {error.colno}; was it copied or written completely?"
        ) from error


# What version 1 posts were: published, plain paragraphs, edited never, set up by hand.
VERSION_1_POST_DEFAULTS: dict[str, Any] = {
    "page_version": 1,
    "status": "published",
    "body_format": "plain",
    "excerpt": "",
    "edit_version": 1,
    "close_after_days": None,
    "wordpress_id": None,
    "opens_at": None,
    "due_at": None,
    "closes_at": None,
}


# Settings version 1 did not have: comments on one page, as they were then.
VERSION_1_SETTINGS_DEFAULTS: dict[str, Any] = {
    "digest_minutes": 15,
    "comments_per_page": None,
    "newest_comments_first": False,
}


# Columns added after version 2 was first written, each with the value it gives the rows that
# existed before it: an export made before a column existed still imports, and nothing else
# may be missing from a file.
ADDED_TO_VERSION_2: dict[str, dict[str, Any]] = {
    # Nobody had asked to be emailed before the box existed.
    "comments": {
        "notify_author": False,
        "notify_replies_from_anyone": False,
        "published_email_sent_at": None,
        "reply_email_sent_at": None,
    },
    # No comment had been returned with a note.
    "status_changes": {"note": ""},
    # Full names, addresses kept as long as the rules use them, and the default edit window, as
    # before the settings.
    "discussion_settings": {
        "privacy_mode": False,
        "address_retention_days": 30,
        "reports_to_hold": 3,
        "edit_minutes": 30,
        # The header showed BLOG_TITLE and no tagline.
        "site_name": "",
        "site_tagline": "",
    },
    # Every reader saw every thread before a post could ask them to post first.
    "posts": {"post_first": False},
}
# Tables added after version 2 was first written: empty in an export made before them.
TABLES_ADDED_TO_VERSION_2 = ("comment_reports", "email_opt_outs", "comment_revisions")


def fill_added_columns(tables: dict[str, Any]) -> dict[str, Any]:
    """``tables`` with the tables and columns added to version 2 since it was written, where
    an older file lacks them (anything that is not a row is left for ``read_rows`` to refuse)."""
    filled = {name: [] for name in TABLES_ADDED_TO_VERSION_2} | tables
    for name, added in ADDED_TO_VERSION_2.items():
        rows = tables.get(name)
        if isinstance(rows, list):
            filled[name] = [added | row if isinstance(row, dict) else row for row in rows]
    return filled


def upgrade_version_1(data: dict[str, Any]) -> dict[str, Any]:
    """A version-1 export in the version-2 shape: history moved out of the comments into
    ``status_changes`` (ids in the order version 1 stored them); what version 1 did not export
    (authors of replies, page versions, instructors, login records, later tables) left empty or
    at its default."""
    posts = _version_1_list(data, "posts")
    comments = _version_1_list(data, "comments")
    settings = data.get("settings")
    if settings is not None and not isinstance(settings, dict):
        raise ExportError('"settings" must be an object or null.')
    history: list[dict[str, Any]] = []
    upgraded_comments = []
    for number, comment in enumerate(comments, start=1):
        comment = dict(comment)
        changes = comment.pop("history", None)
        if not isinstance(changes, list) or not all(isinstance(c, dict) for c in changes):
            raise ExportError(f'comments, row {number}: "history" must be a list of objects.')
        for change in changes:
            history.append(
                {"id": len(history) + 1, "comment_id": comment.get("id"), "instructor_id": None}
                | change
            )
        upgraded_comments.append(comment | {"instructor_id": None, "wordpress_id": None})
    tables: dict[str, list[dict[str, Any]]] = {table.name: [] for table in exported_tables()}
    tables["posts"] = [
        post | VERSION_1_POST_DEFAULTS | {"updated_at": post.get("published_at")} for post in posts
    ]
    tables["comments"] = upgraded_comments
    tables["status_changes"] = history
    tables["discussion_settings"] = (
        [] if settings is None else [{"id": 1} | VERSION_1_SETTINGS_DEFAULTS | settings]
    )
    return {"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "tables": tables}


def _version_1_list(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    rows = data.get(key)
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise ExportError(f'"{key}" must be a list of objects.')
    return rows


def read_rows(table: Table, rows: Any) -> list[dict[str, Any]]:
    """The rows of ``table`` from the file as Python values; refuses a row with a missing or
    unknown column or a value of the wrong type, naming the table, row and column."""
    if not isinstance(rows, list):
        raise ExportError(f'"{table.name}" must be a list of rows.')
    columns = {column.name: column for column in table.columns}
    read = []
    for number, row in enumerate(rows, start=1):
        where = f"{table.name}, row {number}"
        if not isinstance(row, dict):
            raise ExportError(f"{where}: a row must be an object.")
        refuse_unknown_or_missing(row, columns, f"{where}: ", "column")
        values = {}
        for name, column in columns.items():
            try:
                values[name] = from_json(column, row[name])
            except ExportError as error:
                raise ExportError(f'{where}, column "{name}": {error}.') from error
        read.append(values)
    return read


def refuse_unknown_or_missing(
    found: dict[str, Any], expected: dict[str, Any], where: str, noun: str
) -> None:
    """Refuse a name the file has and we do not, then one we need and the file lacks."""
    unknown = sorted(set(found) - set(expected))
    if unknown:
        raise ExportError(f'{where}unknown {noun} "{unknown[0]}".')
    missing = [name for name in expected if name not in found]
    if missing:
        raise ExportError(f'{where}missing {noun} "{missing[0]}".')


def read_document(data: Any) -> dict[str, list[dict[str, Any]]]:
    """Every exported table's rows from a parsed export file, as Python values.

    Refuses anything but an export of this blog (version 2, or version 1, which is upgraded
    first) that holds every exported table and nothing else.
    """
    if not isinstance(data, dict) or data.get("format") != EXPORT_FORMAT:
        raise ExportError("this file is not an export of this blog.")
    if data.get("version") == 1:
        data = upgrade_version_1(data)
    elif data.get("version") != EXPORT_VERSION:
        raise ExportError(
            f"this export has version {data.get('version')!r}; this blog reads versions 1 "
            f"and {EXPORT_VERSION}."
        )
    unknown_keys = sorted(set(data) - {"format", "version", "tables"})
    if unknown_keys:
        raise ExportError(f'unknown key "{unknown_keys[0]}" at the top of the file.')
    tables = data.get("tables")
    if not isinstance(tables, dict):
        raise ExportError('the file has no "tables" object.')
    tables = fill_added_columns(tables)
    expected = {table.name: table for table in exported_tables()}
    refuse_unknown_or_missing(tables, expected, "", "table")
    return {name: read_rows(table, tables[name]) for name, table in expected.items()}


# Import.


def tables_with_rows() -> list[str]:
    """The exported tables that already hold rows."""
    connection = db.session.connection()
    return [
        table.name
        for table in exported_tables()
        if connection.scalar(select(func.count()).select_from(table))
    ]


def import_data(data: Any) -> dict[str, int]:
    """Load a parsed export into an empty database, keeping every id; returns each table's row
    count. One transaction: all of it is stored, or nothing.

    Refuses a file that is not a whole, well-formed export (``ExportError`` names the table, row
    and column), a database that already holds rows, and rows the database itself refuses.
    """
    rows_by_table = read_document(data)
    occupied = tables_with_rows()
    if occupied:
        raise ExportError(
            f'the database is not empty ("{occupied[0]}" holds rows); import only into a '
            "freshly upgraded one."
        )
    try:
        insert_rows(rows_by_table)
        reset_sequences()
        db.session.commit()
    except DBAPIError as error:
        db.session.rollback()
        reason = " ".join(line.strip() for line in str(error.orig).splitlines() if line.strip())
        raise ExportError(
            f"the database refused the rows ({reason}); nothing was stored."
        ) from error
    return {name: len(rows) for name, rows in rows_by_table.items()}


def self_references(table: Table) -> list[Column[Any]]:
    """The columns of ``table`` that refer to its own rows (a comment's parent)."""
    return [
        column
        for column in table.columns
        if any(key.column.table is table for key in column.foreign_keys)
    ]


def insert_rows(rows_by_table: dict[str, list[dict[str, Any]]]) -> None:
    """Insert every table's rows, referred-to tables first, on the session's connection.

    A column that refers to its own table is filled in afterwards, so a reply may come before
    the comment it answers.
    """
    connection = db.session.connection()
    for table in exported_tables():
        rows = rows_by_table[table.name]
        if not rows:
            continue
        later = self_references(table)
        blanked = dict.fromkeys(column.name for column in later)
        connection.execute(insert(table), [row | blanked for row in rows])
        for column in later:
            (key,) = table.primary_key.columns
            links = [
                {"row_key": row[key.name], "link": row[column.name]}
                for row in rows
                if row[column.name] is not None
            ]
            if links:
                connection.execute(
                    update(table)
                    .where(key == bindparam("row_key"))
                    .values({column.name: bindparam("link")}),
                    links,
                )


def reset_sequences() -> None:
    """After inserting explicit ids, PostgreSQL's sequences must continue after the largest:
    every table whose primary key is an integer ``id``."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        key = table.primary_key.columns
        if len(key) != 1 or key[0].name != "id" or not isinstance(key[0].type, Integer):
            continue
        largest = connection.scalar(select(func.max(table.c.id))) or 0
        connection.execute(
            text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :next, false)"),
            {"table": table.name, "next": largest + 1},
        )
