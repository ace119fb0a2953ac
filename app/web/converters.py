"""URL converters."""

from __future__ import annotations

from werkzeug.routing import BaseConverter


class SlugConverter(BaseConverter):
    """A post's slug in a URL: letters, digits, hyphens and underscores. Anything else is a 404
    before it reaches the database (PostgreSQL refuses a NUL byte, for one)."""

    regex = r"[A-Za-z0-9_-]{1,200}"
