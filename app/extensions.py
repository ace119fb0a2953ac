"""Extension objects, created unbound and initialised inside ``create_app``.

This module imports nothing from the application package, so models and blueprints can import
from it without circular imports.
"""

from __future__ import annotations

from functools import partial

from flask import Flask
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Deterministic constraint names, so Alembic can alter and drop them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Objects stay loaded after a commit: a view that commits and then reads what it just wrote (the
# new comment, for its notification) would otherwise query it all again.
db = SQLAlchemy(model_class=Base, session_options={"expire_on_commit": False})
# Batch mode lets migrations alter tables on SQLite, which has no ALTER COLUMN.
migrate = Migrate(compare_type=True, render_as_batch=True)
csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Please log in to moderate comments."
login_manager.login_message_category = "error"


class ViewLimiter(Limiter):
    """Flask-Limiter for limits declared on views only (we set no default or application-wide
    limits). The ``@limit`` decorators check their own limits, so the hooks Flask-Limiter adds to
    every request would only cost time: about 15% of the throughput of every page read."""

    def init_app(self, app: Flask) -> None:
        super().init_app(app)
        for hooks in (app.before_request_funcs, app.after_request_funcs):
            hooks[None] = [hook for hook in hooks[None] if not self._installed(hook)]
        app.teardown_request_funcs[None] = [
            hook for hook in app.teardown_request_funcs[None] if not self._installed(hook)
        ]

    def _installed(self, hook: object) -> bool:
        """Whether Flask-Limiter put this hook there: one of our bound methods, or a partial
        of one of its functions with us as the first argument."""
        if getattr(hook, "__self__", None) is self:
            return True
        return isinstance(hook, partial) and hook.args[:1] == (self,)


# Limits are declared on the views that need them; storage and switches come from RATELIMIT_*.
limiter = ViewLimiter(key_func=get_remote_address)
# Rendered page parts; keys carry a version read from the database, so each process's own cache
# is safe (see page_cache). Configured from CACHE_* in create_app.
cache = Cache()
