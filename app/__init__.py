"""The class blog: an application factory and the small helpers it calls."""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import event
from werkzeug.routing import BaseConverter

from .config import DefaultConfig
from .extensions import cache, csrf, db, limiter, login_manager, migrate
from .page_cache import KeepAsIs, watch_page_versions
from .security import register_security

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


class SlugConverter(BaseConverter):
    """A post's slug in a URL: letters, digits, hyphens and underscores. Anything else is a 404
    before it reaches the database (PostgreSQL refuses a NUL byte, for one)."""

    regex = r"[A-Za-z0-9_-]{1,200}"


class StartupError(SystemExit):
    """The app cannot start; the message says why in one line (and exits with status 1)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: load configuration, bind extensions, register blueprints."""
    app = Flask(__name__, instance_relative_config=True)
    app.url_map.converters["slug"] = SlugConverter
    load_config(app, test_config)
    register_extensions(app)
    if app.config["SCHEMA_CHECK_ON_START"] and not running_migration_command():
        check_schema_is_current(app)
    register_security(app)
    register_blueprints(app)
    register_template_helpers(app)
    register_cli(app)
    return app


def load_config(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    """Defaults, then instance/config.py, then FLASK_* variables; tests use only their mapping."""
    app.config.from_object(DefaultConfig)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env()
    else:
        app.config.from_mapping(test_config)

    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        ensure_instance_folder(app)
        db_path = Path(app.instance_path) / "blog.sqlite3"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{db_path}"
    if not app.config.get("SECRET_KEY"):
        ensure_instance_folder(app)
        app.config["SECRET_KEY"] = load_or_create_secret_key(Path(app.instance_path))


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


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    if app.config["CACHE_REDIS_URL"] and app.config["CACHE_TYPE"] == "SimpleCache":
        app.config["CACHE_TYPE"] = "RedisCache"
    if app.config["CACHE_TYPE"] == "SimpleCache":
        app.config.setdefault("CACHE_SERIALIZER", KeepAsIs)
    cache.init_app(app)
    watch_page_versions()
    with app.app_context():
        configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])


def running_migration_command() -> bool:
    """Whether this process is ``flask ... db <command>``, which must start on an old schema."""
    program = sys.argv[0] if sys.argv else ""
    is_flask_cli = Path(program).name == "flask" or program.endswith("flask/__main__.py")
    return is_flask_cli and "db" in sys.argv[1:]


def check_schema_is_current(app: Flask) -> None:
    """Refuse to start when the database is not at the newest migration (or not built yet)."""
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


def configure_sqlite(engine: Any, busy_timeout_ms: int) -> None:
    """Foreign keys on, WAL journal (readers never block the writer) and a busy timeout."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _set_pragmas(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()


@login_manager.user_loader
def load_instructor(user_id: str) -> Any:
    from .models import Instructor

    return db.session.get(Instructor, int(user_id)) if user_id.isdigit() else None


def register_blueprints(app: Flask) -> None:
    from . import errors
    from .auth.views import bp as auth_bp
    from .blog.views import bp as blog_bp
    from .comments.views import bp as comments_bp
    from .moderation.views import bp as moderation_bp

    app.register_blueprint(blog_bp)
    app.register_blueprint(comments_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(moderation_bp)
    errors.register_error_handlers(app)


def register_template_helpers(app: Flask) -> None:
    from flask_login import current_user

    from . import text
    from .moderation.queries import pending_count

    @app.context_processor
    def moderation_bar() -> dict[str, Any]:
        """The instructor's bar on every page, with the pending count (computed here, not in
        templates)."""
        if not current_user.is_authenticated:
            return {"moderation_bar": None}
        return {"moderation_bar": {"pending": pending_count(), "username": current_user.username}}

    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["paragraphs"] = text.render_paragraphs
    app.jinja_env.filters["date"] = text.format_date
    app.jinja_env.filters["datetime"] = text.format_datetime
    app.jinja_env.filters["isodate"] = text.format_iso
    app.jinja_env.filters["excerpt"] = text.excerpt


def register_cli(app: Flask) -> None:
    from . import cli

    cli.register_commands(app)
