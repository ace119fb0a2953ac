"""What the application needs before it serves: a writable instance folder, a secret key, and a
database at the newest migration."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask

from .extensions import db

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


class StartupError(SystemExit):
    """The app cannot start; the message says why in one line (and exits with status 1)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def ensure_instance_folder(app: Flask) -> None:
    """Create the instance folder if needed; refuse to start if it cannot be written."""
    path = app.instance_path
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        raise StartupError(f"Cannot create the instance folder {path}: {exc.strerror}.") from exc
    if not os.access(path, os.W_OK | os.X_OK):
        raise StartupError(f"The instance folder {path} is not writable.")


def load_or_create_secret_key(instance_path: Path) -> str:
    """Read instance/secret_key, creating it with a random key the first time.

    The key is written to a temporary file and linked into place, so two processes starting at
    once agree on one key and nobody reads a half-written file.
    """
    key_path = instance_path / "secret_key"
    if key_path.exists():
        return key_path.read_text(encoding="ascii").strip()
    temp_path = instance_path / f".secret_key.{secrets.token_hex(8)}"
    fd = os.open(temp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as temp_file:
        temp_file.write(secrets.token_hex(32))
    try:
        os.link(temp_path, key_path)
    except FileExistsError:
        pass  # another process won the race; use its key
    finally:
        temp_path.unlink()
    return key_path.read_text(encoding="ascii").strip()


def check_schema_is_current(app: Flask) -> None:
    """Refuse to start when the database is not at the newest migration (or not built yet).

    Called by the entry points that serve or change data (``wsgi.py`` and the data commands of
    the CLI), never by ``create_app``: ``flask db upgrade`` must start on an old schema.
    """
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    expected = set(ScriptDirectory.from_config(config).get_heads())
    with app.app_context():
        with db.engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
        # Gunicorn forks workers after this: they must not share this connection.
        db.engine.dispose()
    if current != expected:
        found = ", ".join(sorted(current)) or "no schema yet"
        needed = ", ".join(sorted(expected))
        raise StartupError(
            f"The database is behind the code ({found}; the code needs {needed}). "
            "Run: flask --app app db upgrade"
        )
