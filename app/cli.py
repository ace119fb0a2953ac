"""Command-line commands: thin wrappers over the domain functions."""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from .classroom.accounts import AccountError, save_instructor
from .classroom.roster import (
    RosterError,
    apply_import,
    current_roster,
    plan_import,
    preview_lines,
)
from .classroom.roster_file import MAX_BYTES, read_roster_file
from .discussion.outbox import MailTransport, deliver
from .discussion.personal_data import PersonalDataError, erase_commenter, export_commenter
from .discussion.retention import purge_addresses
from .extensions import cache, db
from .models import utcnow
from .publishing.wordpress import WxrError, import_wxr
from .startup import StartupError, check_schema_is_current
from .text import plural
from .transfer.backup import BackupError, backup_sqlite
from .transfer.export import ExportError, import_data, read_export, write_export
from .transfer.seed import seed_database
from .transfer.wxr import ProgressReader, write_wxr


def needs_current_schema(command: Callable[..., Any]) -> Callable[..., Any]:
    """Refuse to run ``command`` on a database that is behind the migrations, in one line."""

    @functools.wraps(command)
    def checked(*args: Any, **kwargs: Any) -> Any:
        try:
            check_schema_is_current(current_app)
        except StartupError as error:
            raise click.ClickException(error.message) from error
        return command(*args, **kwargs)

    return checked


@click.command("seed")
@with_appcontext
@needs_current_schema
def seed_command() -> None:
    """Load the Secret Speech post and its reader comment (safe to run twice)."""
    result = seed_database()
    click.echo(
        f"Seeded {result.posts_created} post(s) and {result.comments_created} comment(s)"
        + ("." if result.posts_created or result.comments_created else "; already there.")
    )


@click.command("create-instructor")
@click.argument("username")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="The new password; asked for twice, hidden, when left out.",
)
@click.option("--display-name", default=None, help="The name shown on the instructor's replies.")
@with_appcontext
@needs_current_schema
def create_instructor_command(username: str, password: str, display_name: str | None) -> None:
    """Create an instructor account, or change the password of an existing one."""
    try:
        instructor, created = save_instructor(username, password, display_name)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    verb = "Created" if created else "Changed the password of"
    click.echo(f"{verb} instructor {instructor.username!r}.")


@click.command("clear-cache")
@with_appcontext
def clear_cache_command() -> None:
    """Empty the page cache (after replacing the database while a shared Redis cache lives on)."""
    cache.clear()
    click.echo("Cleared the page cache.")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Copy the SQLite database to PATH; safe while the server runs."""
    try:
        size = backup_sqlite(db.engine, path)
    except (BackupError, sqlite3.Error) as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backed up the database to {path} ({size:,} bytes).")


def row_counts(counts: dict[str, int]) -> str:
    """``posts 2, comments 6, ...``: each table with its number of rows."""
    return ", ".join(f"{table} {count}" for table, count in counts.items())


@click.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
@needs_current_schema
def export_command(path: Path) -> None:
    """Write every table (posts, comments with history, instructors, settings, login records)
    to PATH as JSON; it holds password hashes and readers' emails and IP addresses."""
    try:
        counts = write_export(path)
    except (ExportError, OSError) as error:
        raise click.ClickException(f"Cannot export: {error}") from error
    click.echo(f"Exported to {path}: {row_counts(counts)} (rows per table).")
    click.echo("It holds password hashes and readers' emails and IP addresses: keep it private.")


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
@needs_current_schema
def import_command(path: Path) -> None:
    """Load an export (from `flask export`) into an empty, upgraded database: all or nothing.
    Then empty the page cache, which may hold pages of the database this one replaces."""
    try:
        counts = import_data(read_export(path))
    except ExportError as error:
        raise click.ClickException(f"Cannot import {path}: {error}") from error
    click.echo(f"Imported {row_counts(counts)} (rows per table).")
    # A shared Redis cache outlives the database: its pages are keyed by versions that the
    # imported rows restart, so it could serve pages of the replaced blog.
    cache.clear()
    click.echo("Cleared the page cache.")


@click.command("purge-addresses")
@click.option(
    "--days",
    type=click.IntRange(min=1),
    default=None,
    help="Erase addresses older than this many days (default: the discussion setting).",
)
@with_appcontext
@needs_current_schema
def purge_addresses_command(days: int | None) -> None:
    """Erase the IP addresses and browsers of comments older than the discussion setting (the
    app also does it once a day), with old failed logins and sent notification emails."""
    result = purge_addresses(utcnow(), days)
    failures = plural(result.login_failures, "failed login")
    click.echo(
        f"Erased the IP addresses and browsers of {plural(result.comments, 'comment')} older "
        f"than {plural(result.days, 'day')}; deleted {failures} and "
        f"{plural(result.sent_messages, 'sent email')}."
    )


@click.command("send-mail")
@with_appcontext
@needs_current_schema
def send_mail_command() -> None:
    """Send every notification still in the outbox now, failed ones included."""
    transport = MailTransport.from_config(current_app.config, current_app.instance_path)
    delivery = deliver(transport, due_only=False)
    if not (delivery.sent or delivery.failed):
        click.echo("The outbox holds nothing to send.")
        return
    click.echo(f"Sent {plural(delivery.sent, 'message')}.")
    if delivery.failed:
        raise click.ClickException(
            f"{plural(delivery.failed, 'message')} could not be sent and stay in the outbox "
            "(the log says why)."
        )


@click.command("import-wxr")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
@needs_current_schema
def import_wxr_command(path: Path) -> None:
    """Import a WordPress export (WXR 1.0–1.2): all of it or nothing; safe to run twice."""
    with (
        path.open("rb") as file,
        click.progressbar(length=path.stat().st_size, label="Importing", file=None) as bar,
    ):
        try:
            summary = import_wxr(ProgressReader(file, bar.update), now=utcnow())
        except WxrError as error:
            raise click.ClickException(f"Cannot import {path}: {error}") from error
    for line in summary.lines():
        click.echo(line)


@click.command("export-wxr")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--base-url", default="http://localhost:5000/", help="The blog's address, for the links."
)
@with_appcontext
@needs_current_schema
def export_wxr_command(path: Path, base_url: str) -> None:
    """Write every post and comment to PATH as a WordPress export (WXR 1.2); it holds readers'
    emails and IP addresses."""
    try:
        posts, comments = write_wxr(
            path, title=current_app.config["BLOG_TITLE"], base_url=base_url, now=utcnow()
        )
    except OSError as error:
        raise click.ClickException(f"Cannot export: {error}") from error
    click.echo(f"Exported {posts} post(s) and {comments} comment(s) to {path}.")


@click.command("export-personal-data")
@click.argument("email")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
@needs_current_schema
def export_personal_data_command(email: str, path: Path) -> None:
    """Write everything stored about the commenter with EMAIL to PATH as JSON."""
    data = export_commenter(email, utcnow())
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    click.echo(f"Exported {len(data['comments'])} comment(s) to {path}.")


@click.command("erase-personal-data")
@click.argument("email")
@click.option(
    "--remove-text", is_flag=True, help="Replace the comments' text too (default: keep it)."
)
@click.confirmation_option(prompt="Erase this commenter's personal data? This cannot be undone.")
@with_appcontext
@needs_current_schema
def erase_personal_data_command(email: str, remove_text: bool) -> None:
    """Erase the personal data of the commenter with EMAIL (name, email, website, IP, browser)."""
    try:
        count = erase_commenter(
            email, keep_text=not remove_text, actor="command line", instructor=None, now=utcnow()
        )
    except PersonalDataError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Erased the personal data on {count} comment(s).")


@click.command("import-roster")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Save without asking, after printing the preview.")
@with_appcontext
@needs_current_schema
def import_roster_command(path: Path, yes: bool) -> None:
    """Load a class list from a CSV file (name, email, optional section): print what would be
    added, changed and ignored, then save it all at once when confirmed."""
    with path.open("rb") as roster:
        data = roster.read(MAX_BYTES + 1)
    roster_file = read_roster_file(data)
    if roster_file.unreadable:
        raise click.ClickException(f"Nothing saved. {roster_file.problems[0].reason}")
    plan = plan_import(roster_file.rows, roster_file.has_section, current_roster())
    for line in preview_lines(roster_file, plan):
        click.echo(line)
    if not plan.has_work:
        click.echo("Nothing to change.")
        return
    if not yes and not click.confirm("Save these changes?", default=False):
        click.echo("Nothing saved.")
        return
    try:
        added, changed = apply_import(plan)
    except RosterError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Saved: {added} added, {changed} changed.")


def register_commands(app: Flask) -> None:
    for command in (
        seed_command,
        create_instructor_command,
        backup_command,
        export_command,
        import_command,
        clear_cache_command,
        send_mail_command,
        purge_addresses_command,
        import_wxr_command,
        export_wxr_command,
        export_personal_data_command,
        erase_personal_data_command,
        import_roster_command,
    ):
        app.cli.add_command(command)
