"""The class blog: an application factory and the small helpers it calls."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event

from .config import DefaultConfig
from .extensions import cache, csrf, db, login_manager, migrate
from .startup import (
    MIGRATIONS_DIR,
    StartupError,
    ensure_instance_folder,
    load_or_create_secret_key,
)
from .web.site import SiteUrlError, default_trusted_hosts, split_site_url


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: load configuration, bind extensions, register blueprints.

    It does not check the database schema: the entry points that serve (``wsgi.py``) and the
    CLI's data commands do, so ``flask db upgrade`` can start on an old schema.
    """
    from .web.converters import SlugConverter

    app = Flask(__name__, instance_relative_config=True)
    app.url_map.converters["slug"] = SlugConverter
    load_config(app, test_config)
    register_extensions(app)
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
    try:
        split_site_url(app.config["SITE_URL"])
    except SiteUrlError as error:
        raise StartupError(str(error)) from error
    if app.config["TRUSTED_HOSTS"] is None:
        app.config["TRUSTED_HOSTS"] = default_trusted_hosts(app.config["SITE_URL"])


def register_extensions(app: Flask) -> None:
    from .classroom.accounts import load_instructor
    from .discussion.outbox import init_mail_sender
    from .discussion.page_versions import watch_page_versions
    from .discussion.retention import init_daily_purge
    from .web.page_cache import KeepAsIs, code_version
    from .web.rate_limits import init_rate_limits
    from .web.security import register_security

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.user_loader(load_instructor)
    init_rate_limits(app)
    if app.config["CACHE_REDIS_URL"] and app.config["CACHE_TYPE"] == "SimpleCache":
        app.config["CACHE_TYPE"] = "RedisCache"
    if app.config["CACHE_TYPE"] == "SimpleCache":
        app.config.setdefault("CACHE_SERIALIZER", KeepAsIs)
    # Every key names the code that rendered it: a deploy starts from fresh keys.
    rendered_by = code_version(Path(app.root_path), metadata.version("classblog"))
    app.config["CACHE_KEY_PREFIX"] = f"{app.config['CACHE_KEY_PREFIX']}{rendered_by}:"
    cache.init_app(app)
    watch_page_versions()
    init_mail_sender(app)
    init_daily_purge(app)
    with app.app_context():
        configure_sqlite(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
    register_security(app)


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


def register_blueprints(app: Flask) -> None:
    from . import errors
    from .auth.views import bp as auth_bp
    from .blog.views import bp as blog_bp
    from .editor.views import bp as editor_bp
    from .feeds.views import bp as feeds_bp
    from .moderation.views import bp as moderation_bp
    from .my_comment.views import bp as my_comment_bp
    from .privacy.views import bp as privacy_bp
    from .reports.views import bp as reports_bp
    from .roster.views import bp as roster_bp

    app.register_blueprint(blog_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(moderation_bp)
    app.register_blueprint(editor_bp)
    app.register_blueprint(feeds_bp)
    app.register_blueprint(privacy_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(roster_bp)
    app.register_blueprint(my_comment_bp)
    errors.register_error_handlers(app)


def register_template_helpers(app: Flask) -> None:
    from . import text
    from .discussion.public_names import commenter_name
    from .publishing.rendering import post_excerpt, render_body
    from .web.chrome import chrome_context
    from .web.site_time import register_site_time

    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.filters["paragraphs"] = text.render_paragraphs
    app.jinja_env.filters["date"] = text.format_date
    app.jinja_env.filters["datetime"] = text.format_datetime
    app.jinja_env.filters["isodate"] = text.format_iso
    app.jinja_env.filters["excerpt"] = text.excerpt
    app.jinja_env.filters["initials"] = text.initials
    app.jinja_env.filters["avatar_colour"] = text.avatar_colour_index
    app.jinja_env.filters["post_body"] = render_body
    app.jinja_env.filters["post_excerpt"] = post_excerpt
    # A commenter's name as readers see it (privacy mode): {{ comment|commenter(privacy) }}.
    app.jinja_env.filters["commenter"] = commenter_name
    register_site_time(app)
    app.context_processor(chrome_context)


def register_cli(app: Flask) -> None:
    from . import cli

    cli.register_commands(app)
