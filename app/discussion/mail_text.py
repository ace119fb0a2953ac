"""What every email of ours needs, with no rules of its own: the mail settings handed in by
the views, and the text helpers that keep a reader's words from passing for ours.

Kept apart from ``notifications.py`` (the instructor's email), which needs the moderation
actions for its one-click links: the moderation use cases queue emails to authors themselves,
and would otherwise import back what imports them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


class BuildUrl(Protocol):
    """``url_for`` for links that leave the site: absolute, on the configured site address."""

    def __call__(self, endpoint: str, /, *, anchor: str | None = None, **values: Any) -> str: ...


@dataclass(frozen=True)
class NotificationSettings:
    """What an email needs from the configuration."""

    url_for: BuildUrl
    secret_key: str
    from_address: str
    blog_title: str


def quoted(text: str) -> str:
    """``text`` with "> " before each line, as mail clients show a quotation. Every character
    that any client may take for a line break (``str.splitlines`` knows them all, U+2028
    included) starts a new quoted line, so no part of the text can stand on a line of its own."""
    return "\n".join(f"> {line}".rstrip() for line in text.splitlines() or [""])


def one_line(text: str) -> str:
    """A one-line field (name, email, website) kept on one line, whatever breaks it holds."""
    return " ".join(text.splitlines())
