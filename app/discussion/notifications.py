"""Telling the instructor about held comments: the email, its links, and putting it in the outbox.

The message is composed and queued in the transaction that stores the held comment; the outbox
(``outbox.py``) sends it after the response, so a mail server never holds up or fails a reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from ..extensions import db
from ..models import Comment, OutboxMessage, OutboxStatus
from ..text import plural
from .email_links import make_token
from .mail_text import BuildUrl, NotificationSettings, one_line, quoted
from .moderation import Action
from .outbox import queue_message

# Comments in one digest. Each held comment rewrites the digest it joins, so this keeps a spam
# wave's cost per comment bounded; past it, another digest is sent at the same time.
DIGEST_MAX = 20
# Where the email goes when the instructor has not given an address in the settings.
DEFAULT_RECIPIENT = "instructor@localhost"


@dataclass(frozen=True)
class ModerationLinks:
    queue: str
    approve: str
    spam: str
    trash: str
    comment: str


def held_comment_message(
    comment: Comment,
    links: ModerationLinks,
    *,
    to_address: str,
    from_address: str,
    blog_title: str,
    now: datetime,
) -> EmailMessage:
    """A plain-text email about a comment waiting for moderation (nothing in it is HTML).

    Our lines, the actions first, come before anything the reader wrote; what they wrote (their
    name, email, website and comment) follows, every line of it quoted, so a comment holding
    "Approve it: http://elsewhere/..." is visibly theirs and never where the real link is.
    """
    message = EmailMessage()
    message["Subject"] = f"[{blog_title}] Please moderate: “{comment.post.title}”"
    message["From"] = from_address
    message["To"] = to_address
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain="classblog.invalid")
    from_reader = "\n".join(
        [
            f"Name: {one_line(comment.author_name)}",
            f"Email: {one_line(comment.author_email)}",
            f"Website: {one_line(comment.author_url) or '(none)'}",
            "",
            comment.body,
        ]
    )
    message.set_content(
        f"A new comment on the post “{comment.post.title}” is waiting for your approval.\n\n"
        f"Approve it: {links.approve}\n"
        f"Mark it as spam: {links.spam}\n"
        f"Trash it: {links.trash}\n"
        "(These links work once and expire after 7 days.)\n\n"
        f"See every comment waiting for moderation: {links.queue}\n"
        f"See the comment on the post's page: {links.comment}\n"
        f"Sent from the IP address {comment.author_ip or 'unknown'}.\n\n"
        "What the reader sent, quoted (each of their lines starts with “>”):\n\n"
        f"{quoted(from_reader)}\n",
        cte="quoted-printable",
    )
    return message


def digest_message(
    comments: list[Comment],
    links: dict[int, ModerationLinks],
    *,
    queue_url: str,
    to_address: str,
    from_address: str,
    blog_title: str,
    now: datetime,
) -> EmailMessage:
    """One email about several held comments: each with its own one-click links first, then
    what its reader wrote, quoted line by line (as in ``held_comment_message``)."""
    message = EmailMessage()
    waiting = f"{plural(len(comments), 'comment')} {'is' if len(comments) == 1 else 'are'} waiting"
    message["Subject"] = f"[{blog_title}] {waiting} for moderation"
    message["From"] = from_address
    message["To"] = to_address
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain="classblog.invalid")
    parts = [
        f"{waiting} for your approval.\n"
        f"See them all in the moderation queue: {queue_url}\n"
        "(Each comment's links work once and expire after 7 days.)\n"
    ]
    for number, comment in enumerate(comments, start=1):
        own = links[comment.id]
        from_reader = "\n".join(
            [f"Name: {one_line(comment.author_name)}", f"Email: {one_line(comment.author_email)}",
             "", comment.body]
        )  # fmt: skip
        parts.append(
            f"{number}. On “{comment.post.title}” (IP address {comment.author_ip or 'unknown'}):\n"
            f"Approve it: {own.approve}\n"
            f"Mark it as spam: {own.spam}\n"
            f"Trash it: {own.trash}\n"
            f"See it on the post's page: {own.comment}\n"
            "What the reader sent, quoted:\n\n"
            f"{quoted(from_reader)}\n"
        )
    message.set_content("\n".join(parts), cte="quoted-printable")
    return message


def moderation_links(comment: Comment, secret_key: str, url_for: BuildUrl) -> ModerationLinks:
    """The email's links: signed one-click Approve and Trash, the comment, the queue."""
    return ModerationLinks(
        queue=url_for("moderation.queue", anchor=f"mod-comment-{comment.id}"),
        approve=url_for(
            "moderation.email_action", token=make_token(secret_key, comment.id, Action.APPROVE)
        ),
        spam=url_for(
            "moderation.email_action", token=make_token(secret_key, comment.id, Action.SPAM)
        ),
        trash=url_for(
            "moderation.email_action", token=make_token(secret_key, comment.id, Action.TRASH)
        ),
        # The lasting address: it finds the comment on whichever comment page holds it.
        comment=url_for("blog.comment_permalink", comment_id=comment.id),
    )


def queue_held_comment_notice(
    comment: Comment,
    settings: NotificationSettings,
    to_address: str,
    now: datetime,
    digest_minutes: int = 0,
) -> OutboxMessage:
    """Put the email about a held comment in the outbox, in the caller's transaction (the
    comment must have its id: flush first).

    The first held comment is emailed at once. Those held in the next ``digest_minutes`` go out
    together, as one digest sent when that time is up: a class posting after a lecture makes
    two emails, not thirty.
    """
    to_address = to_address or DEFAULT_RECIPIENT
    gathering = gathering_digest(now)
    if gathering is not None:
        ids = [int(i) for i in gathering.held_comment_ids.split(",")]
        if len(ids) < DIGEST_MAX:
            write_digest(gathering, [*ids, comment.id], settings, to_address, now)
            return gathering
        due = gathering.next_attempt_at  # full: another digest, sent at the same time
    else:
        first_at = latest_notice_since(now - timedelta(minutes=digest_minutes))
        if digest_minutes <= 0 or first_at is None:
            message = held_comment_message(
                comment,
                moderation_links(comment, settings.secret_key, settings.url_for),
                to_address=to_address,
                from_address=settings.from_address,
                blog_title=settings.blog_title,
                now=now,
            )
            row = queue_message(message, now)
            row.held_comment_ids = str(comment.id)
            return row
        due = first_at + timedelta(minutes=digest_minutes)
    digest = OutboxMessage(is_digest=True, created_at=now, next_attempt_at=due)
    write_digest(digest, [comment.id], settings, to_address, now)
    db.session.add(digest)
    return digest


def gathering_digest(now: datetime) -> OutboxMessage | None:
    """The digest still waiting for its time (no sender has taken it), if any."""
    return db.session.scalar(
        db.select(OutboxMessage)
        .where(
            OutboxMessage.is_digest,
            OutboxMessage.status == OutboxStatus.PENDING,
            OutboxMessage.attempts == 0,
            OutboxMessage.locked_until.is_(None),
            OutboxMessage.next_attempt_at > now,
        )
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )


def latest_notice_since(since: datetime) -> datetime | None:
    """When the latest email about a held comment was queued, if it was after ``since``."""
    return db.session.scalar(
        db.select(db.func.max(OutboxMessage.created_at)).where(
            OutboxMessage.held_comment_ids != "", OutboxMessage.created_at > since
        )
    )


def write_digest(
    digest: OutboxMessage,
    comment_ids: list[int],
    settings: NotificationSettings,
    to_address: str,
    now: datetime,
) -> None:
    """(Re)write ``digest`` to list ``comment_ids``, oldest first."""
    comments = list(
        db.session.scalars(
            db.select(Comment).where(Comment.id.in_(comment_ids)).order_by(Comment.id)
        )
    )
    message = digest_message(
        comments,
        {c.id: moderation_links(c, settings.secret_key, settings.url_for) for c in comments},
        queue_url=settings.url_for("moderation.queue"),
        to_address=to_address,
        from_address=settings.from_address,
        blog_title=settings.blog_title,
        now=now,
    )
    digest.to_address = str(message["To"])[:254]
    digest.subject = str(message["Subject"])[:255]
    digest.message = message.as_string()
    digest.held_comment_ids = ",".join(str(c.id) for c in comments)
