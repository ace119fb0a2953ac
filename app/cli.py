"""Command-line commands: thin wrappers over the domain functions."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from .accounts import AccountError, save_instructor
from .seed import seed_database


@click.command("seed")
@with_appcontext
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
def create_instructor_command(username: str, password: str, display_name: str | None) -> None:
    """Create an instructor account, or change the password of an existing one."""
    try:
        instructor, created = save_instructor(username, password, display_name)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    verb = "Created" if created else "Changed the password of"
    click.echo(f"{verb} instructor {instructor.username!r}.")


def register_commands(app: Flask) -> None:
    app.cli.add_command(seed_command)
    app.cli.add_command(create_instructor_command)
