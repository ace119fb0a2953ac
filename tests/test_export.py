"""Export and import: the round trip is lossless, proved against the source database itself.

Every table and column, read back from both databases through their own reflection of the
schema (not through the models the export is derived from), must match row for row; the pages
readers and the instructor see must render the same. The refusals store nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import Column, LargeBinary, MetaData, Table, create_engine, event, insert, text

from app import create_app
from app.classroom.accounts import authenticate
from app.discussion.discussion_settings import load_settings
from app.discussion.email_links import make_token
from app.discussion.moderation import Action, apply_action, edit_comment, reply_as_instructor
from app.discussion.returns import return_for_revision
from app.extensions import cache, db
from app.models import (
    BodyFormat,
    Comment,
    CommentReport,
    CommentStatus,
    EmailOptOut,
    Instructor,
    OldSlug,
    Post,
    PostStatus,
    ReportReason,
    StudentCommentLink,
)
from app.transfer.export import (
    NOT_EXPORTED,
    ExportError,
    export_data,
    exported_tables,
    json_kind,
)

from .conftest import BASE_TEST_CONFIG, INSTRUCTOR_PASSWORD, csrf_token_from

PENDING, APPROVED, SPAM, TRASH = (
    CommentStatus.PENDING,
    CommentStatus.APPROVED,
    CommentStatus.SPAM,
    CommentStatus.TRASH,
)
# A time with microseconds, so a round trip that rounds them is caught.
NOW = datetime(2026, 11, 27, 14, 30, 15, 123456, tzinfo=UTC)
NBSP, NARROW_NBSP = "\u00a0", "\u202f"
# Each page rendered from its own database: a cached rendering would hide a difference.
NO_CACHE = {"CACHE_TYPE": "NullCache", "CACHE_NO_NULL_WARNING": True}


@pytest.fixture
def source(
    app: Flask,
    client,
    instructor,
    instructor_password_hash,
    make_post,
    make_comment,
    make_student,
    post_comment,
) -> Flask:
    """A blog holding everything an export must carry: instructors (one with no display name),
    posts (one closed, one quiet, one with an assignment window), threads three deep, comments in
    every status, instructor replies, history from real moderation (by an instructor, by an email
    link, by the rules), saved settings, login failures, a used email link, a roster with a
    comment linked by hand, Unicode and null values."""
    essay = make_post(
        slug="p",
        title="Хрущёв’s “Secret Speech” 😀",
        body=f"第一段{NBSP}— 10{NARROW_NBSP}km.\n\nשלום <b>world</b> & more",
    )
    closed = make_post(
        slug="closed",
        comments_open=False,
        published_at=datetime(2020, 2, 2, 3, 4, 5, 678901, tzinfo=timezone(timedelta(hours=-5))),
    )
    make_post(
        slug="quiet",
        title="No comments yet",
        body_format=BodyFormat.MARKDOWN,
        excerpt="*Soon*",
        close_after_days=7,
        wordpress_id=12,
    )
    make_post(slug="unfinished", title="A draft", status=PostStatus.DRAFT)
    make_post(
        slug="assignment",
        opens_at=datetime(2026, 3, 1, 9, tzinfo=UTC),
        due_at=datetime(2026, 3, 8, 23, 59, 59, tzinfo=UTC),
        closes_at=datetime(2026, 3, 15, tzinfo=UTC),
    )
    make_student("Ada Lovelace", "ada@example.com", section="A")
    linked_student = make_student("Zoë Ng", "zoe@example.edu")
    with app.app_context():
        db.session.add(OldSlug(slug="older-p", post_id=essay))
        db.session.commit()
    assert post_comment(body="From the form: Привет & <script>x</script>").status_code == 302
    top = make_comment(essay, body="Top 🎉", author_url="https://a.example/?q=1&r=<2>")
    question = make_comment(essay, parent_id=top, body=f"质疑{NBSP}?", status=PENDING)
    make_comment(essay, parent_id=question, body="deeper\n\twith tab", status=SPAM)
    binned = make_comment(
        essay,
        body="binned",
        user_agent="Mozilla/5.0 ✓",
        notify_author=True,
        notify_replies_from_anyone=True,
        published_email_sent_at=NOW,
        reply_email_sent_at=NOW,
    )
    wanted = make_comment(closed, body="By email", status=PENDING, author_ip="2001:db8::1")
    held = make_comment(closed, body="Held again", author_name="Zoë 👩‍🎓")

    with app.app_context():
        prof = db.session.get(Instructor, instructor)
        assistant = Instructor(
            username="ta", display_name="", password_hash=instructor_password_hash
        )
        db.session.add(assistant)
        db.session.commit()
        reply_as_instructor(db.session.get(Comment, question), f"答え{NBSP}🙂", prof, NOW, None)
        reply_as_instructor(db.session.get(Comment, top), "Thanks!", assistant, NOW, None)
        apply_action([binned], Action.TRASH, actor="prof", instructor=prof, now=NOW, notify=None)
        apply_action(
            [held], Action.UNAPPROVE, actor="ta", instructor=assistant, now=NOW, notify=None
        )
        # A revision by the instructor, and a comment returned to its author with a note.
        corrected = db.session.get_one(Comment, top)
        edit_comment(
            corrected,
            body="Top 🎉 (typo fixed)",
            author_name=corrected.author_name,
            author_email=corrected.author_email,
            author_url=corrected.author_url,
            instructor=prof,
            now=NOW,
        )
        return_for_revision(
            question, "Cite the “speech”, please.", instructor=prof, notify=None, now=NOW
        )
        settings = load_settings()
        settings.manual_approval = True
        settings.require_prior_approval = False
        settings.max_links = 3
        settings.moderation_words = "essay\nmill 论文"
        settings.disallowed_words = "casino"
        settings.close_after_days = 30
        settings.notify_email = "prof@example.edu"
        db.session.add(settings)
        db.session.add(EmailOptOut(address="gone@example.com", created_at=NOW))
        db.session.commit()
        db.session.add(
            StudentCommentLink(comment_id=held, student_id=linked_student, linked_at=NOW)
        )
        db.session.add(
            CommentReport(
                comment_id=top,
                reason=ReportReason.OTHER,
                note="Spoils the ending ✓",
                reporter_hash="ab" * 32,
                created_at=NOW,
                resolved_at=NOW,
            )
        )
        db.session.commit()
        assert authenticate("prof", "wrong", "2001:db8::7", NOW) is None
        assert authenticate("nobody ☃", "guess", "198.51.100.4", NOW) is None
        token = make_token(app.config["SECRET_KEY"], wanted, Action.APPROVE)
    page = client.get(f"/moderation/email/{token}")
    used = client.post(
        f"/moderation/email/{token}", data={"csrf_token": csrf_token_from(page.text)}
    )
    assert used.status_code == 200
    return app


@pytest.fixture
def target(empty_database_uri: str) -> Iterator[Flask]:
    """An app on a second, freshly migrated and empty database on the backend under test."""
    target = create_app(
        {**BASE_TEST_CONFIG, **NO_CACHE, "SQLALCHEMY_DATABASE_URI": empty_database_uri}
    )
    with target.app_context():
        upgrade()
    yield target
    with target.app_context():
        db.engine.dispose()


def stored_rows(app: Flask) -> dict[str, dict[tuple[Any, ...], dict[str, Any]]]:
    """Every row of every table in ``app``'s database, by primary key, each column as the
    database returns it. Read through a reflection of the database, not through our models."""
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    try:
        schema = MetaData()
        schema.reflect(engine)
        tables: dict[str, dict[tuple[Any, ...], dict[str, Any]]] = {}
        with engine.connect() as connection:
            for table in schema.sorted_tables:
                key = list(table.primary_key.columns)
                rows = connection.execute(table.select().order_by(*key)).mappings()
                tables[table.name] = {
                    tuple(row[column] for column in key): dict(row) for row in rows
                }
        return tables
    finally:
        engine.dispose()


NO_COLUMN = "<no such column>"


def differences(source: dict[str, Any], imported: dict[str, Any]) -> list[str]:
    """Each table, row and column that differs between two ``stored_rows``, in words. Values
    must be equal and of the same type (``1`` is not ``True``)."""
    found = []
    for name in sorted(source.keys() | imported.keys()):
        if name not in imported or name not in source:
            found.append(f"{name}: only in the {'source' if name in source else 'import'}")
            continue
        before, after = source[name], imported[name]
        for key in sorted(before.keys() | after.keys()):
            if key not in after or key not in before:
                found.append(f"{name} {key}: only in the {'source' if key in before else 'import'}")
                continue
            for column in sorted(before[key].keys() | after[key].keys()):
                old, new = before[key].get(column, NO_COLUMN), after[key].get(column, NO_COLUMN)
                if (type(old), old) != (type(new), new):
                    found.append(f"{name} {key} {column}: {old!r} became {new!r}")
    return found


def test_differences_notice_types_missing_rows_and_missing_columns():
    source = {
        "t": {(1,): {"id": 1, "flag": True, "note": None}, (2,): {"id": 2, "flag": False}},
        "gone": {},
    }
    imported = {"t": {(1,): {"id": 1, "flag": 1}}}
    assert differences(source, imported) == [
        "gone: only in the source",
        "t (1,) flag: True became 1",
        "t (1,) note: None became '<no such column>'",
        "t (2,): only in the source",
    ]


def without_not_exported(rows: dict[str, Any]) -> dict[str, Any]:
    return {name: table for name, table in rows.items() if name not in NOT_EXPORTED}


def export_and_import(source: Flask, target: Flask, path: Path) -> str:
    """Run `flask export` on the source and `flask import` on the target; the import's output."""
    exported = source.test_cli_runner().invoke(args=["export", str(path)])
    assert exported.exit_code == 0, exported.output
    imported = target.test_cli_runner().invoke(args=["import", str(path)])
    assert imported.exit_code == 0, imported.output
    return imported.output


def test_the_source_holds_everything_the_export_must_carry(source):
    rows = stored_rows(source)
    for table in exported_tables():
        assert rows[table.name], f"the source has no {table.name}"
    comments = rows["comments"].values()
    assert {c["status"] for c in comments} == {"pending", "approved", "spam", "trash", "returned"}
    assert {c["instructor_id"] for c in comments} >= {None, 1, 2}
    replies_of_replies = [
        c for c in comments if rows["comments"].get((c["parent_id"],), {}).get("parent_id")
    ]
    assert replies_of_replies
    changes = rows["status_changes"].values()
    assert {c["instructor_id"] for c in changes} >= {None, 1, 2}
    assert None in {c["from_status"] for c in changes}
    assert {c["actor"] for c in changes} >= {"prof", "ta", "email link", "rules"}
    assert max(p["page_version"] for p in rows["posts"].values()) > 1


def test_round_trip_is_identical_column_by_column(source, target, tmp_path):
    output = export_and_import(source, target, tmp_path / "export.json")
    assert "comments 9" in output
    assert "Cleared the page cache." in output

    before, after = stored_rows(source), stored_rows(target)
    assert set(before) == {t.name for t in exported_tables()} | set(NOT_EXPORTED) | {
        "alembic_version"
    }
    assert differences(without_not_exported(before), without_not_exported(after)) == []


def test_new_rows_continue_after_the_imported_ids(source, target, tmp_path):
    export_and_import(source, target, tmp_path / "export.json")
    largest = {name: max(key for (key,) in rows) for name, rows in stored_rows(target).items() if name in ("comments", "status_changes")}  # fmt: skip
    with target.app_context():
        prof = db.session.scalar(db.select(Instructor).filter_by(username="prof"))
        parent = db.session.scalar(db.select(Comment).filter_by(status=PENDING))
        reply = reply_as_instructor(parent, "After the move", prof, NOW, None)
        assert reply.id > largest["comments"]
        assert max(change.id for change in reply.history) > largest["status_changes"]


CSRF_VALUE = re.compile(r'(<input[^>]*name="csrf_token"[^>]*value=")[^"]*')


def pages(app: Flask, urls: list[str], *, instructor: bool = False) -> dict[str, str]:
    """Each page's HTML with the CSRF tokens masked, as a reader (or the instructor) gets it."""
    client = app.test_client()
    if instructor:
        login = client.get("/login")
        response = client.post(
            "/login",
            data={
                "csrf_token": csrf_token_from(login.text),
                "username": "prof",
                "password": INSTRUCTOR_PASSWORD,
            },
        )
        assert response.status_code == 302, "the instructor's password did not carry over"
    rendered = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        rendered[url] = CSRF_VALUE.sub(r"\1(token)", response.text)
    return rendered


READER_PAGES = ["/", "/posts/p/", "/posts/closed/", "/posts/quiet/", "/posts/p/?replytocom=1"]
INSTRUCTOR_PAGES = [
    "/moderation",
    "/moderation?status=pending",
    "/moderation?status=spam",
    "/moderation?status=trash",
    "/moderation/settings",
    "/posts/p/",
]


@pytest.mark.app_config(**NO_CACHE)
def test_pages_render_the_same_after_the_round_trip(source, target, tmp_path):
    export_and_import(source, target, tmp_path / "export.json")
    imported = pages(target, READER_PAGES)
    assert imported == pages(source, READER_PAGES)
    assert '<span class="badge">Instructor</span>' in imported["/posts/p/"]
    assert pages(target, INSTRUCTOR_PAGES, instructor=True) == pages(
        source, INSTRUCTOR_PAGES, instructor=True
    )


@pytest.mark.app_config(**NO_CACHE)
def test_the_comparison_reports_a_lost_value(source, target, tmp_path):
    """The checks above can fail: lose who wrote the instructor's replies, as version 1 did."""
    path = tmp_path / "export.json"
    assert source.test_cli_runner().invoke(args=["export", str(path)]).exit_code == 0
    data = json.loads(path.read_text(encoding="utf-8"))
    replies = [c for c in data["tables"]["comments"] if c["instructor_id"] is not None]
    for reply in replies:
        reply["instructor_id"] = None
    path.write_text(json.dumps(data), encoding="utf-8")
    assert target.test_cli_runner().invoke(args=["import", str(path)]).exit_code == 0

    found = differences(
        without_not_exported(stored_rows(source)), without_not_exported(stored_rows(target))
    )
    assert sorted(found) == sorted(
        f"comments ({reply['id']},) instructor_id: {owner!r} became None"
        for reply, owner in zip(replies, (1, 2), strict=True)
    )
    imported = pages(target, ["/posts/p/"])["/posts/p/"]
    assert imported != pages(source, ["/posts/p/"])["/posts/p/"]
    assert "Instructor</span>" not in imported


def test_every_table_is_exported_or_excluded_with_a_reason(app):
    """A table added by a later migration (an outbox, a roster) is exported or listed in
    NOT_EXPORTED with its reason; it is never left out silently."""
    assert unaccounted_tables(app) == set()
    assert all(reason.strip() for reason in NOT_EXPORTED.values())
    assert set(NOT_EXPORTED) <= set(stored_rows(app)), "NOT_EXPORTED names a table that is gone"


def test_a_table_neither_exported_nor_excluded_is_noticed(app):
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("CREATE TABLE outbox (id INTEGER PRIMARY KEY, body TEXT)"))
    try:
        assert unaccounted_tables(app) == {"outbox"}
    finally:
        with app.app_context(), db.engine.begin() as connection:
            connection.execute(text("DROP TABLE outbox"))


def unaccounted_tables(app: Flask) -> set[str]:
    """Tables of the migrated database that the export neither carries nor excludes."""
    exported = {table.name for table in exported_tables()}
    return set(stored_rows(app)) - exported - set(NOT_EXPORTED) - {"alembic_version"}


def test_every_exported_column_has_a_json_form(app):
    for table in exported_tables():
        for column in table.columns:
            assert json_kind(column) in {"time", "choice", "bool", "int", "text"}


def test_a_column_without_a_json_form_is_refused_not_dropped():
    table = Table("attachments", MetaData(), Column("id", LargeBinary, primary_key=True))
    with pytest.raises(ExportError, match=r'"attachments\.id" has no JSON form'):
        json_kind(table.c.id)


def test_export_reads_one_snapshot_while_the_blog_writes(source):
    """A post and its comment written while the export runs are either both in it or neither."""
    with source.app_context():
        engine = db.engine
        written: list[bool] = []

        def write_once(_conn, _cursor, statement: str, *_args: Any) -> None:
            if written or "FROM posts" not in statement:
                return
            written.append(True)
            with engine.begin() as other:
                post = other.execute(
                    insert(db.metadata.tables["posts"]).values(
                        title="Late", slug="late", author_name="A", published_at=NOW, body="b"
                    )
                ).inserted_primary_key[0]
                other.execute(
                    insert(db.metadata.tables["comments"]).values(
                        post_id=post, author_name="L", author_email="l@example.com", body="c",
                        status="approved", created_at=NOW, author_url="", author_ip="",
                        user_agent="",
                    )
                )  # fmt: skip

        event.listen(engine, "after_cursor_execute", write_once)
        try:
            data = export_data()
        finally:
            event.remove(engine, "after_cursor_execute", write_once)
    assert written
    assert "late" not in {post["slug"] for post in data["tables"]["posts"]}
    assert "c" not in {comment["body"] for comment in data["tables"]["comments"]}


def test_export_file_is_inert_as_html_and_says_it_is_private(source, runner, tmp_path):
    path = tmp_path / "export.json"
    result = runner.invoke(args=["export", str(path)])
    assert "keep it private" in result.output
    assert path.stat().st_mode & 0o777 == 0o600
    raw = path.read_text(encoding="utf-8")
    assert "<" not in raw
    data = json.loads(raw)
    assert data["format"] == "classblog-export"
    assert data["version"] == 2
    bodies = {c["body"] for c in data["tables"]["comments"]}
    assert "From the form: Привет & <script>x</script>" in bodies
    assert all(i["password_hash"].startswith("scrypt:") for i in data["tables"]["instructors"])


def test_import_clears_the_page_cache(source, empty_database_uri, tmp_path):
    target = create_app(
        {**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": empty_database_uri}
    )  # the default cache
    with target.app_context():
        upgrade()
        cache.set("post-page:1:1:1", "a page of the blog this database replaces")
    output = export_and_import(source, target, tmp_path / "export.json")
    assert "Cleared the page cache." in output
    with target.app_context():
        assert cache.get("post-page:1:1:1") is None
        db.engine.dispose()


def test_export_to_a_folder_that_does_not_exist_says_so(app, runner, tmp_path):
    result = runner.invoke(args=["export", str(tmp_path / "missing" / "export.json")])
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    assert "Cannot export: [Errno 2] No such file or directory" in result.output


# Refusals: a clear message, no traceback, and nothing stored.


def refused(target: Flask, path: Path, message: str) -> None:
    """Import ``path`` into ``target``, expecting a one-line refusal containing ``message`` and
    an import that stored nothing."""
    result = target.test_cli_runner().invoke(args=["import", str(path)])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # a message, no traceback
    assert message in result.output
    assert "Cleared the page cache" not in result.output
    rows = stored_rows(target)
    assert all(not rows[table.name] for table in exported_tables()), "the import stored rows"


@pytest.fixture
def exported(source: Flask, tmp_path: Path) -> dict[str, Any]:
    """The source's export, parsed, to be spoiled by a test."""
    path = tmp_path / "export.json"
    assert source.test_cli_runner().invoke(args=["export", str(path)]).exit_code == 0
    return json.loads(path.read_text(encoding="utf-8"))


def _spoil(table: str, row: int, column: str, value: Any):
    def spoil(data: dict[str, Any]) -> None:
        data["tables"][table][row][column] = value

    return spoil


def _drop(table: str, row: int, column: str):
    def drop(data: dict[str, Any]) -> None:
        del data["tables"][table][row][column]

    return drop


STATUSES = "pending, approved, spam, trash, returned"


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda d: d.clear() or d.update(hello="world"), "this file is not an export of this blog"),
        (lambda d: d.update(version=3), "this export has version 3; this blog reads versions 1 and 2"),
        (lambda d: d.update(exported_by="me"), 'unknown key "exported_by" at the top of the file'),
        (lambda d: d.pop("tables"), 'the file has no "tables" object'),
        (lambda d: d["tables"].update(outbox=[]), 'unknown table "outbox"'),
        (lambda d: d["tables"].pop("login_failures"), 'missing table "login_failures"'),
        (lambda d: d["tables"].update(posts={}), '"posts" must be a list of rows'),
        (lambda d: d["tables"]["comments"].append([1, 2]), "comments, row 10: a row must be an object"),
        (_spoil("comments", 0, "likes", 3), 'comments, row 1: unknown column "likes"'),
        (_drop("comments", 8, "instructor_id"), 'comments, row 9: missing column "instructor_id"'),
        (_spoil("comments", 1, "status", 7), f'comments, row 2, column "status": expected one of {STATUSES}, got 7'),
        (_spoil("comments", 1, "status", "Approved"), "got 'Approved'"),
        (_spoil("posts", 1, "page_version", "2"), 'posts, row 2, column "page_version": expected a whole number, got \'2\''),
        (_spoil("posts", 0, "id", True), 'posts, row 1, column "id": expected a whole number, got True'),
        (_spoil("posts", 0, "id", 2**40), "is too large for the database"),
        (_spoil("posts", 0, "comments_open", 1), 'posts, row 1, column "comments_open": expected true or false, got 1'),
        (_spoil("instructors", 0, "password_hash", None), 'instructors, row 1, column "password_hash": a value is required, got null'),
        (_spoil("comments", 2, "created_at", "2021-01-01T00:00:00"), "has no UTC offset"),
        (_spoil("comments", 2, "created_at", "yesterday"), "expected an ISO 8601 date and time, got 'yesterday'"),
        (_spoil("comments", 2, "created_at", 1609459200), "expected a date and time as text"),
        (_spoil("posts", 0, "slug", "x" * 201), 'posts, row 1, column "slug": the text is 201 characters long; at most 200 fit'),
        (_spoil("posts", 0, "body", {"text": "b"}), "expected text, got {'text': 'b'}"),
        # Well-formed rows that do not fit together: the database refuses them, after some
        # tables were already inserted, and the transaction takes those back.
        (_spoil("comments", 8, "post_id", 999), "the database refused the rows"),
        (_spoil("comments", 8, "parent_id", 999), "the database refused the rows"),
        (_spoil("posts", 1, "slug", "p"), "the database refused the rows"),
        (_spoil("status_changes", 0, "id", 2), "nothing was stored"),
    ],
)  # fmt: skip
def test_import_refuses_a_spoiled_export(exported, spoil, message, target, tmp_path):
    spoil(exported)
    path = tmp_path / "spoiled.json"
    path.write_text(json.dumps(exported), encoding="utf-8")
    refused(target, path, message)


def test_import_refuses_a_truncated_file(exported, target, tmp_path):
    path = tmp_path / "truncated.json"
    whole = json.dumps(exported, indent=1)
    path.write_text(whole[: len(whole) // 2], encoding="utf-8")
    refused(target, path, "the file is not valid JSON:")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is not valid JSON: Expecting value at line 1, column 1"),
        (b"\xff\xfe{}", "the file is not UTF-8 text"),
        (b'{"format": "classblog-export", "format": 2}', "the key 'format' appears twice"),
        (b'["classblog-export"]', "this file is not an export of this blog"),
    ],
)
def test_import_refuses_a_file_that_is_not_an_export(content, message, target, tmp_path):
    path = tmp_path / "other.json"
    path.write_bytes(content)
    refused(target, path, message)


def test_import_refuses_a_database_that_is_not_empty(source, tmp_path):
    path = tmp_path / "export.json"
    runner = source.test_cli_runner()
    assert runner.invoke(args=["export", str(path)]).exit_code == 0
    before = stored_rows(source)
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 1
    assert "the database is not empty" in result.output
    assert stored_rows(source) == before


def test_import_refuses_a_database_holding_only_an_instructor(app, instructor, runner, tmp_path):
    path = tmp_path / "v1.json"
    path.write_text(json.dumps(VERSION_1), encoding="utf-8")
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 1
    assert 'the database is not empty ("instructors" holds rows)' in result.output
    assert not stored_rows(app)["posts"]


VERSION_1 = {
    "format": "classblog-export",
    "version": 1,
    "posts": [
        {"id": 3, "title": "Old", "slug": "old", "author_name": "S", "body": "B",
         "published_at": "2020-01-02T03:04:05.000006+00:00", "comments_open": True},
    ],
    # A reply listed before the comment it answers: ids and file order need not follow threads.
    "comments": [
        {"id": 4, "post_id": 3, "parent_id": 5, "author_name": "B", "author_email": "b@example.com",
         "author_url": "", "body": "A reply stored before its parent", "status": "pending",
         "created_at": "2020-01-05T00:00:00+00:00", "author_ip": "", "user_agent": "", "history": []},
        {"id": 5, "post_id": 3, "parent_id": None, "author_name": "A", "author_email": "a@example.com",
         "author_url": "", "body": "First", "status": "approved", "created_at": "2020-01-03T00:00:00+00:00",
         "author_ip": "192.0.2.1", "user_agent": "UA",
         "history": [
             {"actor": "rules", "from_status": None, "to_status": "pending", "reason": "held",
              "changed_at": "2020-01-03T00:00:00+00:00"},
             {"actor": "prof", "from_status": "pending", "to_status": "approved", "reason": "",
              "changed_at": "2020-01-04T00:00:00+00:00"},
         ]},
    ],
    "settings": {"manual_approval": True, "require_prior_approval": False, "max_links": 1,
                 "moderation_words": "", "disallowed_words": "", "close_after_days": None,
                 "notify_email": ""},
}  # fmt: skip


def test_import_reads_a_version_1_export(app, runner, tmp_path):
    path = tmp_path / "v1.json"
    path.write_text(json.dumps(VERSION_1), encoding="utf-8")
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    rows = stored_rows(app)
    assert rows["posts"][(3,)]["page_version"] == 1
    assert rows["comments"][(4,)]["parent_id"] == 5
    assert {c["instructor_id"] for c in rows["comments"].values()} == {None}
    assert [
        (c["id"], c["comment_id"], c["to_status"]) for c in rows["status_changes"].values()
    ] == [
        (1, 5, "pending"),
        (2, 5, "approved"),
    ]
    assert rows["discussion_settings"][(1,)]["max_links"] == 1
    with app.app_context():
        new = Comment(post_id=3, author_name="N", author_email="n@example.com", body="New")
        db.session.add(new)
        db.session.commit()
        assert new.id == 6


def test_import_refuses_a_malformed_version_1_export(app, runner, tmp_path):
    data = json.loads(json.dumps(VERSION_1))
    del data["comments"][0]["history"]
    path = tmp_path / "v1.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 1
    assert 'comments, row 1: "history" must be a list of objects' in result.output


def test_an_export_from_before_a_column_was_added_still_imports(
    app, runner, tmp_path, make_post, make_comment
):
    post_id = make_post(slug="p")
    make_comment(post_id, notify_author=True, notify_replies_from_anyone=True)
    path = tmp_path / "export.json"
    assert runner.invoke(args=["export", str(path)]).exit_code == 0
    data = json.loads(path.read_text(encoding="utf-8"))
    for row in data["tables"]["comments"]:
        # As a file written before the columns existed.
        for added in (
            "notify_author",
            "notify_replies_from_anyone",
            "published_email_sent_at",
            "reply_email_sent_at",
        ):
            del row[added]
    for added in ("comment_reports", "email_opt_outs"):
        del data["tables"][added]  # nor the tables
    path.write_text(json.dumps(data), encoding="utf-8")
    with app.app_context():
        db.session.delete(db.session.get_one(Post, post_id))  # its comments go with it
        db.session.commit()
    result = runner.invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    (comment,) = stored_rows(app)["comments"].values()
    assert comment["notify_author"] is False
    assert comment["notify_replies_from_anyone"] is False
    assert comment["published_email_sent_at"] is None
