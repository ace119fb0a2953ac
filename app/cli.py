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
from .extensions import cache, db
from .startup import StartupError, check_schema_is_current
from .transfer.backup import BackupError, backup_sqlite
from .transfer.export import ExportError, import_data, write_export
from .transfer.seed import seed_database


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


@click.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
@needs_current_schema
def export_command(path: Path) -> None:
    """Write every post, comment (with history) and setting to PATH as JSON."""
    counts = write_export(path)
    click.echo(f"Exported {counts['posts']} post(s) and {counts['comments']} comment(s) to {path}.")


@click.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
@needs_current_schema
def import_command(path: Path) -> None:
    """Load an export (from `flask export`) into an empty, upgraded database."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        counts = import_data(data)
    except (ExportError, ValueError, KeyError, TypeError) as error:
        raise click.ClickException(f"Cannot import {path}: {error}") from error
    click.echo(f"Imported {counts['posts']} post(s) and {counts['comments']} comment(s).")


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
        import_roster_command,
    ):
        app.cli.add_command(command)
