"""Atom feeds: the posts, every post's comments, and one post's comments.

Cached by the same versions as the pages and served with an ETag and Last-Modified, so a feed
reader polling an unchanged feed gets ``304 Not Modified``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for

from ..discussion.discussion_settings import load_settings
from ..extensions import cache, db
from ..models import Post, utcnow
from ..publishing import feeds
from ..web.chrome import site_chrome
from ..web.page_cache import digest

bp = Blueprint("feeds", __name__)

ATOM = "application/atom+xml; charset=utf-8"
# Before anything was published: a fixed, old ``updated`` rather than "now", so it is stable.
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


@bp.app_template_filter("atomdate")
def atom_date(moment: datetime) -> str:
    """RFC 3339 in UTC, as Atom wants it: ``2016-03-01T12:05:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@bp.app_template_filter("as_text")
def as_text(markup: object) -> str:
    """HTML as text to be escaped once more: the content of an Atom ``type="html"`` element."""
    return str(markup)


def host() -> str:
    return request.host.split(":")[0]


def feed_response(key: str, updated: datetime, render: Callable[[], str]) -> Response:
    """The feed under ``key`` (rendered on a miss), answering conditional GETs with 304."""
    full_key = f"feed:{request.host_url}:{key}"
    body = cache.get(full_key)
    if body is None:
        body = render().encode()
        cache.set(full_key, body)
    response = Response(body, content_type=ATOM)
    response.set_etag(digest((current_app.config["CACHE_KEY_PREFIX"], full_key)))
    response.last_modified = updated
    response.cache_control.no_cache = True
    response.cache_control.public = True
    return response.make_conditional(request)


@bp.get("/feed/")
def posts() -> Response:
    version = feeds.posts_feed_version(utcnow())
    updated = feeds.last_change([row[3] or row[2] for row in version], EPOCH)

    def render() -> str:
        entries = feeds.feed_posts([row[0] for row in version])
        return render_template(
            "feeds/posts.xml",
            posts=entries,
            feed_id=feeds.stable_id(host(), "feed"),
            updated=updated,
            host=host(),
            stable_id=feeds.stable_id,
        )

    # The feed's title is the course name.
    return feed_response(f"posts:{digest((version, site_chrome()))}", updated, render)


@bp.get("/comments/feed/")
def comments() -> Response:
    return comments_feed(None)


@bp.get("/posts/<slug:slug>/feed/")
def post_comments(slug: str) -> Response:
    post = db.session.scalar(db.select(Post).where(Post.slug == slug))
    if post is None or not post.is_public(utcnow()):
        abort(404)
    return comments_feed(post)


def comments_feed(post: Post | None) -> Response:
    version = feeds.comments_feed_version(utcnow(), post.id if post else None)
    fallback = (post.updated_at or post.published_at) if post else EPOCH
    updated = feeds.last_change([row[3] for row in version], fallback)
    # The post's own version too: its title is in the feed's title.
    key = (
        f"comments:{post.id if post else ''}:{post.page_version if post else ''}:"
        f"{digest((version, site_chrome()))}"
    )

    def render() -> str:
        return render_template(
            "feeds/comments.xml",
            post=post,
            comments=feeds.feed_comments([row[0] for row in version]),
            # Turning privacy mode on or off moves every post's page version, hence the key.
            privacy=load_settings().privacy_mode,
            feed_id=feeds.stable_id(host(), "comments", post.id if post else "all"),
            updated=updated,
            host=host(),
            stable_id=feeds.stable_id,
            self_url=request.base_url,
            alternate=url_for("blog.post", slug=post.slug, _external=True, _anchor="comments")
            if post
            else url_for("blog.index", _external=True),
        )

    return feed_response(key, updated, render)
