"""The few places where we read (or set) another library's private state, kept in one module.

Each is a documented-nowhere detail that a library upgrade could move; tests/test_library_state.py
fails if one does. Reading them saves real work on every public page: loading the user (which
hashes the address and user agent), or rendering a page per reader only to find it unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app, g, session

# Flask-Login keeps the logged-in user's id in the session under this key.
LOGIN_USER_KEY = "_user_id"
# Flask's flash() queues messages in the session under this key.
FLASHES_KEY = "_flashes"


def has_login_session() -> bool:
    """Whether this browser's session belongs to a logged-in instructor, without loading the
    user. Where it says yes, views still check ``current_user``."""
    return LOGIN_USER_KEY in session


def has_flashed_messages() -> bool:
    """Whether a message waits to be shown, without taking it off the queue as
    ``get_flashed_messages`` would."""
    return FLASHES_KEY in session


def session_csrf_secret() -> str | None:
    """The raw value Flask-WTF keeps in the session and signs into each CSRF token: the same
    value means an earlier token of this browser is still valid."""
    value = session.get(current_app.config["WTF_CSRF_FIELD_NAME"])
    return value if isinstance(value, str) else None


@contextmanager
def csrf_token_replaced(stand_in: str) -> Iterator[None]:
    """Render with ``stand_in`` wherever this request's CSRF token would go.

    Flask-WTF keeps the request's signed token in ``g`` under the field name and reuses it for
    every form and ``csrf_token()`` call; setting it there first makes them all use the stand-in.
    """
    field = current_app.config["WTF_CSRF_FIELD_NAME"]
    real = g.pop(field, None)
    setattr(g, field, stand_in)
    try:
        yield
    finally:
        g.pop(field, None)
        if real is not None:
            setattr(g, field, real)
