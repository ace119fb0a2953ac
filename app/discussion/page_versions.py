"""Page versions: the database half of the page cache.

Each post's ``page_version`` and the ``moderation`` counter move in the same transaction as any
change to what their pages show (a ``before_flush`` hook, so no code path can forget). Cached
renderings are keyed by them (``web.page_cache``), and every server process reads the version on
each request, so a process holding an old rendering simply never asks for it again.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, event, inspect, select, update
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import (
    CacheVersion,
    Comment,
    CommentStatus,
    Instructor,
    Post,
    StatusChange,
    Student,
    StudentCommentLink,
)

APPROVED = CommentStatus.APPROVED
MODERATION = "moderation"
# What a moderation page shows: any change to one of these bumps the moderation version (the
# queue marks each comment as a student's or a guest's, so the roster counts too).
MODERATED_MODELS = (Comment, Post, StatusChange, Instructor, Student, StudentCommentLink)


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
