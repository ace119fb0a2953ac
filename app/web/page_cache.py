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
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from cachelib.serializers import BaseSerializer
from flask import Response, current_app, g, request
from flask_wtf.csrf import generate_csrf

from ..extensions import cache

# Stands in for the reader's CSRF token in a cached page. Readers' text can never contain it
# (control characters are stripped from everything they send), and if imported text did, the
# reader would only see their own token there.
CSRF_HOLE = "\x00csrf-token\x00"


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
