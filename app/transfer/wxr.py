"""WordPress's export format (WXR 1.2), out and in, for the command line.

``write_wxr`` writes every post and comment in a file WordPress's own importer accepts. Each post
also carries its text as written here (Markdown or plain) in two ``_classblog_`` post meta
fields, which WordPress keeps hidden and our importer reads back, so a round trip through a file
gives the same pages. Reading is ``publishing.wordpress`` (the Posts screen's upload uses it too);
this module adds the progress through the file.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree as ET

from ..extensions import db
from ..models import BodyFormat, Comment, CommentStatus, Post, PostStatus
from ..publishing.feeds import stable_id
from ..publishing.rendering import render_body
from ..publishing.slugs import slugify
from ..publishing.wordpress import FORMAT_META, SOURCE_META

WP = "http://wordpress.org/export/1.2/"
NAMESPACES = {
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "wp": WP,
}
WP_COMMENT_STATUS = {
    CommentStatus.APPROVED: "1",
    CommentStatus.PENDING: "0",
    CommentStatus.SPAM: "spam",
    CommentStatus.TRASH: "trash",
}


def q(prefix: str, name: str) -> str:
    return f"{{{NAMESPACES[prefix]}}}{name}"


def sub(parent: ET.Element, tag: str, text: object = "") -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = str(text)
    return element


def wp_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


def wp_status(post: Post, now: datetime) -> str:
    if post.status is PostStatus.PUBLISHED:
        return "publish" if post.published_at <= now else "future"
    return "trash" if post.status is PostStatus.TRASH else "draft"


def author_login(name: str) -> str:
    return slugify(name)[:60]


def build_wxr(*, title: str, base_url: str, now: datetime) -> tuple[ET.ElementTree, int, int]:
    """The whole blog as a WXR 1.2 document; with the number of posts and comments in it."""
    for prefix, uri in NAMESPACES.items():
        ET.register_namespace(prefix, uri)
    rss = ET.Element("rss", {"version": "2.0"})
    channel = ET.SubElement(rss, "channel")
    sub(channel, "title", title)
    sub(channel, "link", base_url)
    sub(channel, "description", "")
    sub(channel, "pubDate", format_datetime(now))
    sub(channel, "language", "en")
    sub(channel, q("wp", "wxr_version"), "1.2")
    sub(channel, q("wp", "base_site_url"), base_url)
    sub(channel, q("wp", "base_blog_url"), base_url)
    posts = list(db.session.scalars(db.select(Post).order_by(Post.id)))
    for number, name in enumerate(sorted({p.author_name for p in posts}), start=1):
        author = ET.SubElement(channel, q("wp", "author"))
        sub(author, q("wp", "author_id"), number)
        sub(author, q("wp", "author_login"), author_login(name))
        sub(author, q("wp", "author_email"), "")
        sub(author, q("wp", "author_display_name"), name)
    comments_by_post: dict[int, list[Comment]] = {}
    for comment in db.session.scalars(db.select(Comment).order_by(Comment.id)):
        comments_by_post.setdefault(comment.post_id, []).append(comment)
    host = base_url.split("://", 1)[-1].split("/", 1)[0].split(":")[0]
    comment_count = 0
    for post in posts:
        item = ET.SubElement(channel, "item")
        link = f"{base_url.rstrip('/')}/posts/{post.slug}/"
        sub(item, "title", post.title)
        sub(item, "link", link)
        sub(item, "pubDate", format_datetime(post.published_at))
        sub(item, q("dc", "creator"), author_login(post.author_name))
        sub(item, "guid", stable_id(host, "post", post.id)).set("isPermaLink", "false")
        sub(item, "description", "")
        sub(item, q("content", "encoded"), str(render_body(post)))
        sub(item, q("excerpt", "encoded"), html.escape(post.excerpt))
        sub(item, q("wp", "post_id"), post.id)
        sub(item, q("wp", "post_date"), wp_date(post.published_at))
        sub(item, q("wp", "post_date_gmt"), wp_date(post.published_at))
        sub(item, q("wp", "comment_status"), "open" if post.comments_open else "closed")
        sub(item, q("wp", "ping_status"), "closed")
        sub(item, q("wp", "post_name"), post.slug)
        sub(item, q("wp", "status"), wp_status(post, now))
        sub(item, q("wp", "post_parent"), 0)
        sub(item, q("wp", "menu_order"), 0)
        sub(item, q("wp", "post_type"), "post")
        sub(item, q("wp", "post_password"), "")
        sub(item, q("wp", "is_sticky"), 0)
        if post.body_format is not BodyFormat.HTML:
            for key, value in ((FORMAT_META, post.body_format.value), (SOURCE_META, post.body)):
                meta = ET.SubElement(item, q("wp", "postmeta"))
                sub(meta, q("wp", "meta_key"), key)
                sub(meta, q("wp", "meta_value"), value)
        for comment in comments_by_post.get(post.id, []):
            add_comment(item, comment)
            comment_count += 1
    ET.indent(rss, space=" ")
    return ET.ElementTree(rss), len(posts), comment_count


def add_comment(item: ET.Element, comment: Comment) -> None:
    element = ET.SubElement(item, q("wp", "comment"))
    sub(element, q("wp", "comment_id"), comment.id)
    sub(element, q("wp", "comment_author"), comment.author_name)
    sub(element, q("wp", "comment_author_email"), comment.author_email)
    sub(element, q("wp", "comment_author_url"), comment.author_url)
    sub(element, q("wp", "comment_author_IP"), comment.author_ip)
    sub(element, q("wp", "comment_date"), wp_date(comment.created_at))
    sub(element, q("wp", "comment_date_gmt"), wp_date(comment.created_at))
    # Our comments are plain text; WordPress reads comment content as HTML.
    sub(element, q("wp", "comment_content"), html.escape(comment.body, quote=False))
    sub(element, q("wp", "comment_approved"), WP_COMMENT_STATUS[comment.status])
    sub(element, q("wp", "comment_type"), "comment")
    sub(element, q("wp", "comment_parent"), comment.parent_id or 0)
    sub(element, q("wp", "comment_user_id"), 0)


def write_wxr(path: Path, *, title: str, base_url: str, now: datetime) -> tuple[int, int]:
    """Write the WXR file; returns how many posts and comments it holds."""
    tree, posts, comments = build_wxr(title=title, base_url=base_url, now=now)
    with path.open("wb") as file:
        tree.write(file, encoding="utf-8", xml_declaration=True)
    return posts, comments


class ProgressReader:
    """A binary file that reports how many bytes were read, for a progress bar."""

    def __init__(self, file: IO[bytes], report: Callable[[int], Any]) -> None:
        self.file = file
        self.report = report

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.report(len(data))
        return data
