"""Post bodies to safe HTML: Markdown through markdown-it-py, then nh3 to an allowlist.

Whatever HTML comes in (Markdown's raw HTML, a WordPress export) goes through ``nh3`` before a
reader sees it: what is not on the allowlist is removed, links get ``rel`` added, and images are
kept only when they come from this site (another host would learn who reads the post).
"""

from __future__ import annotations

import html as html_module
import re
from functools import lru_cache
from typing import Protocol

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup
from mdit_py_plugins.footnote import footnote_plugin

from ..models import BodyFormat
from ..text import excerpt as word_excerpt
from ..text import render_paragraphs

POST_TAGS = frozenset(
    {
        *("h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "ul", "ol", "li", "blockquote"),
        *("em", "strong", "del", "s", "sup", "sub", "code", "pre", "a", "img"),
        *("table", "thead", "tbody", "tr", "th", "td", "section"),
    }
)
POST_ATTRIBUTES = {
    "a": {"href", "title", "id"},
    "img": {"src", "alt", "title", "width", "height"},
    "li": {"id"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}
# What WordPress lets a commenter write, less anything that loads from elsewhere.
COMMENT_TAGS = frozenset(
    {"p", "br", "a", "em", "strong", "b", "i", "del", "s", "code", "blockquote", "q", "cite"}
)
COMMENT_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Footnote anchors from markdown-it ("fn1", "fnref1", "fnref1:2"): the only ids a body may set,
# so a body can never take an id the page uses (``comments``, ``respond``).
FOOTNOTE_ID = re.compile(r"fn(ref)?\d+(:\d+)?")
IMAGE_WITHOUT_SOURCE = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")


def is_local_url(url: str) -> bool:
    """A path on this site (``/static/a.png``), not ``//host/...`` or ``http://host/...``."""
    return url.startswith("/") and not url.startswith("//") and "\\" not in url


def _keep_attribute(tag: str, name: str, value: str) -> str | None:
    if tag == "img" and name == "src":
        return value if is_local_url(value) else None
    if name == "id":
        return value if FOOTNOTE_ID.fullmatch(value) else None
    return value


def sanitise_post_html(html: str) -> str:
    """HTML of a post body reduced to the allowlist; images from other hosts are dropped."""
    cleaned = nh3.clean(
        html,
        tags=set(POST_TAGS),
        attributes={tag: set(names) for tag, names in POST_ATTRIBUTES.items()},
        attribute_filter=_keep_attribute,
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
    )
    return IMAGE_WITHOUT_SOURCE.sub("", cleaned)


def sanitise_comment_html(html: str) -> str:
    """HTML of a comment (from an import) reduced to what WordPress allows in comments."""
    return nh3.clean(
        html,
        tags=set(COMMENT_TAGS),
        attributes={tag: set(names) for tag, names in COMMENT_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel="nofollow ugc",
    )


def _markdown() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"typographer": True, "html": True})
    parser.enable(["table", "strikethrough", "replacements", "smartquotes"])
    return parser.use(footnote_plugin)


MARKDOWN = _markdown()


def _demote_headings(tokens: list[Token]) -> None:
    """The post's title is the page's ``<h1>``: a body's ``#`` heading becomes an ``<h2>``."""
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(int(token.tag[1]) + 1, 6)}"


@lru_cache(maxsize=512)
def render_markdown(text: str) -> str:
    """CommonMark (with tables, footnotes and smart quotes) to sanitised HTML."""
    tokens = MARKDOWN.parse(text)
    _demote_headings(tokens)
    return sanitise_post_html(MARKDOWN.renderer.render(tokens, MARKDOWN.options, {}))


class HasBody(Protocol):
    body: str
    body_format: BodyFormat
    excerpt: str


def render_body(post: HasBody) -> Markup:
    """A post's body as readers see it, whatever format it was written in."""
    if post.body_format is BodyFormat.PLAIN:
        return render_paragraphs(post.body)
    # Both come out of nh3's allowlist: safe to mark as such.
    if post.body_format is BodyFormat.MARKDOWN:
        return Markup(render_markdown(post.body))  # noqa: S704  # nosec B704
    return Markup(_sanitised_html(post.body))  # noqa: S704  # nosec B704


@lru_cache(maxsize=512)
def _sanitised_html(html: str) -> str:
    # Stored sanitised already; cleaning again on the way out costs little and trusts nothing.
    return sanitise_post_html(html)


FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
TAG = re.compile(r"<[^>]+>")


def html_to_text(html: str) -> str:
    """The text of sanitised HTML, tags removed and entities decoded."""
    return html_module.unescape(TAG.sub("", html))


def post_excerpt(post: HasBody) -> str:
    """The text shown on the front page: the excerpt, else the body's first paragraph (the
    first 50 words of a plain body, as before the editor)."""
    if post.excerpt.strip():
        return post.excerpt.strip()
    if post.body_format is BodyFormat.PLAIN:
        return word_excerpt(post.body)
    match = FIRST_PARAGRAPH.search(str(render_body(post)))
    return word_excerpt(html_to_text(match.group(1))) if match else ""
