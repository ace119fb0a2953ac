"""Reading a WordPress export (WXR 1.0–1.2) into posts and comments: all of it or nothing.

The XML is parsed by ``defusedxml`` (no entity expansion, no external entities), one ``<item>``
at a time, so a large export never sits in memory as a tree. Everything lands in one
transaction: a malformed or truncated file stops with its line number and nothing is kept.
Running it again on the same file updates what it created (keyed by WordPress's post and comment
ids) and creates nothing twice.

Used by ``flask import-wxr`` and by the upload on the Posts screen alike.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any
from urllib.parse import unquote
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from ..extensions import db
from ..models import BodyFormat, Comment, CommentStatus, OldSlug, Post, PostStatus
from .rendering import html_to_text, sanitise_comment_html, sanitise_post_html
from .slugs import is_valid_slug, slugify, unique_slug

WP_NAMESPACE = re.compile(r"https?://wordpress\.org/export/1\.[0-2]/")
NAMESPACES = {
    "http://purl.org/rss/1.0/modules/content/": "content",
    "http://purl.org/dc/elements/1.1/": "dc",
    "http://wellformedweb.org/CommentAPI/": "wfw",
}
# Meta our own export writes, so a round trip keeps the text as the instructor wrote it.
SOURCE_META = "_classblog_source"
FORMAT_META = "_classblog_body_format"

COMMENT_STATUSES = {
    "1": CommentStatus.APPROVED,
    "approve": CommentStatus.APPROVED,
    "0": CommentStatus.PENDING,
    "hold": CommentStatus.PENDING,
    "spam": CommentStatus.SPAM,
    "trash": CommentStatus.TRASH,
    "post-trashed": CommentStatus.TRASH,
}
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class WxrError(Exception):
    """The file cannot be imported; nothing was written."""


@dataclass
class ImportSummary:
    posts_created: int = 0
    posts_updated: int = 0
    comments_created: int = 0
    comments_updated: int = 0
    scheduled: int = 0
    drafts: int = 0
    # Titles of password-protected posts, imported as drafts (never published unprotected).
    protected: list[str] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)

    def lines(self) -> list[str]:
        """The summary in sentences, for the terminal and the Posts screen."""
        lines = [
            f"Posts: {self.posts_created} created, {self.posts_updated} updated "
            f"({self.scheduled} scheduled, {self.drafts} drafts).",
            f"Comments: {self.comments_created} created, {self.comments_updated} updated.",
        ]
        for title in self.protected:
            lines.append(f"“{title}” is password-protected: imported as a draft, not published.")
        labels = {
            "page": "pages (skipped: this blog has posts only)",
            "attachment": "attachments",
            "nav_menu_item": "menu items",
            "pingback": "pingbacks",
            "trackback": "trackbacks",
        }
        for kind, count in sorted(self.skipped.items()):
            lines.append(f"Skipped {count} {labels.get(kind, kind + ' items')}.")
        return lines


def name_of(tag: str) -> str:
    """``{http://wordpress.org/export/1.2/}post_id`` → ``wp:post_id``, whichever WXR version
    or scheme wrote it."""
    if not tag.startswith("{"):
        return tag
    uri, local = tag[1:].split("}", 1)
    if WP_NAMESPACE.fullmatch(uri):
        return f"wp:{local}"
    if WP_NAMESPACE.match(uri) and uri.endswith("/excerpt/"):
        return f"excerpt:{local}"
    return f"{NAMESPACES.get(uri, uri)}:{local}"


def fields_of(element: Element) -> dict[str, str]:
    """An element's simple children by name (the last wins), text stripped of control bytes."""
    return {
        name_of(child.tag): CONTROL_CHARACTERS.sub("", child.text or "")
        for child in element
        if len(child) == 0
    }


def parse_date(gmt: str | None, local: str | None) -> datetime | None:
    """WordPress's ``2016-03-01 12:05:00`` (GMT, else the blog's local time read as UTC)."""
    for value in (gmt, local):
        if value and not value.startswith("0000"):
            try:
                return datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC)
            except ValueError:
                continue
    return None


BLOCK_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
BLOCK_TAG = re.compile(
    r"^\s*<(p|div|h[1-6]|ul|ol|li|blockquote|pre|table|figure|hr|section)\b", re.IGNORECASE
)


def wpautop(html: str) -> str:
    """WordPress's paragraphs: blank lines separate them, single newlines are line breaks.
    Block comments (``<!-- wp:paragraph -->``) go first; chunks that are blocks stay as they are."""
    html = BLOCK_COMMENT.sub("", html).replace("\r\n", "\n").strip()
    chunks = [chunk.strip() for chunk in re.split(r"\n\s*\n", html) if chunk.strip()]
    out = []
    for chunk in chunks:
        if BLOCK_TAG.match(chunk):
            out.append(chunk)
        else:
            out.append("<p>" + chunk.replace("\n", "<br>\n") + "</p>")
    return "\n".join(out)


LINK = re.compile(r'<a href="([^"]*)"[^>]*>(.*?)</a>', re.DOTALL)


def comment_text(html: str) -> str:
    """A WordPress comment as this blog stores comments: text, paragraphs as blank lines.
    Reduced first to what WordPress allows in comments (nothing executable, no images, no
    headings); a link keeps its address after its text."""
    clean = sanitise_comment_html(html.replace("\r\n", "\n"))

    def link(match: re.Match[str]) -> str:
        href, text = html_to_text(match.group(1)), match.group(2)
        return href if html_to_text(text).strip() in ("", href) else f"{text} ({href})"

    clean = LINK.sub(link, clean)
    clean = re.sub(r"<br\s*/?>\n?", "\n", clean)
    clean = re.sub(r"\s*</?(p|blockquote)>\s*", "\n\n", clean)
    text = html_to_text(clean)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


@dataclass
class Item:
    fields: dict[str, str]
    comments: list[dict[str, str]]
    meta: dict[str, str]


def read_items(stream: IO[bytes]) -> Iterator[tuple[str, Any]]:
    """``("author", (login, name))``, ``("version", text)`` and ``("item", Item)`` in file order."""
    saw_rss = False
    for _event, element in iterparse(stream, events=("end",)):
        name = name_of(element.tag)
        if name == "wp:author":
            author = fields_of(element)
            login = author.get("wp:author_login", "")
            yield "author", (login, author.get("wp:author_display_name") or login)
            element.clear()
        elif name == "wp:wxr_version":
            yield "version", (element.text or "").strip()
        elif name == "item":
            comments = [fields_of(c) for c in element if name_of(c.tag) == "wp:comment"]
            meta = {}
            for child in element:
                if name_of(child.tag) == "wp:postmeta":
                    pair = fields_of(child)
                    meta[pair.get("wp:meta_key", "")] = pair.get("wp:meta_value", "")
            yield "item", Item(fields_of(element), comments, meta)
            element.clear()
        elif name == "rss":
            saw_rss = True
    if not saw_rss:
        raise WxrError("This is not a WordPress export: it has no <rss> element.")


class Importer:
    """One import: what exists already (by WordPress id), what the file holds, the summary."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.summary = ImportSummary()
        self.authors: dict[str, str] = {}
        self.posts = {
            p.wordpress_id: p
            for p in db.session.scalars(db.select(Post).where(Post.wordpress_id.is_not(None)))
        }
        self.comments = {
            c.wordpress_id: c
            for c in db.session.scalars(db.select(Comment).where(Comment.wordpress_id.is_not(None)))
        }
        self.slugs = set(db.session.scalars(db.select(Post.slug))) | set(
            db.session.scalars(db.select(OldSlug.slug))
        )
        self.parents: list[tuple[Comment, int]] = []

    def add_post(self, item: Item) -> None:
        fields = item.fields
        kind = fields.get("wp:post_type", "post")
        if kind != "post":
            self.summary.skipped[kind] += 1
            return
        wordpress_id = int_or_none(fields.get("wp:post_id"))
        if wordpress_id is None:
            raise WxrError(f"The post “{fields.get('title', '')}” has no wp:post_id.")
        post = self.posts.get(wordpress_id)
        if post is None:
            post = Post(wordpress_id=wordpress_id, page_version=1, edit_version=1)
            db.session.add(post)
            self.posts[wordpress_id] = post
            self.summary.posts_created += 1
        else:
            self.summary.posts_updated += 1
        self.fill_post(post, item)
        for comment in item.comments:
            self.add_comment(post, comment)

    def fill_post(self, post: Post, item: Item) -> None:
        fields = item.fields
        title = fields.get("title", "").strip()[:200] or "(no title)"
        post.title = title
        creator = fields.get("dc:creator", "")
        post.author_name = (self.authors.get(creator) or creator or "Unknown")[:100]
        published = parse_date(fields.get("wp:post_date_gmt"), fields.get("wp:post_date"))
        post.published_at = published or self.now
        post.updated_at = post.published_at
        wp_status = fields.get("wp:status", "draft")
        if fields.get("wp:post_password"):
            post.status = PostStatus.DRAFT
            self.summary.protected.append(title)
        elif wp_status in ("publish", "future"):
            post.status = PostStatus.PUBLISHED
            if post.published_at > self.now:
                self.summary.scheduled += 1
        else:
            post.status = PostStatus.DRAFT
        if post.status is PostStatus.DRAFT:
            self.summary.drafts += 1
        source_format = item.meta.get(FORMAT_META)
        if SOURCE_META in item.meta and source_format in {f.value for f in BodyFormat}:
            post.body_format = BodyFormat(source_format)
            post.body = item.meta[SOURCE_META]
        else:
            post.body_format = BodyFormat.HTML
            post.body = sanitise_post_html(wpautop(fields.get("content:encoded", "")))
        post.excerpt = html_to_text(sanitise_comment_html(fields.get("excerpt:encoded", "")))
        post.excerpt = post.excerpt.strip()
        post.comments_open = fields.get("wp:comment_status", "open") == "open"
        self.set_slug(post, fields.get("wp:post_name", ""), title)

    def set_slug(self, post: Post, post_name: str, title: str) -> None:
        wanted = unquote(post_name)
        if not is_valid_slug(wanted):
            wanted = slugify(wanted or title)
        if post.slug == wanted:
            return
        self.slugs.discard(post.slug)
        post.slug = unique_slug(wanted, self.slugs)
        self.slugs.add(post.slug)

    def add_comment(self, post: Post, fields: dict[str, str]) -> None:
        kind = fields.get("wp:comment_type", "") or "comment"
        if kind in ("pingback", "trackback"):
            self.summary.skipped[kind] += 1
            return
        wordpress_id = int_or_none(fields.get("wp:comment_id"))
        if wordpress_id is None:
            raise WxrError(f"A comment on “{post.title}” has no wp:comment_id.")
        comment = self.comments.get(wordpress_id)
        if comment is None:
            comment = Comment(wordpress_id=wordpress_id, post=post)
            db.session.add(comment)
            self.comments[wordpress_id] = comment
            self.summary.comments_created += 1
        else:
            comment.post = post
            self.summary.comments_updated += 1
        comment.author_name = fields.get("wp:comment_author", "").strip()[:245] or "Anonymous"
        comment.author_email = fields.get("wp:comment_author_email", "").strip()[:100]
        comment.author_url = fields.get("wp:comment_author_url", "").strip()[:200]
        comment.author_ip = fields.get("wp:comment_author_IP", "").strip()[:45]
        comment.user_agent = ""
        comment.body = comment_text(fields.get("wp:comment_content", ""))
        comment.status = COMMENT_STATUSES.get(
            fields.get("wp:comment_approved", "0"), CommentStatus.PENDING
        )
        created = parse_date(fields.get("wp:comment_date_gmt"), fields.get("wp:comment_date"))
        comment.created_at = created or post.published_at
        parent = int_or_none(fields.get("wp:comment_parent"))
        self.parents.append((comment, parent or 0))

    def link_threads(self) -> None:
        """Parents by WordPress id, once every comment has its own id (a reply may come before
        the comment it answers in the file)."""
        db.session.flush()
        for comment, parent_wordpress_id in self.parents:
            parent = self.comments.get(parent_wordpress_id)
            parent_id = parent.id if parent is not None and parent is not comment else None
            if comment.parent_id != parent_id:
                comment.parent_id = parent_id


def int_or_none(value: str | None) -> int | None:
    try:
        return int((value or "").strip())
    except ValueError:
        return None


def import_wxr(
    stream: IO[bytes], *, now: datetime, progress: Callable[[], None] | None = None
) -> ImportSummary:
    """Import a WordPress export from ``stream``; commits once, or raises ``WxrError`` having
    written nothing. ``progress`` is called after each item."""
    importer = Importer(now)
    version = None
    try:
        with db.session.no_autoflush:
            for kind, value in read_items(stream):
                if kind == "author":
                    importer.authors[value[0]] = value[1]
                elif kind == "version":
                    version = value
                else:
                    if version is None:
                        raise WxrError("This is not a WordPress export: no wp:wxr_version.")
                    importer.add_post(value)
                    if progress is not None:
                        progress()
        if version is None:
            raise WxrError("This is not a WordPress export: no wp:wxr_version.")
        importer.link_threads()
        db.session.commit()
    except ParseError as error:
        db.session.rollback()
        line, column = error.position
        raise WxrError(
            f"The file is not well-formed XML at line {line}, column {column}"
            " (is it truncated?); nothing was imported."
        ) from error
    except DefusedXmlException as error:
        db.session.rollback()
        raise WxrError(
            "The file declares XML entities or a DTD, which a WordPress export never needs; "
            "refused, nothing was imported."
        ) from error
    except BaseException:
        db.session.rollback()
        raise
    return importer.summary
