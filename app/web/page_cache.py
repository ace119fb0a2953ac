"""Cached pages, the HTTP half: pages with CSRF holes, gzipped ahead of time.

What every reader sees alike (a post with its approved comments as threads, the front page's
list, the instructor's queue) is rendered once and kept in Flask-Caching under a key that
includes a version held in the database (``discussion.page_versions`` moves it with every
change), so no page is served stale.

A cached page is stored split at its CSRF holes, gzipped ahead of time where it can be; each
request puts in only its reader's token.
"""

from __future__ import annotations

import gzip
import hashlib
import pickle
import struct
import zlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cachelib.serializers import BaseSerializer
from flask import Response, current_app, request
from flask_wtf.csrf import generate_csrf

from ..extensions import cache
from .library_state import (
    csrf_token_replaced,
    has_flashed_messages,
    has_login_session,
    session_csrf_secret,
)
from .reader_memory import AUTHOR_COOKIES

# Stands in for the reader's CSRF token in a cached page. Readers' text can never contain it
# (control characters are stripped from everything they send), and if imported text did, the
# reader would only see their own token there.
CSRF_HOLE = "\x00csrf-token\x00"


def request_is_personal(
    *,
    shows_saved_details: bool = False,
    holds_own_content: Callable[[], bool] | None = None,
    keyed_to_user: bool = False,
) -> bool:
    """The one rule for whether this request must not get a cached page: something on the page
    is this reader's own, beyond the CSRF token the cache puts in.

    Always personal: a flashed message waiting to be shown. Personal unless the cache entry is
    keyed to this user (``keyed_to_user``, the instructor's queue): a login session, which shows
    the instructor's bar. For a page that shows the reader's saved name, email and website or a
    reply target (``shows_saved_details``): their cookies or ``?replytocom``. Last, and only if
    nothing else decided (it may query): ``holds_own_content``, such as a held comment of theirs
    or, on a post-first post, a comment of theirs that opens the thread to them (the shared copy
    of such a post never holds the thread).
    """
    if has_flashed_messages():
        return True
    if not keyed_to_user and has_login_session():
        return True
    if shows_saved_details and (
        "replytocom" in request.args
        or any(cookie in request.cookies for cookie in AUTHOR_COOKIES.values())
    ):
        return True
    return holds_own_content is not None and holds_own_content()


def csrf_hole() -> AbstractContextManager[None]:
    """Render with CSRF_HOLE wherever this reader's CSRF token would go."""
    return csrf_token_replaced(CSRF_HOLE)


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
    browsers that accept it (all of them): a 1,000-comment page is 0.9 MB of HTML.

    A browser that already holds this very page (its ``If-None-Match`` names the page's ETag)
    gets ``304 Not Modified`` and downloads nothing.
    """
    page = cache.get(key)
    if page is None:
        with csrf_hole():
            page = CachedPage.from_html(render())
        cache.set(key, page)
    chunks = page.chunks
    gzipped = page.gzip_head is not None and bool(request.accept_encodings["gzip"])
    has_form = len(chunks) > 1
    # The token in a page this browser holds is still good while its session keeps the same
    # CSRF secret; a page without a form is the same for everyone.
    etag = page_etag(key, session_csrf_secret() if has_form else "", gzipped)
    if etag is not None and etag in request.if_none_match:
        response = Response(status=304)
    else:
        response = page_response(page, generate_csrf().encode() if has_form else b"", gzipped)
        if has_form:
            etag = page_etag(key, session_csrf_secret(), gzipped)  # a first visit's new secret
    if etag is not None:
        response.set_etag(etag)
    # Revalidate on each visit: the ETag makes that a 304 while the page is unchanged. A page
    # with a token is this browser's own, never a shared cache's.
    response.cache_control.no_cache = True
    if has_form:
        response.cache_control.private = True
    response.vary.add("Accept-Encoding")
    return response


def page_etag(key: str, csrf_secret: str | None, gzipped: bool) -> str | None:
    """A strong ETag for one representation of a cached page: the cache key (which holds the
    page's version, and the code version in its prefix), this browser's CSRF secret when the
    page carries a token (None: no session yet, so no ETag to match), and the encoding."""
    if csrf_secret is None:
        return None
    prefix = current_app.config["CACHE_KEY_PREFIX"]
    return digest((prefix, key, csrf_secret)) + ("-gz" if gzipped else "")


def page_response(page: CachedPage, token: bytes, gzipped: bool) -> Response:
    """The page's bytes with ``token`` in its holes, gzipped when asked."""
    chunks = page.chunks
    if gzipped:
        response = Response(page.gzip_body(token), mimetype="text/html")
        response.content_encoding = "gzip"
    elif len(chunks) <= 2:  # the halves around the token, sent without copying them
        response = Response([chunks[0], token, *chunks[1:]], mimetype="text/html")
    else:  # many buttons (the queue): one joined body beats a hundred small socket writes
        response = Response(token.join(chunks), mimetype="text/html")
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


def code_version(package_root: Path, version: str) -> str:
    """A short name for the code that renders pages: the package's version and a hash of its
    templates and Python modules. Part of every cache key, so a deploy never serves, from a
    shared Redis, a page that the previous code rendered."""
    files = sorted(package_root.rglob("*.py")) + sorted((package_root / "templates").rglob("*"))
    hasher = hashlib.blake2s(digest_size=6)
    for path in files:
        if path.is_file() and "__pycache__" not in path.parts:
            hasher.update(path.relative_to(package_root).as_posix().encode() + b"\0")
            hasher.update(path.read_bytes())
    return f"{version}-{hasher.hexdigest()}"
