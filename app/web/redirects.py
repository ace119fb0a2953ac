"""Where a ``next`` parameter may send someone: only a path on this site."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None, fallback: str) -> str:
    """``target`` if it is a local path (``/moderation?status=spam``), else ``fallback``.

    Refuses anything with a scheme or host, protocol-relative ``//host``, backslashes (which
    browsers treat as slashes), control characters and paths that don't start with one slash.
    """
    if not target or len(target) > 2000:
        return fallback
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return fallback
    if not target.startswith("/") or target.startswith("//"):
        return fallback
    return target
