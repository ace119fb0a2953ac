"""Cached pages that are never stale: versions held in the database, and pages with CSRF holes.

What every reader sees alike (a post with its approved comments as threads, the front page's
list, the instructor's queue) is rendered once and kept in Flask-Caching under a key that
includes a version: each post's ``page_version``, and the ``moderation`` counter for the queue.
Any change to what a page shows bumps its version in the same transaction as the change (a
``before_flush`` hook, so no code path can forget it). Every server process reads the version
on each request, so a process holding an old rendering simply never asks for it again: no
process has to tell another, and no page is served stale.

A cached page is stored split at its CSRF holes, gzipped ahead of time where it can be; each
request puts in only its reader's token.
"""

from __future__ import annotations

import gzip
import hashlib
import pickle
import struct
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from cachelib.serializers import BaseSerializer
from flask import Response, current_app, g, request
from flask_wtf.csrf import generate_csrf
from sqlalchemy import bindparam, event, inspect, select, update
from sqlalchemy.orm import Session

from .extensions import cache, db
from .models import CacheVersion, Comment, CommentStatus, Instructor, Post, StatusChange

APPROVED = CommentStatus.APPROVED
MODERATION = "moderation"
# What a moderation page shows: any change to one of these bumps the moderation version.
MODERATED_MODELS = (Comment, Post, StatusChange, Instructor)
# Stands in for the reader's CSRF token in a cached page. Readers' text can never contain it
# (control characters are stripped from everything they send), and if imported text did, the
# reader would only see their own token there.
CSRF_HOLE = "\x00csrf-token\x00"


def _post_ids_of(comment: Comment) -> set[int]:
    """The post a comment belongs to, and the one it belonged to before this flush."""
    state = inspect(comment)
    ids = set(state.attrs.post_id.history.deleted)
    if comment.post_id is not None:
        ids.add(comment.post_id)
    elif "post" in state.dict and comment.post is not None and comment.post.id is not None:
        ids.add(comment.post.id)  # a new comment attached through the relationship
    return {i for i in ids if i is not None}


def _shows_differently(session: Session, comment: Comment) -> bool:
    """Whether a changed comment changes what every reader sees: it is or was approved."""
    if not session.is_modified(comment):
        return False
    status = inspect(comment).attrs.status.history
    return comment.status is APPROVED or APPROVED in status.deleted


def changed_pages(session: Session) -> set[int]:
    """Ids of the posts whose public page this flush changes."""
    post_ids: set[int] = set()
    for obj in session.new:
        if isinstance(obj, Comment) and obj.status is APPROVED:
            post_ids |= _post_ids_of(obj)
    for obj in session.dirty:
        if isinstance(obj, Comment) and _shows_differently(session, obj):
            post_ids |= _post_ids_of(obj)
        elif isinstance(obj, Post) and session.is_modified(obj) and obj.id is not None:
            post_ids.add(obj.id)
    for obj in session.deleted:
        # Even a held comment: deleting it moves its replies up to its parent.
        if isinstance(obj, Comment):
            post_ids |= _post_ids_of(obj)
    return post_ids


def changes_moderation(session: Session) -> bool:
    return any(
        isinstance(obj, MODERATED_MODELS)
        for objects in (session.new, session.dirty, session.deleted)
        for obj in objects
    )


# Built once: they run in every flush that changes a comment.
BUMP_MODERATION = (
    update(CacheVersion.__table__)
    .where(CacheVersion.__table__.c.name == MODERATION)
    .values(version=CacheVersion.__table__.c.version + 1)
)
BUMP_PAGES = (
    update(Post.__table__)
    .where(Post.__table__.c.id.in_(bindparam("post_ids", expanding=True)))
    .values(page_version=Post.__table__.c.page_version + 1)
)


def bump_page_versions(session: Session, _flush_context: Any, _instances: Any) -> None:
    if changes_moderation(session):
        session.connection().execute(BUMP_MODERATION)
    post_ids = changed_pages(session)
    if not post_ids:
        return
    session.connection().execute(BUMP_PAGES, {"post_ids": sorted(post_ids)})
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Post) and obj.id in post_ids:
            session.expire(obj, ["page_version"])


def watch_page_versions() -> None:
    """Hook the version bump into every flush of the application's session (once)."""
    if not event.contains(db.session, "before_flush", bump_page_versions):
        event.listen(db.session, "before_flush", bump_page_versions)


MODERATION_VERSION = select(CacheVersion.version).where(CacheVersion.name == MODERATION)


def moderation_version() -> int | None:
    """The moderation counter; None (cache nothing) if its row is missing. Read on a pooled
    connection rather than through the ORM session: it runs on every view of the queue."""
    with db.engine.connect() as connection:
        return connection.scalar(MODERATION_VERSION)


@contextmanager
def csrf_hole() -> Iterator[None]:
    """Render with CSRF_HOLE wherever this reader's CSRF token would go.

    Flask-WTF keeps the request's signed token in ``g``; setting it there first makes every form
    and ``csrf_token()`` call use the hole instead.
    """
    field = current_app.config["WTF_CSRF_FIELD_NAME"]
    real = g.pop(field, None)
    setattr(g, field, CSRF_HOLE)
    try:
        yield
    finally:
        g.pop(field, None)
        if real is not None:
            setattr(g, field, real)


# A gzip member header: deflate, no name or comment, no time stamp (RFC 1952).
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"


@dataclass(frozen=True)
class CachedPage:
    """A rendered page split at its CSRF holes and, when it has at most one hole, gzipped ahead
    of time: a page without a form completely, a page with one form up to the hole."""

    chunks: tuple[bytes, ...]
    gzip_head: bytes | None
    head_crc: int

    @classmethod
    def from_html(cls, page: str) -> CachedPage:
        chunks = tuple(chunk.encode() for chunk in page.split(CSRF_HOLE))
        if len(chunks) == 1:
            return cls(chunks, gzip.compress(chunks[0], mtime=0), 0)
        if len(chunks) > 2:  # many tokens (the queue): sent uncompressed
            return cls(chunks, None, 0)
        # Raw deflate, flushed to a byte boundary and not final, so more blocks can follow.
        deflate = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        head = GZIP_HEADER + deflate.compress(chunks[0]) + deflate.flush(zlib.Z_SYNC_FLUSH)
        return cls(chunks, head, zlib.crc32(chunks[0]))

    def gzip_body(self, token: bytes) -> bytes:
        """The whole page as one gzip stream (RFC 1952). With a hole: the cached deflate blocks
        of the part before it, then the token and the short rest (the form, the footer) as they
        are, then the checksum of it all, continued from the cached one."""
        if len(self.chunks) == 1:
            return self.gzip_head
        tail = token + self.chunks[1]
        size = len(self.chunks[0]) + len(tail)
        trailer = struct.pack("<II", zlib.crc32(tail, self.head_crc), size & 0xFFFFFFFF)
        return b"".join((self.gzip_head, stored_blocks(tail), trailer))


def stored_blocks(data: bytes) -> bytes:
    """Deflate "stored" blocks holding ``data`` uncompressed, the last one final (RFC 1951,
    3.2.4). They follow a sync flush, which leaves the stream on a byte boundary, so each header
    is one byte (BFINAL, BTYPE 00, padding) and then LEN and its complement. Storing the few
    kilobytes after the token costs less than compressing them on every request."""
    pieces = [data[start : start + 0xFFFF] for start in range(0, len(data), 0xFFFF)] or [b""]
    last = len(pieces) - 1
    return b"".join(
        bytes([n == last]) + struct.pack("<HH", len(piece), len(piece) ^ 0xFFFF) + piece
        for n, piece in enumerate(pieces)
    )


def cached_page(key: str, render: Callable[[], str]) -> Response:
    """The page under ``key``, rendered by ``render`` on a miss, with this reader's CSRF token
    put into its holes. Stored as the bytes between holes, and gzipped ahead of time for the
    browsers that accept it (all of them): a 1,000-comment page is 0.9 MB of HTML."""
    page = cache.get(key)
    if page is None:
        with csrf_hole():
            page = CachedPage.from_html(render())
        cache.set(key, page)
    chunks = page.chunks
    # A page with no form gets no token, so it sets no session cookie either.
    token = generate_csrf().encode() if len(chunks) > 1 else b""
    if page.gzip_head is not None and request.accept_encodings["gzip"]:
        response = Response(page.gzip_body(token), mimetype="text/html")
        response.content_encoding = "gzip"
    elif len(chunks) <= 2:  # the halves around the token, sent without copying them
        response = Response([chunks[0], token, *chunks[1:]], mimetype="text/html")
    else:  # many buttons (the queue): one joined body beats a hundred small socket writes
        response = Response(token.join(chunks), mimetype="text/html")
    response.vary.add("Accept-Encoding")
    return response


class KeepAsIs(BaseSerializer):
    """For the in-process cache: keep values as they are instead of pickling them, so a hit on a
    1 MB page costs no copy. Safe because everything cached here is immutable."""

    def dumps(self, value: Any, protocol: int = pickle.HIGHEST_PROTOCOL) -> Any:
        return value

    def loads(self, value: Any) -> Any:
        return value


def digest(value: object) -> str:
    """A short, stable stand-in for a value in a cache key."""
    return hashlib.blake2s(repr(value).encode(), digest_size=8).hexdigest()
