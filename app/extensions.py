"""Extension objects, created unbound and initialised inside ``create_app``.

This module imports nothing from the application package, so models and blueprints can import
from it without circular imports.
"""

from __future__ import annotations

from flask_caching import Cache
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


# Rendered page parts; keys carry a version read from the database, so each process's own cache
# is safe (see page_cache). Configured from CACHE_* in create_app.
cache = Cache()
