"""Initials avatars: the letters, the colour, and what a page shows (nothing from another host)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.text import AVATAR_COLOURS, avatar_colour_index, initials

STYLE = Path(__file__).resolve().parent.parent / "app" / "static" / "style.css"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Ada Lovelace", "AL"),
        ("ada lovelace", "AL"),
        ("Ada King Lovelace", "AL"),
        ("Ada L.", "AL"),  # the privacy mode's public name
        ("Anonymous", "A"),
        ("  Zoë  ", "Z"),
        ("Émile Zola", "ÉZ"),
        ("E\u0301mile Zola", "ÉZ"),  # a combining accent, normalised
        ("łukasz ŻUK", "ŁŻ"),
        ("毛泽东", "毛"),
        ("Ольга Петрова", "ОП"),
        ("(Ada) 'Lovelace'", "AL"),
        ("ß", "ß"),  # upper-cased it would be two letters
        ("R2 D2", "RD"),
        ("!!!", "?"),
        ("🙂", "?"),
        ("", "?"),
    ],
)
def test_initials(name, expected):
    assert initials(name) == expected


def test_the_colour_is_stable_and_spreads_over_the_palette():
    assert avatar_colour_index("Ada Lovelace") == avatar_colour_index("ada  LOVELACE ")
    # Fixed across processes and releases: a checksum, not Python's salted hash().
    assert avatar_colour_index("Ada Lovelace") == 1
    indexes = [avatar_colour_index(f"Reader {n}") for n in range(200)]
    assert set(indexes) == set(range(AVATAR_COLOURS))
    assert max(indexes.count(i) for i in range(AVATAR_COLOURS)) < 40


def test_every_colour_index_has_a_palette_colour_in_light_and_dark():
    css = STYLE.read_text(encoding="utf-8")
    for index in range(AVATAR_COLOURS):
        assert len(re.findall(rf"--avatar-{index}:\s*#[0-9a-f]{{6}}", css)) == 2  # light, dark
        assert f".avatar-{index} {{ background: var(--avatar-{index}); }}" in css


def relative_luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_initials_meet_wcag_aa_on_every_avatar_colour(scheme):
    css = STYLE.read_text(encoding="utf-8")
    dark_start = css.index("@media (prefers-color-scheme: dark)")
    block = css[:dark_start] if scheme == "light" else css[dark_start : css.index("}", dark_start)]
    text = re.search(r"--avatar-text:\s*(#[0-9a-f]{6})", block).group(1)
    for index in range(AVATAR_COLOURS):
        background = re.search(rf"--avatar-{index}:\s*(#[0-9a-f]{{6}})", block).group(1)
        assert contrast(text, background) >= 4.5, (scheme, index, background)


def test_each_comment_shows_its_authors_initials_hidden_from_screen_readers(
    client, make_post, make_comment
):
    post_id = make_post(slug="p")
    make_comment(post_id, author_name="Ada Lovelace")
    make_comment(post_id, author_name="<Eve> Mallory")
    page = client.get("/posts/p/").text
    colour = avatar_colour_index("Ada Lovelace")
    assert f'<span class="avatar avatar-{colour}" aria-hidden="true">AL</span>' in page
    assert 'aria-hidden="true">EM</span>' in page  # letters only, and the name escaped
    assert "&lt;Eve&gt; Mallory" in page
    assert "gravatar" not in page.lower()
