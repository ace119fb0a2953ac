"""The public-name rule of privacy mode, as a plain function: no request, no database."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.discussion.public_names import commenter_name, public_name, short_name


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Ada Lovelace", "Ada L."),
        ("ada lovelace", "ada l."),  # the initial keeps the case it was typed in
        ("Mary Ann van der Berg", "Mary B."),  # first word, initial of the last word
        ("Jean-Luc Picard", "Jean-Luc P."),
        ("Ada", "Ada"),  # one word stays as it is
        ("A", "A"),
        ("A B", "A B."),
        ("Anonymous", "Anonymous"),
        ("", ""),
        ("   ", ""),
        ("  Ada    Lovelace  ", "Ada L."),  # extra spaces
        ("Ada\tLovelace\n", "Ada L."),
        ("Ada\u00a0Lovelace", "Ada L."),  # a no-break space is a space too
        ("Ada\u3000Lovelace", "Ada L."),  # so is the ideographic one
        ("Ada L.", "Ada L."),  # already short: unchanged, so the rule can run twice
        ("J. R. R. Tolkien", "J. T."),  # names with dots
        ("Martin Luther King Jr.", "Martin J."),
        ("Łukasz Żółkiewski", "Łukasz Ż."),
        ("Zoë Ångström", "Zoë Å."),
        ("Zoe\u0308 A\u030angstro\u0308m", "Zoë Å."),  # decomposed accents are composed first
        ("Ἀριστοτέλης Σταγειρίτης", "Ἀριστοτέλης Σ."),
        ("Иван Петров", "Иван П."),
        ("محمد علي", "محمد ع."),
        ("王 小明", "王 小."),
        ("Ada 🦊", "Ada"),  # an emoji has no initial
        ("🦊 Fox", "🦊 F."),
        ("Ada O'Brien", "Ada O."),
        ("Ada (Lovelace)", "Ada L."),  # the first letter, not the bracket
        ("Ada 42", "Ada"),
    ],
)
def test_short_name(name: str, shown: str) -> None:
    assert short_name(name) == shown


def test_an_initial_with_a_combining_mark_keeps_it() -> None:
    # No precomposed form exists for q + dot below: the mark must stay with its letter.
    assert short_name("Ada q\u0323uinn") == "Ada q\u0323."


@pytest.mark.parametrize("name", ["Ada Lovelace", "Mary Ann van der Berg", "Anonymous", "A"])
def test_off_shows_the_name_as_given(name: str) -> None:
    assert public_name(name, privacy=False) == name


def test_on_shortens() -> None:
    assert public_name("Ada Lovelace", privacy=True) == "Ada L."


def test_staff_keep_their_display_name() -> None:
    assert public_name("Professor Lee", privacy=True, staff=True) == "Professor Lee"


def test_the_instructors_replies_keep_the_display_name() -> None:
    reply = SimpleNamespace(author_name="Professor Grace Lee", instructor_id=1)
    student = SimpleNamespace(author_name="Grace Hopper", instructor_id=None)
    assert commenter_name(reply, True) == "Professor Grace Lee"
    assert commenter_name(student, True) == "Grace H."
    assert commenter_name(student, False) == "Grace Hopper"
