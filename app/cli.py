"""Command-line commands: thin wrappers over the domain functions."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

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


def register_commands(app: Flask) -> None:
    app.cli.add_command(seed_command)
