"""Slugs: the readable part of a post's URL, suggested from its title."""

from __future__ import annotations

import re
import unicodedata

SLUG_MAX = 200
NOT_SLUG = re.compile(r"[^a-z0-9]+")
SLUG_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,200}")


def slugify(title: str) -> str:
    """``"Ça va? Yes!"`` → ``"ca-va-yes"``: ASCII letters and digits joined by hyphens."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = NOT_SLUG.sub("-", ascii_title.lower()).strip("-")
    return slug[:SLUG_MAX].rstrip("-") or "post"


def is_valid_slug(slug: str) -> bool:
    """Whether ``slug`` fits the URL converter (letters, digits, hyphens, underscores)."""
    return bool(SLUG_SHAPE.fullmatch(slug))


def unique_slug(wanted: str, taken: set[str]) -> str:
    """``wanted``, or ``wanted-2``, ``wanted-3``... the first not in ``taken``."""
    if wanted not in taken:
        return wanted
    number = 2
    while f"{wanted[: SLUG_MAX - 6]}-{number}" in taken:
        number += 1
    return f"{wanted[: SLUG_MAX - 6]}-{number}"
