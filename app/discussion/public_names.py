"""The name a commenter is shown under in public, with the site's privacy mode on or off.

A class blog is public and many students do not want their full names indexed next to their
coursework. With privacy mode on, every public page, feed and email to other readers shows a
student as their first name and last initial ("Ada Lovelace" becomes "Ada L."); only the
logged-in instructor sees the full name. The instructor's own replies keep their display name:
they are staff, not students.

Every place that shows a commenter's name to someone else calls ``public_name`` (templates
through the ``commenter`` filter), so the rule lives here once.
"""

from __future__ import annotations

import unicodedata
from typing import Protocol


def short_name(name: str) -> str:
    """ "First L.": the first word of ``name`` and the initial of its last word.

    Words are split on any run of whitespace, so extra and odd spaces do not matter. A name of
    one word ("Anonymous", "Ada", "A", "🦊") stays as it is; so does an empty one. The initial is
    the last word's first letter as it was typed (letter case kept, accents and combining marks
    kept with it), so "Mary Ann van der Berg" becomes "Mary B." and "Ada L." stays "Ada L.". A
    last word without any letter (an emoji, a number) gives no initial: "Ada 🦊" becomes "Ada".
    """
    words = unicodedata.normalize("NFC", name).split()
    if len(words) < 2:
        return " ".join(words)
    initial = _initial(words[-1])
    return f"{words[0]} {initial}." if initial else words[0]


def _initial(word: str) -> str:
    """The first letter of ``word`` with any combining marks that follow it ("" if none)."""
    for index, character in enumerate(word):
        if character.isalpha():
            end = index + 1
            while end < len(word) and unicodedata.combining(word[end]):
                end += 1
            return word[index:end]
    return ""


def public_name(name: str, *, privacy: bool, staff: bool = False) -> str:
    """The name other readers see for a commenter called ``name``: in privacy mode "First L."
    (see ``short_name``), otherwise the name as given. ``staff`` (the instructor's replies,
    signed with their display name) are never shortened."""
    if not privacy or staff:
        return name
    return short_name(name)


class Authored(Protocol):
    """What ``commenter_name`` reads from a comment."""

    author_name: str
    instructor_id: int | None


def commenter_name(comment: Authored, privacy: bool) -> str:
    """The public name of ``comment``'s author (the ``commenter`` template filter): the
    instructor's replies keep their display name."""
    staff = comment.instructor_id is not None
    return public_name(comment.author_name, privacy=privacy, staff=staff)
