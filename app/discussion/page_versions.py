"""Page versions: the database half of the page cache.

Each post's ``page_version`` and the ``moderation`` counter move in the same transaction as any
change to what their pages show (a ``before_flush`` hook, so no code path can forget). Cached
renderings are keyed by them (``web.page_cache``), and every server process reads the version on
each request, so a process holding an old rendering simply never asks for it again.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import bindparam, event, inspect, select, update
from sqlalchemy.orm import ORMExecuteState, Session

from ..extensions import db
from ..models import (
    CacheVersion,
    Comment,
    CommentReport,
    CommentRevision,
    CommentStatus,
    DiscussionSettings,
    Instructor,
    Post,
    StatusChange,
    Student,
    StudentCommentLink,
)

APPROVED = CommentStatus.APPROVED
MODERATION = "moderation"
# What a moderation page shows: any change to one of these bumps the moderation version (the
# queue marks each comment as a student's or a guest's, so the roster counts too; readers'
# reports fill its Reported view; the rows show what an edit changed; the settings hold the
# course name in its header).
MODERATED_MODELS = (
    Comment,
    CommentRevision,
    Post,
    StatusChange,
    Instructor,
    Student,
    StudentCommentLink,
    CommentReport,
    DiscussionSettings,
)


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


def changes_names(session: Session) -> bool:
    """Whether this flush turns privacy mode on or off, which changes how every page that shows
    a commenter names them (the post pages, the comments feeds): a first save that turns it on,
    or a change of the stored setting."""
    for obj in session.new:
        if isinstance(obj, DiscussionSettings) and obj.privacy_mode:
            return True
    return any(
        isinstance(obj, DiscussionSettings)
        and inspect(obj).attrs.privacy_mode.history.has_changes()
        for obj in session.dirty
    )


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


BUMP_ALL_PAGES = update(Post.__table__).values(page_version=Post.__table__.c.page_version + 1)


def bump_pages(session: Session, post_ids: Collection[int] | AllPages) -> None:
    """Move the page version of ``post_ids`` (or of every post), in the session's transaction."""
    if isinstance(post_ids, AllPages):
        session.connection().execute(BUMP_ALL_PAGES)
    elif post_ids:
        session.connection().execute(BUMP_PAGES, {"post_ids": sorted(post_ids)})
    else:
        return
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Post) and (isinstance(post_ids, AllPages) or obj.id in post_ids):
            session.expire(obj, ["page_version"])


def bump_page_versions(session: Session, _flush_context: Any, _instances: Any) -> None:
    """Before each flush: move the versions of the pages the flushed objects change."""
    if changes_moderation(session):
        session.connection().execute(BUMP_MODERATION)
    bump_pages(session, ALL_PAGES if changes_names(session) else changed_pages(session))


class AllPages:
    """``changes_pages=ALL_PAGES``: a bulk statement that may change any post's page."""


ALL_PAGES = AllPages()
# The execution option a bulk statement on a cached table must carry: which posts' pages it
# changes (a collection of ids, possibly empty, or ALL_PAGES).
CHANGES_PAGES = "changes_pages"
PAGE_TABLES = frozenset({Post.__tablename__, Comment.__tablename__})
MODERATED_TABLES = frozenset(model.__tablename__ for model in MODERATED_MODELS)


class UnversionedWrite(RuntimeError):
    """A bulk statement on a table that cached pages show, which does not say which pages it
    changes: refused, because no flush would see its rows and move their versions."""


def bump_for_bulk_statement(state: ORMExecuteState) -> None:
    """Bulk ``insert()``/``update()``/``delete()`` through the session skip the flush, and so the
    ``before_flush`` bump: move the versions here, in the same transaction, before it runs.

    A statement on posts or comments must say which pages it changes
    (``.execution_options(changes_pages={post_id})``, or ``ALL_PAGES``); without it, it is
    refused with ``UnversionedWrite``. (Statements run on a bare connection bypass the session
    and this check: the import does, into an empty database.)
    """
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    name = getattr(table, "name", None)
    if name not in MODERATED_TABLES:
        return
    state.session.connection().execute(BUMP_MODERATION)
    if name not in PAGE_TABLES:
        return
    post_ids = state.execution_options.get(CHANGES_PAGES)
    if post_ids is None:
        raise UnversionedWrite(
            f"A bulk statement on {name} must say which pages it changes: "
            f".execution_options({CHANGES_PAGES}={{post_id, ...}}) or {CHANGES_PAGES}=ALL_PAGES."
        )
    bump_pages(state.session, post_ids)


def watch_page_versions() -> None:
    """Hook the version bumps into every flush and every bulk statement of the application's
    session (once)."""
    if not event.contains(db.session, "before_flush", bump_page_versions):
        event.listen(db.session, "before_flush", bump_page_versions)
    if not event.contains(db.session, "do_orm_execute", bump_for_bulk_statement):
        event.listen(db.session, "do_orm_execute", bump_for_bulk_statement)


MODERATION_VERSION = select(CacheVersion.version).where(CacheVersion.name == MODERATION)


def moderation_version() -> int | None:
    """The moderation counter; None (cache nothing) if its row is missing. Read on a pooled
    connection rather than through the ORM session: it runs on every view of the queue."""
    with db.engine.connect() as connection:
        return connection.scalar(MODERATION_VERSION)
