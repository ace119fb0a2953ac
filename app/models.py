"""The blog's data: posts, reader comments, instructors and the class roster.

One module, because every blueprint shares these models. Times are aware UTC datetimes
everywhere: stored as UTC and handed back with ``tzinfo=UTC`` on every backend.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from flask_login import UserMixin
from sqlalchemy import DateTime, Enum, ForeignKey, Index, String, Text, TypeDecorator, false
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import db


def utcnow() -> datetime:
    """The current time as an aware UTC datetime (used as a column default)."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A datetime column that only accepts aware datetimes and always returns aware UTC.

    SQLite stores no time zone, so without this a value would come back naive there and aware on
    PostgreSQL; this type makes both behave the same.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class CommentStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    SPAM = "spam"
    TRASH = "trash"
    # Sent back to its author with a note: shown to nobody else until they revise it.
    RETURNED = "returned"


class RevisionKind(enum.StrEnum):
    EDIT = "edit"  # the author within the edit window, or the instructor's correction
    REVISION = "revision"  # the author's revision after the instructor returned the comment


class OutboxStatus(enum.StrEnum):
    PENDING = "pending"  # to be sent at its next_attempt_at
    SENT = "sent"
    FAILED = "failed"  # given up after MAIL_MAX_ATTEMPTS; `flask send-mail` tries again


def _status_type(
    statuses: type[enum.StrEnum] = CommentStatus, name: str = "comment_status"
) -> Enum:
    """Statuses stored as their lowercase names in a short string column on every backend."""
    return Enum(
        statuses,
        name=name,
        native_enum=False,
        length=16,
        values_callable=lambda statuses: [status.value for status in statuses],
        validate_strings=True,
    )


class PostStatus(enum.StrEnum):
    DRAFT = "draft"
    # Visible to readers once ``published_at`` has passed; until then the post is scheduled.
    PUBLISHED = "published"
    TRASH = "trash"


class BodyFormat(enum.StrEnum):
    # Paragraphs separated by blank lines, escaped (the posts written before the editor).
    PLAIN = "plain"
    MARKDOWN = "markdown"
    # HTML sanitised on the way in (posts imported from WordPress).
    HTML = "html"


def _str_enum(enum_class: type[enum.StrEnum], name: str) -> Enum:
    """A state stored as its lowercase name in a short string column on every backend."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        length=16,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Post(db.Model):
    __tablename__ = "posts"
    __table_args__ = (
        # The front page and the feeds: published posts, newest first.
        Index("ix_posts_status_published", "status", "published_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    author_name: Mapped[str] = mapped_column(String(100))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    body: Mapped[str] = mapped_column(Text)
    comments_open: Mapped[bool] = mapped_column(default=True)
    # The assignment window, each end optional (closes >= due >= opens; see discussion.windows).
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Bumped, in the same transaction, whenever what every reader sees on this post's page changes
    # (the post itself or its approved comments): cached renderings are keyed by it (page_cache).
    page_version: Mapped[int] = mapped_column(default=1, server_default="1")
    status: Mapped[PostStatus] = mapped_column(
        _str_enum(PostStatus, "post_status"),
        default=PostStatus.PUBLISHED,
        server_default="published",
    )
    body_format: Mapped[BodyFormat] = mapped_column(
        _str_enum(BodyFormat, "body_format"), default=BodyFormat.PLAIN, server_default="plain"
    )
    # Shown on the front page and in place of the body nowhere else; empty: the first paragraph.
    excerpt: Mapped[str] = mapped_column(Text, default="", server_default="")
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=utcnow)
    # Moves with every save from the editor, so a second tab's save is detected, not overwritten.
    edit_version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Overrides the site's "close comments after N days" for this post (None: the site's).
    close_after_days: Mapped[int | None] = mapped_column(default=None)
    # Where the post came from in a WordPress import (its post id), so a second import updates it.
    wordpress_id: Mapped[int | None] = mapped_column(unique=True, default=None)
    # Post first: readers see classmates' comments only after posting one of their own (the
    # instructor always sees them), so everyone answers on their own first (discussion.post_first).
    post_first: Mapped[bool] = mapped_column(default=False, server_default=false())

    comments: Mapped[list[Comment]] = relationship(
        back_populates="post", cascade="all, delete-orphan", passive_deletes=True
    )
    old_slugs: Mapped[list[OldSlug]] = relationship(
        back_populates="post", cascade="all, delete-orphan", passive_deletes=True
    )

    def is_public(self, now: datetime) -> bool:
        """Whether readers may see the post at ``now``: published and its time has come."""
        return self.status is PostStatus.PUBLISHED and self.published_at <= now

    def __repr__(self) -> str:
        return f"<Post {self.slug!r}>"


class OldSlug(db.Model):
    """A slug a published post had before: its old URL answers with a 301 to the current one."""

    __tablename__ = "old_slugs"

    slug: Mapped[str] = mapped_column(String(200), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)

    post: Mapped[Post] = relationship(back_populates="old_slugs")


class Comment(db.Model):
    __tablename__ = "comments"
    __table_args__ = (
        # The post page: approved comments of one post, oldest first.
        Index("ix_comments_post_status_created", "post_id", "status", "created_at"),
        # The moderation queue: one status, newest first.
        Index("ix_comments_status_created", "status", "created_at"),
        # Flood control: each reader's (email's, IP address's) latest comment is one index seek,
        # however many comments came from one address (a school's network, a spam wave).
        Index("ix_comments_author_email_created", "author_email", "created_at"),
        Index("ix_comments_author_ip_created", "author_ip", "created_at"),
        # "Has this author been approved before?" without reading their held or spam comments.
        Index("ix_comments_author_email_status", "author_email", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("comments.id", ondelete="SET NULL"), index=True
    )
    author_name: Mapped[str] = mapped_column(String(245))
    author_email: Mapped[str] = mapped_column(String(100))
    author_url: Mapped[str] = mapped_column(String(200), default="")
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[CommentStatus] = mapped_column(_status_type(), default=CommentStatus.PENDING)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    author_ip: Mapped[str] = mapped_column(String(45), default="")
    user_agent: Mapped[str] = mapped_column(String(255), default="")
    # Set when the instructor wrote this comment (a reply from the moderation screen).
    instructor_id: Mapped[int | None] = mapped_column(
        ForeignKey("instructors.id", ondelete="SET NULL")
    )
    # Where the comment came from in a WordPress import, so a second import updates it.
    wordpress_id: Mapped[int | None] = mapped_column(unique=True, default=None)
    # The author ticked "Email me about this comment": the only comments whose authors we write to.
    notify_author: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Whose replies they hear about: the instructor's only (the default), or anyone's.
    notify_replies_from_anyone: Mapped[bool] = mapped_column(default=False, server_default=false())
    # When the "your comment is published" email was queued (or the posting email said so):
    # at most one per comment, however often it is unapproved and approved again.
    published_email_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # On a reply: when its author's parent was told about it, so a reply is announced once.
    reply_email_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    post: Mapped[Post] = relationship(back_populates="comments")
    parent: Mapped[Comment | None] = relationship(remote_side=[id])
    history: Mapped[list[StatusChange]] = relationship(
        back_populates="comment",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="StatusChange.changed_at, StatusChange.id",
    )
    revisions: Mapped[list[CommentRevision]] = relationship(
        back_populates="comment",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="CommentRevision.changed_at, CommentRevision.id",
    )

    @property
    def is_visible(self) -> bool:
        """Whether every reader may see this comment."""
        return self.status is CommentStatus.APPROVED

    @property
    def author_link(self) -> str | None:
        """The author's website, only if it is an http(s) address (never ``javascript:``)."""
        url = self.author_url.strip()
        return url if url.lower().startswith(("http://", "https://")) else None

    def __repr__(self) -> str:
        return f"<Comment {self.id} {self.status.value}>"


class Instructor(UserMixin, db.Model):
    __tablename__ = "instructors"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # The name readers see on the instructor's replies.
    display_name: Mapped[str] = mapped_column(String(100), default="")

    def set_password(self, password: str) -> None:
        """Store a salted scrypt hash; the password itself is never kept."""
        self.password_hash = generate_password_hash(password, method="scrypt")

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def public_name(self) -> str:
        return self.display_name or self.username

    def __repr__(self) -> str:
        return f"<Instructor {self.username!r}>"


class StatusChange(db.Model):
    """One step in a comment's life: who moved it from which status to which, and when."""

    __tablename__ = "status_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    # None when the discussion rules decided (a new comment) or a signed email link was used.
    instructor_id: Mapped[int | None] = mapped_column(
        ForeignKey("instructors.id", ondelete="SET NULL")
    )
    # Who, in words, so the record survives the instructor's account: "ada", "email link", "rules".
    actor: Mapped[str] = mapped_column(String(100))
    from_status: Mapped[CommentStatus | None] = mapped_column(_status_type())
    to_status: Mapped[CommentStatus] = mapped_column(_status_type())
    reason: Mapped[str] = mapped_column(String(255), default="")
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The instructor's private note to the author when returning a comment for revision.
    note: Mapped[str] = mapped_column(Text, default="", server_default="")

    comment: Mapped[Comment] = relationship(back_populates="history")


class CommentRevision(db.Model):
    """One change to a comment's text: the text before and after, who changed it and when."""

    __tablename__ = "comment_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    # None when the author changed it (or the instructor's account has since gone: see actor).
    instructor_id: Mapped[int | None] = mapped_column(
        ForeignKey("instructors.id", ondelete="SET NULL")
    )
    # "author", or the instructor's username, so the record survives the account.
    actor: Mapped[str] = mapped_column(String(100))
    kind: Mapped[RevisionKind] = mapped_column(
        _str_enum(RevisionKind, "revision_kind"), default=RevisionKind.EDIT
    )
    body_before: Mapped[str] = mapped_column(Text)
    body_after: Mapped[str] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    comment: Mapped[Comment] = relationship(back_populates="revisions")

    @property
    def by_author(self) -> bool:
        return self.actor == AUTHOR


# The actor of a change the comment's author made (from their private link or own browser).
AUTHOR = "author"


class LoginFailure(db.Model):
    """A failed login, kept long enough to slow down password guessing."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    ip_address: Mapped[str] = mapped_column(String(45), index=True)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class UsedActionLink(db.Model):
    """A one-click email link that has been used, so it cannot be used again."""

    __tablename__ = "used_action_links"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class EmailOptOut(db.Model):
    """An address that asked for no more email from this blog (from an unsubscribe link):
    stored trimmed and lowercased, so every spelling of it is refused."""

    __tablename__ = "email_opt_outs"

    address: Mapped[str] = mapped_column(String(254), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DiscussionSettings(db.Model):
    """The instructor's discussion settings: one row (id 1); defaults are WordPress's."""

    __tablename__ = "discussion_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    manual_approval: Mapped[bool] = mapped_column(default=False)
    require_prior_approval: Mapped[bool] = mapped_column(default=True)
    max_links: Mapped[int] = mapped_column(default=2)
    moderation_words: Mapped[str] = mapped_column(Text, default="")
    disallowed_words: Mapped[str] = mapped_column(Text, default="")
    close_after_days: Mapped[int | None] = mapped_column(default=None)
    notify_email: Mapped[str] = mapped_column(String(254), default="")
    # Break comments into pages of this many top-level comments (None: all on one page).
    comments_per_page: Mapped[int | None] = mapped_column(default=None)
    # With pages, a post opens on its newest page of comments rather than its oldest.
    newest_comments_first: Mapped[bool] = mapped_column(default=False, server_default=false())
    # After an email about a held comment, the next ones in this many minutes go out together
    # as one digest (0: one email per held comment).
    digest_minutes: Mapped[int] = mapped_column(default=15, server_default="15")
    # Public pages, feeds and emails to readers show commenters as "First L."; the full name is
    # the instructor's (see discussion.public_names).
    privacy_mode: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Commenters' IP addresses and browsers are erased this many days after the comment
    # (see discussion.retention).
    address_retention_days: Mapped[int] = mapped_column(default=30, server_default="30")
    # A published comment that this many readers report is held for review (0: never).
    reports_to_hold: Mapped[int] = mapped_column(default=3, server_default="3")
    # Authors may edit their comment's text for this many minutes after posting (0: never).
    edit_minutes: Mapped[int] = mapped_column(default=30, server_default="30")
    # The course name and tagline in every page's header ("": the BLOG_TITLE setting; none).
    site_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    site_tagline: Mapped[str] = mapped_column(String(300), default="", server_default="")


class ScheduledRun(db.Model):
    """When a periodic job last ran, claimed by one process at a time (see discussion.retention):
    with several server processes, the daily purge runs once, not once in each."""

    __tablename__ = "scheduled_runs"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_run_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ReportReason(enum.StrEnum):
    NONE = "none"  # the reader gave no reason
    OFF_TOPIC = "off-topic"
    UNKIND = "unkind"
    PERSONAL_INFORMATION = "personal"
    OTHER = "other"

    @property
    def label(self) -> str:
        return REPORT_REASON_LABELS[self]


REPORT_REASON_LABELS = {
    ReportReason.NONE: "No reason given",
    ReportReason.OFF_TOPIC: "Off-topic",
    ReportReason.UNKIND: "Unkind",
    ReportReason.PERSONAL_INFORMATION: "Personal information",
    ReportReason.OTHER: "Other",
}


class CommentReport(db.Model):
    """A reader's report of a published comment (see ``discussion.reports``).

    The reporter is known only by a hash of a random id kept in their browser's signed session:
    enough to refuse a second report from the same browser, and nothing that names anyone.
    """

    __tablename__ = "comment_reports"
    __table_args__ = (
        # One browser reports a comment once.
        Index("uq_comment_reports_comment_reporter", "comment_id", "reporter_hash", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    comment_id: Mapped[int] = mapped_column(ForeignKey("comments.id", ondelete="CASCADE"))
    reason: Mapped[ReportReason] = mapped_column(
        _str_enum(ReportReason, "report_reason"), default=ReportReason.NONE
    )
    # The reader's words with "other" (at most 200 characters).
    note: Mapped[str] = mapped_column(String(200), default="")
    reporter_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the instructor decided on the comment (kept it, trashed it...): a resolved report
    # no longer counts towards holding the comment, and leaves the Reported view.
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class CacheVersion(db.Model):
    """A counter bumped with every change to what a cached page shows (see ``page_cache``).

    ``moderation`` counts changes to any comment, post or instructor: the key of the cached queue.
    """

    __tablename__ = "cache_versions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(default=1)


class OutboxMessage(db.Model):
    """An email to send, stored in the same transaction as the change it tells about (a held
    comment), so it exists exactly when that change does; ``discussion.outbox`` sends it."""

    __tablename__ = "outbox_messages"
    # What the sender asks: which pending messages are due, and when the next one will be.
    __table_args__ = (Index("ix_outbox_messages_status_next_attempt", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[OutboxStatus] = mapped_column(
        _status_type(OutboxStatus, "outbox_status"), default=OutboxStatus.PENDING
    )
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    # The whole message as sent (RFC 5322, ASCII: headers and body are encoded).
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A sender is at work on this message until then; after that, another may take it over.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The held comments the message tells about (ids, comma-separated): a digest still waiting
    # for its time takes in the next held comment and is written again.
    held_comment_ids: Mapped[str] = mapped_column(Text, default="", server_default="")
    is_digest: Mapped[bool] = mapped_column(default=False, server_default=false())


class Student(db.Model):
    """A student on the class roster. Their comments are found by email (see classroom.matching),
    so removing a student removes no comment."""

    __tablename__ = "students"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(245))
    # Stored trimmed and lowercased, the form comments' emails are compared in.
    email: Mapped[str] = mapped_column(String(100), unique=True)
    section: Mapped[str] = mapped_column(String(64), default="")
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Student {self.email!r}>"


class StudentCommentLink(db.Model):
    """A comment the instructor linked to a student by hand (written under another email)."""

    __tablename__ = "student_comment_links"

    comment_id: Mapped[int] = mapped_column(
        ForeignKey("comments.id", ondelete="CASCADE"), primary_key=True
    )
    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), index=True
    )
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
