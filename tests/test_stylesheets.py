"""The stylesheets keep one palette: every colour is a custom property declared in a ``:root``
block (the light palette, the dark one under ``prefers-color-scheme``, the print one), and
every rule elsewhere names a variable. A colour written anywhere else fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parent.parent / "app" / "static"
STYLESHEETS = sorted(STATIC.glob("*.css"))

# The CSS named colours (CSS Color Module Level 4), ``transparent`` and ``currentcolor`` aside.
NAMED_COLOURS = frozenset(
    re.split(
        r"\s+",
        """aliceblue antiquewhite aqua aquamarine azure beige bisque black blanchedalmond blue
    blueviolet brown burlywood cadetblue chartreuse chocolate coral cornflowerblue cornsilk crimson
    cyan darkblue darkcyan darkgoldenrod darkgray darkgreen darkgrey darkkhaki darkmagenta
    darkolivegreen darkorange darkorchid darkred darksalmon darkseagreen darkslateblue
    darkslategray darkslategrey darkturquoise darkviolet deeppink deepskyblue dimgray dimgrey
    dodgerblue firebrick floralwhite forestgreen fuchsia gainsboro ghostwhite gold goldenrod gray
    green greenyellow grey honeydew hotpink indianred indigo ivory khaki lavender lavenderblush
    lawngreen lemonchiffon lightblue lightcoral lightcyan lightgoldenrodyellow lightgray lightgreen
    lightgrey lightpink lightsalmon lightseagreen lightskyblue lightslategray lightslategrey
    lightsteelblue lightyellow lime limegreen linen magenta maroon mediumaquamarine mediumblue
    mediumorchid mediumpurple mediumseagreen mediumslateblue mediumspringgreen mediumturquoise
    mediumvioletred midnightblue mintcream mistyrose moccasin navajowhite navy oldlace olive
    olivedrab orange orangered orchid palegoldenrod palegreen paleturquoise palevioletred
    papayawhip peachpuff peru pink plum powderblue purple rebeccapurple red rosybrown royalblue
    saddlebrown salmon sandybrown seagreen seashell sienna silver skyblue slateblue slategray
    slategrey snow springgreen steelblue tan teal thistle tomato turquoise violet wheat white
    whitesmoke yellow yellowgreen""".strip(),
    )
)
COLOUR_FUNCTION = re.compile(r"\b(?:rgba?|hsla?|hwb|lab|lch|oklab|oklch|color)\(", re.I)
HEX = re.compile(r"#[0-9a-f]{3,8}\b", re.I)
COMMENT = re.compile(r"/\*.*?\*/", re.S)
# A declaration: after "{" or ";", a property, a colon and a value up to ";" or "}". A selector
# with a colon (a:hover) is followed by "{", so it never matches.
DECLARATION = re.compile(r"(?<=[{;])\s*(-{0,2}[a-zA-Z][\w-]*)\s*:\s*([^;{}]*)(?=[;}])")
# What a value may hold that is not a colour though it looks like one: strings, url(...) and
# the names of custom properties.
NOT_COLOURS = re.compile(r"\"[^\"]*\"|'[^']*'|url\([^)]*\)|--[\w-]+")


def without_root_blocks(css: str) -> str:
    """The stylesheet without its ``:root { ... }`` blocks (the palettes), wherever they are."""
    out, position = [], 0
    for match in re.finditer(r"(?<![\w-]):root\s*\{", css):
        if match.start() < position:
            continue
        depth, end = 1, match.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(css[end], 0)
            end += 1
        out.append(css[position : match.start()])
        position = end
    out.append(css[position:])
    return "".join(out)


def colour_literals(css: str) -> list[str]:
    """``property: value`` for each declaration outside the palette that writes a colour."""
    found = []
    for prop, value in DECLARATION.findall(without_root_blocks(COMMENT.sub("", css))):
        plain = NOT_COLOURS.sub(" ", value)
        words = {word.lower() for word in re.findall(r"[a-zA-Z]+", plain)}
        if HEX.search(plain) or COLOUR_FUNCTION.search(plain) or words & NAMED_COLOURS:
            found.append(f"{prop}: {value.strip()}")
    return found


@pytest.mark.parametrize(
    ("css", "expected"),
    [
        (".a { color: #fff; }", ["color: #fff"]),
        (".a { background: rgb(0 0 0 / 50%) }", ["background: rgb(0 0 0 / 50%)"]),
        (".a { border: 1px solid hsl(0, 0%, 0%); }", ["border: 1px solid hsl(0, 0%, 0%)"]),
        (".a { outline: 2px solid White; }", ["outline: 2px solid White"]),
        (".a { --brand: #123456; }", ["--brand: #123456"]),
        ("@media print { .a { color: black } }", ["color: black"]),
        (":root { --text: #000; --bg: white; }", []),
        ("@media (prefers-color-scheme: dark) { :root { --text: #eee; } }", []),
        (".a:hover { color: var(--color-red); white-space: nowrap; }", []),
        ('.a::after { content: " (red) #fff"; background: url("#abc"); }', []),
        (".a { color: transparent; border-color: currentColor; }", []),
        ("#respond { color: var(--color-text) } /* #fff */", []),
    ],
)
def test_the_checker_finds_colours_outside_the_palette(css, expected):
    assert colour_literals(css) == expected


@pytest.mark.parametrize("path", STYLESHEETS, ids=lambda p: p.name)
def test_every_colour_in_the_stylesheets_is_a_palette_variable(path):
    assert colour_literals(path.read_text(encoding="utf-8")) == []


def palette(css: str, opening: str) -> set[str]:
    """The custom properties one ``:root`` block declares (the first after ``opening``)."""
    start = css.index(opening)
    block = css[css.index(":root", start) :]
    block = block[: block.index("}")]
    return set(re.findall(r"(--color-[\w-]+|--avatar-(?:\d+|text))\s*:", block))


def test_dark_mode_overrides_every_colour_of_the_light_palette():
    css = (STATIC / "style.css").read_text(encoding="utf-8")
    light = palette(css, "/* The class blog")
    dark = palette(css, "@media (prefers-color-scheme: dark)")
    assert len(light) > 20
    # Only the pending-count badge (white on red) reads the same on both backgrounds.
    assert light - dark == {"--color-count-bg", "--color-count-text"}
    assert "color-scheme: light dark" in css
