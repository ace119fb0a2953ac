"""What makes the cached post and front pages safe: a version per post, held in the database.

The parts of a page that every reader sees alike (the post, its approved comments as threads,
the front page's list) are rendered once and kept in Flask-Caching under a key that includes the
post's ``page_version``. Any change to what those parts show bumps that version in the same
transaction as the change (a ``before_flush`` hook, so no code path can forget it). Every server
process reads the version with the post on each request, so a process holding an old rendering
simply never asks for it again: no process has to tell another, and no page is served stale.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from cachelib.serializers import BaseSerializer
from flask import Response, current_app, g
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event, inspect, select, update
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


def bump_page_versions(session: Session, _flush_context: Any, _instances: Any) -> None:
    if changes_moderation(session):
        session.connection().execute(
            update(CacheVersion)
            .where(CacheVersion.name == MODERATION)
            .values(version=CacheVersion.version + 1)
            .execution_options(synchronize_session=False)
        )
    post_ids = changed_pages(session)
    if not post_ids:
        return
    session.connection().execute(
        update(Post)
        .where(Post.id.in_(post_ids))
        .values(page_version=Post.page_version + 1)
        .execution_options(synchronize_session=False)
    )
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Post) and obj.id in post_ids:
            session.expire(obj, ["page_version"])


def watch_page_versions() -> None:
    """Hook the version bump into every flush of the application's session (once)."""
    if not event.contains(db.session, "before_flush", bump_page_versions):
        event.listen(db.session, "before_flush", bump_page_versions)


MODERATION_VERSION = select(CacheVersion.version).where(CacheVersion.name == MODERATION)


def moderation_version() -> int | None:
    """The moderation counter; None (cache nothing) if its row is missing."""
    return db.session.scalar(MODERATION_VERSION)


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


def cached_page(key: str, render: Callable[[], str]) -> Response:
    """The page under ``key``, rendered by ``render`` on a miss, with this reader's CSRF token
    put into its holes. Stored as the bytes between holes; a hit copies little or nothing."""
    chunks = cache.get(key)
    if chunks is None:
        with csrf_hole():
            page = render()
        chunks = tuple(chunk.encode() for chunk in page.split(CSRF_HOLE))
        cache.set(key, chunks)
    if len(chunks) == 1:  # no form on the page: no token, so no session cookie either
        return Response(chunks, mimetype="text/html")
    token = generate_csrf().encode()
    if len(chunks) == 2:  # one form (a post page): send the halves around the token, uncopied
        return Response([chunks[0], token, chunks[1]], mimetype="text/html")
    # Many buttons (the queue): one joined body beats a hundred small writes to the socket.
    return Response(token.join(chunks), mimetype="text/html")


class KeepAsIs(BaseSerializer):
    """For the in-process cache: keep values as they are instead of pickling them, so a hit on a
    1 MB page costs no copy. Safe because everything cached here is immutable (bytes, str)."""

    def dumps(self, value: Any, protocol: int = pickle.HIGHEST_PROTOCOL) -> Any:
        return value

    def loads(self, value: Any) -> Any:
        return value


def digest(value: object) -> str:
    """A short, stable stand-in for a value in a cache key."""
    return hashlib.blake2s(repr(value).encode(), digest_size=8).hexdigest()
