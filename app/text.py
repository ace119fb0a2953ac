"""Turning stored plain text into safe HTML, and formatting dates for people.

Reader text is never trusted as HTML: every piece is escaped, then only our own tags (``<p>``,
``<br>``, ``<a rel="nofollow ugc">``) are added around it.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from datetime import UTC, datetime, tzinfo
from functools import lru_cache

from markupsafe import Markup, escape

PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
# A bare http(s) link ends at whitespace or at a character that cannot be in a URL we'd write out.
BARE_URL = re.compile(r"\bhttps?://[^\s<>\"'`]+", re.IGNORECASE)
TRAILING_PUNCTUATION = ".,;:!?)]}'\""


def split_url(candidate: str) -> tuple[str, str]:
    """Split trailing sentence punctuation off a matched link: ``(see http://a.b/x).``."""
    url = candidate.rstrip(TRAILING_PUNCTUATION)
    # Keep a closing parenthesis that belongs to the link, as in Wikipedia URLs.
    while candidate[len(url) : len(url) + 1] == ")" and url.count("(") > url.count(")"):
        url += ")"
    return url, candidate[len(url) :]


def linkify(text: str) -> Markup:
    """Escape ``text`` and turn bare http(s) links into ``rel="nofollow ugc"`` links."""
    parts: list[Markup] = []
    position = 0
    for match in BARE_URL.finditer(text):
        url, tail = split_url(match.group())
        parts.append(escape(text[position : match.start()]))
        if url.lower() in ("http://", "https://"):
            parts.append(escape(url))
        else:
            parts.append(Markup('<a href="{0}" rel="nofollow ugc">{0}</a>').format(url))
        parts.append(escape(tail))
        position = match.end()
    parts.append(escape(text[position:]))
    return Markup("").join(parts)


def count_links(text: str) -> int:
    """How many links a reader's text holds, counted the way ``linkify`` would show them."""
    return sum(1 for match in BARE_URL.finditer(text) if split_url(match.group())[0])


def render_paragraphs(text: str) -> Markup:
    """Plain text as HTML paragraphs: blank lines separate paragraphs, single newlines are kept."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    paragraphs = [p for p in PARAGRAPH_BREAK.split(text) if p.strip()]
    html = []
    for paragraph in paragraphs:
        lines = [linkify(line) for line in paragraph.split("\n")]
        html.append(Markup("<p>{}</p>").format(Markup("<br>\n").join(lines)))
    return Markup("\n").join(html)


def format_date(value: datetime, zone: tzinfo = UTC) -> str:
    """``March 1, 2016`` (in UTC unless another zone is given)."""
    value = value.astimezone(zone)
    return f"{value:%B} {value.day}, {value.year}"


def format_datetime(value: datetime, zone: tzinfo = UTC) -> str:
    """``March 1, 2016 at 12:05 pm`` (in UTC unless another zone is given)."""
    value = value.astimezone(zone)
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{format_date(value, zone)} at {hour}:{value:%M} {suffix}"


def format_iso(value: datetime) -> str:
    """Machine-readable time for ``<time datetime="...">``, in UTC written with a ``Z``
    (``2026-03-03T08:00:00Z``), the form every browser's ``Date`` reads."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def excerpt(text: str, max_words: int = 50) -> str:
    """The first ``max_words`` words of ``text``, with an ellipsis when it was cut."""
    words = text.split()
    if len(words) <= max_words:
        return " ".join(words)
    return " ".join(words[:max_words]).rstrip(",;:.") + "…"


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """``1 comment``, ``2 comments``."""
    return f"{count} {singular if count == 1 else plural_form or singular + 's'}"


ASCII_ID = re.compile(r"[0-9]{1,10}")
# The largest id every backend's integer primary key holds (PostgreSQL's INTEGER).
MAX_ID = 2**31 - 1


def positive_id(text: str | None) -> int | None:
    """The row id written in ``text`` (ASCII digits only, 1 to 2,147,483,647), else None.

    ``str.isdigit()`` is no test: it says yes to ``²`` and ``①``, which ``int()`` refuses, and to
    ``٣``, which ``int()`` reads as 3; an id in a URL or a form is only ever written in ASCII.
    """
    if text is None or not ASCII_ID.fullmatch(text):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


# How many avatar colours the stylesheet defines (``--avatar-0`` ... ``--avatar-9``).
AVATAR_COLOURS = 10


def _first_letter(word: str) -> str:
    """The first letter or digit of ``word``, with the combining marks after it ("" if none)."""
    for position, char in enumerate(word):
        if char.isalnum():
            end = position + 1
            while end < len(word) and unicodedata.combining(word[end]):
                end += 1
            letter = word[position:end]
            upper = letter.upper()
            return upper if len(upper) == len(letter) else letter  # "ß" stays one letter
    return ""


@lru_cache(maxsize=4096)
def initials(name: str) -> str:
    """The initials for an avatar: the first letters of the first and last words ("Ada
    Lovelace" → "AL", "Ada L." → "AL"), of the one word there is ("Anonymous" → "A"), or "?" for
    a name without a letter or digit. Works on any script (accents, combining marks, CJK)."""
    words = [
        w for w in (_first_letter(part) for part in unicodedata.normalize("NFC", name).split()) if w
    ]
    if not words:
        return "?"
    return words[0] + words[-1] if len(words) > 1 else words[0]


@lru_cache(maxsize=4096)
def avatar_colour_index(name: str, colours: int = AVATAR_COLOURS) -> int:
    """Which of the palette's avatar colours ``name`` gets: the same for the same name on every
    page and in every process (a checksum, not Python's per-process ``hash``), whatever its case
    or spacing."""
    key = " ".join(unicodedata.normalize("NFC", name).casefold().split())
    return zlib.crc32(key.encode()) % colours
