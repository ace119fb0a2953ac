"""Telling the instructor about held comments: the email, its links, and putting it in the outbox.

The message is composed and queued in the transaction that stores the held comment; the outbox
(``outbox.py``) sends it after the response, so a mail server never holds up or fails a reader.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any, Protocol

from ..models import Comment, OutboxMessage
from .email_links import make_token
from .moderation import Action
from .outbox import queue_message

# Where the email goes when the instructor has not given an address in the settings.
DEFAULT_RECIPIENT = "instructor@localhost"


class BuildUrl(Protocol):
    """``url_for`` for links that leave the site: absolute, on the configured site address."""

    def __call__(self, endpoint: str, /, *, anchor: str | None = None, **values: Any) -> str: ...


@dataclass(frozen=True)
class NotificationSettings:
    """What the instructor's email needs from the configuration."""

    url_for: BuildUrl
    secret_key: str
    from_address: str
    blog_title: str


@dataclass(frozen=True)
class ModerationLinks:
    queue: str
    approve: str
    spam: str
    trash: str
    comment: str


def quoted(text: str) -> str:
    """``text`` with "> " before each line, as mail clients show a quotation. Every character
    that any client may take for a line break (``str.splitlines`` knows them all, U+2028
    included) starts a new quoted line, so no part of the text can stand on a line of its own."""
    return "\n".join(f"> {line}".rstrip() for line in text.splitlines() or [""])


def one_line(text: str) -> str:
    """A one-line field (name, email, website) kept on one line, whatever breaks it holds."""
    return " ".join(text.splitlines())


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
    comment: Comment, settings: NotificationSettings, to_address: str, now: datetime
) -> OutboxMessage:
    """Put the email about a held comment in the outbox, in the caller's transaction (the
    comment must have its id: flush first)."""
    message = held_comment_message(
        comment,
        moderation_links(comment, settings.secret_key, settings.url_for),
        to_address=to_address or DEFAULT_RECIPIENT,
        from_address=settings.from_address,
        blog_title=settings.blog_title,
        now=now,
    )
    return queue_message(message, now)
