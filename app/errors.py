"""Error pages in the site's own style."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from .extensions import db


def render_http_error(error: HTTPException) -> tuple[str, int]:
    """Any HTTP error (404, 405, 413, ...) as a page with a heading and one plain sentence."""
    if error.response is not None:  # a response built for this error (the 429 with the form)
        return error.response  # type: ignore[return-value]
    code = error.code or 500
    return render_template("errors/error.html", error=error, code=code), code


def render_csrf_error(error: CSRFError) -> tuple[str, int]:
    """A form sent without a valid token: most often a page left open until the session ended."""
    message = (
        "This form has expired: the page was open for a long time or your session ended. "
        "Nothing was changed. Go back, reload the page and try again."
    )
    return render_template("errors/error.html", error=error, code=400, message=message), 400


def render_server_error(error: Exception) -> tuple[str, int]:
    # The failed request may have left the session mid-transaction; the page must not inherit it.
    db.session.rollback()
    return render_template("errors/500.html"), 500


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(CSRFError, render_csrf_error)
    app.register_error_handler(HTTPException, render_http_error)
    app.register_error_handler(500, render_server_error)
