"""The post editor's use cases: save, publish, unpublish, trash and restore.

Each validates, changes and commits once. A save names the edit version the instructor started
from; if another tab (or another instructor) saved since, nothing is written and the caller gets
an ``EditConflict`` holding the post as it is now, so the instructor chooses.
"""

from __future__ import annotations

import enum
import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..models import BodyFormat, OldSlug, Post, PostStatus
from .slugs import is_valid_slug, slugify, unique_slug

log = logging.getLogger(__name__)


class Intent(enum.StrEnum):
    """What the instructor's button asks for, beyond saving the text."""

    SAVE = "save"  # keep the status (a new post starts as a draft)
    PUBLISH = "publish"  # published now, or scheduled when the date is in the future
    UNPUBLISH = "unpublish"  # back to draft


@dataclass(frozen=True)
class PostDraft:
    """What the editor's form holds, cleaned."""

    title: str
    slug: str
    author_name: str
    body: str
    excerpt: str = ""
    # None: "when I publish" (now, for a draft; unchanged, for a published post).
    publish_at: datetime | None = None
    comments_open: bool = True
    close_after_days: int | None = None
    # Readers see classmates' comments only after posting their own (discussion.post_first).
    post_first: bool = False


NOT_SAVED = "The post could not be saved just now; your text is below. Please try again."


class EditRefused(Exception):
    """The save was refused; nothing was written. ``field`` names the form field to blame."""

    def __init__(self, message: str, field: str | None = None, status_code: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.status_code = status_code


class EditConflict(Exception):
    """The post was saved elsewhere since the instructor opened it; nothing was written."""

    def __init__(self, current: Post) -> None:
        super().__init__("The post changed since you opened it.")
        self.current = current


SLUG_TAKEN = "Another post already uses this address; choose another slug."
SLUG_SHAPE = "Use letters, digits, hyphens and underscores only."


def slug_owner(slug: str) -> int | None:
    """The post that answers at ``/posts/<slug>/``, now or through an old slug's redirect."""
    owner = db.session.scalar(db.select(Post.id).where(Post.slug == slug))
    if owner is None:
        owner = db.session.scalar(db.select(OldSlug.post_id).where(OldSlug.slug == slug))
    return owner


def free_slug(wanted: str) -> str:
    """``wanted``, or the first of ``wanted-2``, ``wanted-3``... that no post answers to."""
    taken = set(
        db.session.scalars(
            db.select(Post.slug).where(Post.slug.startswith(wanted, autoescape=True))
        )
    ) | set(
        db.session.scalars(
            db.select(OldSlug.slug).where(OldSlug.slug.startswith(wanted, autoescape=True))
        )
    )
    return unique_slug(wanted, taken)


def check_slug(slug: str, post_id: int | None) -> None:
    """Refuse a slug that is malformed or answers for another post."""
    if not is_valid_slug(slug):
        raise EditRefused(SLUG_SHAPE, "slug")
    owner = slug_owner(slug)
    if owner is not None and owner != post_id:
        raise EditRefused(SLUG_TAKEN, "slug")


def apply_draft(post: Post, draft: PostDraft, intent: Intent, now: datetime) -> None:
    """Copy the form's values onto ``post`` and move its status as ``intent`` asks."""
    new_slug = draft.slug or post.slug or free_slug(slugify(draft.title))
    check_slug(new_slug, post.id)
    was_published = post.id is not None and post.status is PostStatus.PUBLISHED
    if post.slug and new_slug != post.slug and was_published:
        # Readers and search engines may hold the old address: keep it answering.
        post.old_slugs.append(OldSlug(slug=post.slug))
    for old in list(post.old_slugs):
        if old.slug == new_slug:  # back to an earlier slug: it is the current one again
            post.old_slugs.remove(old)
    post.title = draft.title
    post.slug = new_slug
    post.author_name = draft.author_name
    post.body = draft.body
    post.excerpt = draft.excerpt
    post.comments_open = draft.comments_open
    post.close_after_days = draft.close_after_days
    post.post_first = draft.post_first
    if intent is Intent.PUBLISH:
        post.status = PostStatus.PUBLISHED
        post.published_at = draft.publish_at or (post.published_at if was_published else now)
    elif intent is Intent.UNPUBLISH:
        post.status = PostStatus.DRAFT
        post.published_at = draft.publish_at or post.published_at or now
    else:
        if post.status is None:
            post.status = PostStatus.DRAFT
        post.published_at = draft.publish_at or post.published_at or now
    post.updated_at = now


def save_post(
    post_id: int | None,
    draft: PostDraft,
    *,
    base_version: int | None,
    intent: Intent,
    now: datetime,
) -> Post:
    """Create (``post_id`` None) or update a post from the editor; commits once.

    Refuses (``EditRefused``) a slug in use by another post; refuses (``EditConflict``) a save
    based on an edit version older than the stored one. A change to a published post moves its
    page version (``discussion.page_versions``), so no reader gets a stale page.
    """
    if post_id is None:
        post = Post(status=PostStatus.DRAFT, body_format=BodyFormat.MARKDOWN, edit_version=0)
    else:
        post = db.session.get(Post, post_id)
        if post is None:
            raise EditRefused("This post no longer exists.")
        if base_version != post.edit_version:
            raise EditConflict(post)
    try:
        with db.session.no_autoflush:
            apply_draft(post, draft, intent, now)
    except EditRefused:
        db.session.rollback()
        raise
    post.edit_version = (post.edit_version or 0) + 1
    db.session.add(post)
    try:
        db.session.commit()
    except SQLAlchemyError:
        # A full disk, a lock held too long: nothing was written; the editor keeps the text.
        db.session.rollback()
        log.exception("Could not save the post %r", draft.title)
        raise EditRefused(NOT_SAVED, status_code=503) from None
    return post


def move_to_trash(post_id: int, now: datetime) -> Post:
    """Take a post off the site (kept, with its comments, until restored)."""
    return _set_status(post_id, PostStatus.TRASH, now)


def restore(post_id: int, now: datetime) -> Post:
    """Bring a trashed post back as a draft: the instructor publishes it again on purpose."""
    return _set_status(post_id, PostStatus.DRAFT, now)


def _set_status(post_id: int, status: PostStatus, now: datetime) -> Post:
    post = db.session.get(Post, post_id)
    if post is None:
        raise EditRefused("This post no longer exists.")
    if post.status is not status:
        post.status = status
        post.updated_at = now
        post.edit_version += 1
        db.session.commit()
    return post
