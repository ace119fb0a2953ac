"""Telling the instructor about held comments, by email or, in development, into instance/outbox.

Sending never raises: a mail server that is down or refuses is logged, and the comment (already
committed) is unaffected.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from ..models import Comment

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ModerationLinks:
    queue: str
    approve: str
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
        f"Trash it: {links.trash}\n"
        "(These two links work once and expire after 7 days.)\n\n"
        f"See every comment waiting for moderation: {links.queue}\n"
        f"See the comment on the post's page: {links.comment}\n"
        f"Sent from the IP address {comment.author_ip or 'unknown'}.\n\n"
        "What the reader sent, quoted (each of their lines starts with “>”):\n\n"
        f"{quoted(from_reader)}\n",
        cte="quoted-printable",
    )
    return message


def deliver(message: EmailMessage, config: dict[str, Any], outbox: Path) -> bool:
    """Send through SMTP when ``MAIL_SERVER`` is set, else write an .eml file to ``outbox``.

    Returns whether the message left; failures are logged, never raised.
    """
    try:
        if config.get("MAIL_SERVER"):
            send_smtp(message, config)
            log.info("Sent notification %s to %s", message["Message-ID"], message["To"])
        else:
            path = write_to_outbox(message, outbox)
            log.info("No MAIL_SERVER configured; notification written to %s\n%s", path, message)
        return True
    except (OSError, smtplib.SMTPException) as exc:
        log.error("Could not send the notification %s: %s", message["Subject"], exc)
        return False


def send_smtp(message: EmailMessage, config: dict[str, Any]) -> None:
    timeout = config.get("MAIL_TIMEOUT_SECONDS", 5)
    with smtplib.SMTP(config["MAIL_SERVER"], config.get("MAIL_PORT", 25), timeout=timeout) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls(context=ssl.create_default_context())
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)


def write_to_outbox(message: EmailMessage, outbox: Path) -> Path:
    outbox.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    message_id = message["Message-ID"].strip("<>").split("@")[0]
    path = outbox / f"{stamp}-{message_id}.eml"
    path.write_bytes(bytes(message))
    return path
