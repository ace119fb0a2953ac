"""What the blog pages read, each in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, bindparam, or_

from ..discussion.comment_pages import (
    CommentPage,
    count_top_level,
    default_page,
    page_comments,
    page_count,
    page_holding,
    shown_condition,
)
from ..discussion.discussion_settings import SETTINGS_ID
from ..extensions import db
from ..models import Comment, CommentStatus, DiscussionSettings, OldSlug, Post, PostStatus
from ..publishing.visibility import public_posts


class Neighbour(NamedTuple):
    """A post next to another in published order: what its link shows."""

    title: str
    slug: str


class PostHead(NamedTuple):
    id: int
    page_version: int
    comments_open: bool
    published_at: datetime
    close_after_days: int | None
    status: str
    comments_per_page: int | None
    newest_comments_first: bool | None
    opens_at: datetime | None
    due_at: datetime | None
    closes_at: datetime | None
    # What the form tells a reader about review before they post (None before the first save).
    manual_approval: bool | None = None
    require_prior_approval: bool | None = None
    # Privacy mode: readers see commenters as "First L." (None before the first save: off).
    privacy_mode: bool | None = None
    # Readers see the comments only after posting their own (discussion.post_first).
    post_first: bool = False
    # The header's course name and tagline (None before the first save).
    site_name: str | None = None
    site_tagline: str | None = None
    # The public posts before and after this one, for the links under it.
    older_title: str | None = None
    older_slug: str | None = None
    newer_title: str | None = None
    newer_slug: str | None = None

    def is_public(self, now: datetime) -> bool:
        """Published and its time has come: a draft or scheduled post is a 404 to readers."""
        return self.status == PostStatus.PUBLISHED.value and self.published_at <= now

    @property
    def older(self) -> Neighbour | None:
        return (
            None if self.older_slug is None else Neighbour(self.older_title or "", self.older_slug)
        )

    @property
    def newer(self) -> Neighbour | None:
        return (
            None if self.newer_slug is None else Neighbour(self.newer_title or "", self.newer_slug)
        )


def _neighbour_id(this: Any, *, newer: bool) -> Any:
    """The id of the public post just after (``newer``) or before ``this`` one in published
    order (time, then id), at the time bound as ``now``; a correlated subquery."""
    other = Post.__table__.alias("newer_candidate" if newer else "older_candidate")
    mine, theirs = this.c, other.c
    # The first condition alone bounds the index range (the "or" would not): one index seek.
    if newer:
        beyond = and_(
            theirs.published_at >= mine.published_at,
            or_(theirs.published_at > mine.published_at, theirs.id > mine.id),
        )
        order = (theirs.published_at.asc(), theirs.id.asc())
    else:
        beyond = and_(
            theirs.published_at <= mine.published_at,
            or_(theirs.published_at < mine.published_at, theirs.id < mine.id),
        )
        order = (theirs.published_at.desc(), theirs.id.desc())
    public = and_(
        theirs.status == PostStatus.PUBLISHED.value, theirs.published_at <= bindparam("now")
    )
    return (
        db.select(theirs.id)
        .where(public, beyond)
        .order_by(*order)
        .limit(1)
        .correlate(this)
        .scalar_subquery()
    )


def _post_head_statement() -> Select[Any]:
    settings_table = DiscussionSettings.__table__
    settings = settings_table.c
    this = Post.__table__.alias("this")
    posts = this.c
    older = Post.__table__.alias("older")
    newer = Post.__table__.alias("newer")
    return (
        db.select(
            posts.id,
            posts.page_version,
            posts.comments_open,
            posts.published_at,
            # The post's own setting, else the site's.
            db.func.coalesce(posts.close_after_days, settings.close_after_days),
            posts.status,
            settings.comments_per_page,
            settings.newest_comments_first,
            posts.opens_at,
            posts.due_at,
            posts.closes_at,
            settings.manual_approval,
            settings.require_prior_approval,
            settings.privacy_mode,
            posts.post_first,
            settings.site_name,
            settings.site_tagline,
            older.c.title,
            older.c.slug,
            newer.c.title,
            newer.c.slug,
        )
        # The settings' one row, joined once (None before the first save).
        .select_from(
            this.outerjoin(settings_table, settings.id == SETTINGS_ID)
            .outerjoin(older, older.c.id == _neighbour_id(this, newer=False))
            .outerjoin(newer, newer.c.id == _neighbour_id(this, newer=True))
        )
        .where(posts.slug == bindparam("slug"))
    )


# Built once: this runs on every post page, where building the statement costs more than
# running it.
POST_HEAD = _post_head_statement()


def post_head(slug: str, now: datetime) -> PostHead | None:
    """What decides how a post page is served, in one small query: the post's id, its page
    version (the cache key), what says whether it takes comments, the site's name and tagline,
    and the public posts on either side of it at ``now``."""
    # A plain pooled connection, not the ORM session: half the overhead, and most post pages need
    # nothing else from the database.
    with db.engine.connect() as connection:
        row = connection.execute(POST_HEAD, {"slug": slug, "now": now}).first()
    return None if row is None else PostHead(*row)


def current_slug(old_slug: str) -> str | None:
    """The slug a post has now, if ``old_slug`` was one of its earlier ones."""
    return db.session.scalar(
        db.select(Post.slug)
        .join(OldSlug, OldSlug.post_id == Post.id)
        .where(OldSlug.slug == old_slug)
    )


FRONT_PAGE_VERSIONS = (
    db.select(
        Post.__table__.c.id,
        Post.__table__.c.page_version,
        # A counting subquery, not count() over (): the page's ten rows then come straight off
        # the (status, published_at) index instead of after every public post is read and sorted.
        db.select(db.func.count())
        .select_from(Post.__table__)
        .where(public_posts(bindparam("now")))
        .scalar_subquery()
        .label("total"),
        # The header's course name and tagline, carried by the same query.
        db.select(DiscussionSettings.__table__.c.site_name).scalar_subquery().label("site_name"),
        db.select(DiscussionSettings.__table__.c.site_tagline)
        .scalar_subquery()
        .label("site_tagline"),
    )
    .where(public_posts(bindparam("now")))
    .order_by(Post.__table__.c.published_at.desc(), Post.__table__.c.id.desc())
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)


class FrontPageVersions(NamedTuple):
    listed: list[tuple[int, int]]
    total: int
    # The header's course name and tagline; None when no post is listed (then not read here).
    chrome: tuple[str | None, str | None] | None


def front_page_versions(page: int, per_page: int, now: datetime) -> FrontPageVersions:
    """The (id, page version) of each post listed on a front page, how many posts there are,
    and the site's name and tagline, in one query: together they say whether a cached front page
    is current. Only posts public at ``now`` count, so a scheduled post's time coming changes the
    ids, hence the key."""
    with db.engine.connect() as connection:
        rows = connection.execute(
            FRONT_PAGE_VERSIONS,
            {"limit": per_page, "offset": (page - 1) * per_page, "now": now},
        ).all()
    if not rows:
        return FrontPageVersions([], 0, None)
    return FrontPageVersions(
        [(row.id, row.page_version) for row in rows],
        rows[0].total,
        (rows[0].site_name, rows[0].site_tagline),
    )


def visible_comments(
    post: Post,
    own_ids: Collection[int] = (),
    *,
    include_held: bool = False,
    page: CommentPage | None = None,
) -> list[Comment]:
    """The comments this reader may see on ``post``, oldest first, in one query (two for one
    ``page`` of comments).

    Everyone sees approved comments; a reader also sees their own held comments and those
    returned to them for revision (``own_ids``); the instructor (``include_held``) sees every
    held comment (a returned one is its author's until they send it back).
    """
    shown = [Comment.status == CommentStatus.APPROVED]
    if include_held:
        shown.append(Comment.status == CommentStatus.PENDING)
    elif own_ids:
        shown.append(and_(Comment.status.in_(OWN_ONLY), Comment.id.in_(own_ids)))
    if page is not None:
        return page_comments(post.id, or_(*shown), page.number, page.per_page)
    return list(
        db.session.scalars(
            db.select(Comment)
            .where(Comment.post_id == post.id, or_(*shown))
            .order_by(Comment.created_at, Comment.id)
        )
    )


# What only a comment's author sees of it: held, or returned to them for revision.
OWN_ONLY = (CommentStatus.PENDING, CommentStatus.RETURNED)


def own_held_comment_ids(post_id: int, own_ids: Collection[int]) -> set[int]:
    """Which of this browser's comments on the post only it may see: waiting for moderation,
    or returned for revision (no query if none)."""
    if not own_ids:
        return set()
    return set(
        db.session.scalars(
            db.select(Comment.id).where(
                Comment.post_id == post_id,
                Comment.status.in_(OWN_ONLY),
                Comment.id.in_(own_ids),
            )
        )
    )


def own_recent_comments(
    post_id: int, own_ids: Collection[int], since: datetime
) -> dict[int, datetime]:
    """This browser's pending or published comments on the post written at or after ``since``
    (those its author may still edit), with when each was written (no query if none)."""
    if not own_ids:
        return {}
    rows = db.session.execute(
        db.select(Comment.id, Comment.created_at).where(
            Comment.post_id == post_id,
            Comment.status.in_([CommentStatus.PENDING, CommentStatus.APPROVED]),
            Comment.id.in_(own_ids),
            Comment.created_at >= since,
        )
    )
    return {comment_id: created_at for comment_id, created_at in rows}


def approved_comment(post: Post, comment_id: int | None) -> Comment | None:
    """The approved comment on ``post`` that a reply answers (no query when there is none)."""
    if comment_id is None:
        return None
    return db.session.scalar(
        db.select(Comment).where(
            Comment.id == comment_id,
            Comment.post_id == post.id,
            Comment.status == CommentStatus.APPROVED,
        )
    )


def comment_page(
    post_id: int, per_page: int | None, newest_first: bool, number: int | None
) -> CommentPage | None:
    """Which page of comments to show (None: paging is off). ``number`` None is the page a post
    opens on; a page past the end is None as well, for a 404."""
    if not per_page:
        return None
    count = page_count(count_top_level(post_id, Comment.status == CommentStatus.APPROVED), per_page)
    number = default_page(count, newest_first) if number is None else number
    return CommentPage(number, count, per_page) if 1 <= number <= count else None


def comment_location(comment: Comment, per_page: int | None, newest_first: bool) -> int | None:
    """The comment page that holds ``comment`` (None: the page a post opens on)."""
    if not per_page:
        return None
    shown = shown_condition([CommentStatus.APPROVED], [comment.id])
    number = page_holding(comment, shown, per_page)
    opening = comment_page(comment.post_id, per_page, newest_first, None)
    return None if opening is not None and opening.number == number else number


def approved_total(post_id: int) -> int:
    return (
        db.session.scalar(
            db.select(db.func.count(Comment.id)).where(
                Comment.post_id == post_id, Comment.status == CommentStatus.APPROVED
            )
        )
        or 0
    )


def approved_counts(post_ids: list[int]) -> dict[int, int]:
    """Approved comments per post, for the front page's "N comments" links, in one query."""
    if not post_ids:
        return {}
    rows = db.session.execute(
        db.select(Comment.post_id, db.func.count(Comment.id))
        .where(Comment.post_id.in_(post_ids), Comment.status == CommentStatus.APPROVED)
        .group_by(Comment.post_id)
    )
    return {post_id: count for post_id, count in rows}
