"""What changed between two versions of a comment's text, word by word, for the instructor.

A pure function over plain strings: the queue shows its parts as ``<del>`` and ``<ins>``
(escaped like any other user text), so the instructor reads an author's edit at a glance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum

# Words and the whitespace between them, each a token: the diff is over words, and joining the
# tokens gives the text back exactly.
TOKENS = re.compile(r"\s+|\S+")


class PartKind(StrEnum):
    SAME = "same"
    DELETED = "deleted"
    INSERTED = "inserted"


@dataclass(frozen=True)
class DiffPart:
    kind: PartKind
    text: str


def word_diff(before: str, after: str) -> list[DiffPart]:
    """The parts of ``after`` and ``before`` in reading order: unchanged runs, deleted runs
    (only in ``before``) and inserted runs (only in ``after``); a replaced run is its deletion
    then its insertion. Joining the same and deleted parts gives ``before``; the same and
    inserted parts give ``after``."""
    old, new = TOKENS.findall(before), TOKENS.findall(after)
    parts: list[DiffPart] = []
    matcher = SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add(parts, PartKind.SAME, "".join(old[i1:i2]))
            continue
        add(parts, PartKind.DELETED, "".join(old[i1:i2]))
        add(parts, PartKind.INSERTED, "".join(new[j1:j2]))
    return parts


def add(parts: list[DiffPart], kind: PartKind, text: str) -> None:
    """Append a part, merged into the previous one of the same kind (nothing for no text)."""
    if not text:
        return
    if parts and parts[-1].kind is kind:
        parts[-1] = DiffPart(kind, parts[-1].text + text)
    else:
        parts.append(DiffPart(kind, text))
