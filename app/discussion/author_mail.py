"""Emails to a comment's author: only to an author who ticked "Email me about this comment".

Every email to an author goes through ``queue_author_email``, which refuses any comment whose
author did not opt in or has since unsubscribed (from the comment, or every email to their
address), so no other code path can write to an address that did not ask. Each carries a
one-click unsubscribe link (RFC 8058). Messages are queued in the caller's transaction and sent
by the outbox after the commit.
"""

from __future__ import annotations

from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from ..models import Comment, OutboxMessage
from .author_links import make_author_token
from .mail_text import NotificationSettings, one_line
from .outbox import queue_message
from .unsubscribe import address_opted_out, make_unsubscribe_token

# Lines up to RFC 5322's limit: at the usual 78, the List-Unsubscribe address (one long word)
# would be folded into encoded-words, which mail clients do not read as an address.
AUTHOR_MAIL_POLICY = policy.default.clone(max_line_length=998)


def check_link(comment: Comment, notify: NotificationSettings) -> str:
    """The absolute address of the comment's private "check my comment" page."""
    token = make_author_token(notify.secret_key, comment)
    return notify.url_for("my_comment.show", token=token)


def unsubscribe_link(comment: Comment, notify: NotificationSettings) -> str:
    """The absolute address that stops the emails about the comment (one click)."""
    token = make_unsubscribe_token(notify.secret_key, comment)
    return notify.url_for("my_comment.unsubscribe_page", token=token)


def may_email_author(comment: Comment) -> bool:
    """Whether the author asked to hear about this comment (and left an address to write to),
    and has not unsubscribed since, from it or from every email to that address."""
    address = comment.author_email.strip()
    return comment.notify_author and bool(address) and not address_opted_out(address)


def queue_author_email(
    comment: Comment,
    notify: NotificationSettings,
    *,
    subject: str,
    text: str,
    now: datetime,
) -> OutboxMessage | None:
    """Queue ``text`` to the comment's author, with their private link and the unsubscribe
    link under it; None, and nothing queued, when the author did not opt in or has
    unsubscribed. The caller commits."""
    if not may_email_author(comment):
        return None
    message = EmailMessage(policy=AUTHOR_MAIL_POLICY)
    message["Subject"] = f"[{notify.blog_title}] {subject}"
    message["From"] = notify.from_address
    message["To"] = one_line(comment.author_email)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain="classblog.invalid")
    unsubscribe = unsubscribe_link(comment, notify)
    # RFC 8058: a mail client's "Unsubscribe" button POSTs to this address, no page, no login.
    message["List-Unsubscribe"] = f"<{unsubscribe}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(
        f"Hello {one_line(comment.author_name)},\n\n{text}\n\n"
        f"Check on your comment, on any device (keep this link to yourself):\n"
        f"{check_link(comment, notify)}\n\n"
        "You are getting this email because you ticked “Email me about this comment” "
        f"when you commented on “{comment.post.title}”.\n\n"
        f"To stop these emails, open:\n{unsubscribe}\n",
        cte="quoted-printable",
    )
    return queue_message(message, now)


def queue_posted_email(
    comment: Comment, notify: NotificationSettings, now: datetime
) -> OutboxMessage | None:
    """The email right after posting: the private link, and where the comment stands."""
    if comment.is_visible:
        standing = "It is published: everyone reading the post can see it."
    else:
        standing = (
            "It is waiting for the instructor, who reviews comments before they are published. "
            "Until then only you can see it."
        )
    return queue_author_email(
        comment,
        notify,
        subject=f"Your comment on “{comment.post.title}”",
        text=f"Thank you for your comment on “{comment.post.title}”. {standing}",
        now=now,
    )
