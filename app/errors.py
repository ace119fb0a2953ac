"""Error pages in the site's own style."""

from __future__ import annotations

from flask import Flask, render_template
from flask.globals import request_ctx
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from werkzeug.exceptions import HTTPException

from .extensions import db

UNUSABLE_HOST = (
    "This blog does not answer to the host name this request was sent to. "
    "Check the address and try again."
)


def can_build_urls() -> bool:
    """Whether ``url_for`` works in this request. It does not when Flask refused the request's
    Host header (not trusted, or a name that cannot be IDNA-encoded): Flask then makes no URL
    adapter, and every page template, which links to our stylesheet, would fail."""
    return request_ctx.url_adapter is not None


def bare_error_page(code: int, name: str, message: str) -> tuple[str, int]:
    """An error page that builds no URL and reads nothing: for requests we cannot link back to."""
    page = (
        '<!doctype html>\n<html lang="en">\n<meta charset="utf-8">\n'
        f"<title>{escape(name)}</title>\n<h1>{escape(name)}</h1>\n<p>{escape(message)}</p>\n"
        "</html>\n"
    )
    return page, code


def render_http_error(error: HTTPException) -> tuple[str, int]:
    """Any HTTP error (404, 405, 413, ...) as a page with a heading and one plain sentence."""
    if error.response is not None:  # a response built for this error (the 429 with the form)
        return error.response  # type: ignore[return-value]
    code = error.code or 500
    if not can_build_urls():
        return bare_error_page(code, error.name, UNUSABLE_HOST)
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
    if not can_build_urls():  # a failure while refusing a Host must not fail a second time
        return bare_error_page(500, "Internal Server Error", "Something went wrong on our side.")
    return render_template("errors/500.html"), 500


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(CSRFError, render_csrf_error)
    app.register_error_handler(HTTPException, render_http_error)
    app.register_error_handler(500, render_server_error)
