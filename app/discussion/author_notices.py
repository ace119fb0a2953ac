"""What an author who asked hears about their comment after posting: that it is published, and
that someone answered it.

``comment_now_visible`` is called by every use case that makes a comment visible (posting,
the queue's actions and the email links, the instructor's reply, undo), in its transaction,
so the email exists exactly when the approval does. Each email is sent at most once (the
comment records it), and only through ``queue_author_email``, which refuses authors who did not
opt in or have unsubscribed.
"""

from __future__ import annotations

from datetime import datetime

from ..models import Comment, CommentStatus
from .author_mail import queue_author_email
from .discussion_settings import load_settings
from .mail_text import NotificationSettings, one_line, quoted
from .public_names import commenter_name
from .unsubscribe import normalise_address


def shown_name(comment: Comment) -> str:
    """The name an email to another reader shows for the author of ``comment``: in privacy
    mode "First L.", as on the public pages (the instructor's replies keep their name)."""
    return one_line(commenter_name(comment, load_settings().privacy_mode))


def comment_now_visible(
    comment: Comment, notify: NotificationSettings | None, now: datetime
) -> None:
    """``comment`` has just become visible (approved) by a moderation action: tell its author,
    and the author of the comment it answers. No commit; the caller commits once."""
    if notify is None:
        return
    queue_published_email(comment, notify, now)
    queue_reply_email(comment, notify, now)


def queue_published_email(comment: Comment, notify: NotificationSettings, now: datetime) -> None:
    """ "Your comment is published", once per comment, with a link to it in the discussion."""
    if comment.status is not CommentStatus.APPROVED or comment.published_email_sent_at:
        return
    title = comment.post.title
    permalink = notify.url_for("blog.comment_permalink", comment_id=comment.id)
    sent = queue_author_email(
        comment,
        notify,
        subject=f"Your comment on “{title}” is published",
        text=f"The instructor has published your comment on “{title}”: everyone reading the "
        f"post can see it now.\n\nSee it in the discussion:\n{permalink}",
        now=now,
    )
    if sent is not None:
        comment.published_email_sent_at = now


def announces_reply(reply: Comment, parent: Comment) -> bool:
    """Whether ``parent``'s author wants to hear about ``reply``: from the instructor always,
    from anyone if they said so, never about their own reply (same address) to themselves."""
    if reply.status is not CommentStatus.APPROVED or parent.status is not CommentStatus.APPROVED:
        return False
    if reply.instructor_id is not None:
        return True
    if normalise_address(reply.author_email) == normalise_address(parent.author_email):
        return False
    return parent.notify_replies_from_anyone


def queue_reply_email(reply: Comment, notify: NotificationSettings, now: datetime) -> None:
    """ "<Name> replied to your comment", once per reply, quoting the reply, with a link to it.
    Nothing when ``reply`` answers no comment or its parent's author would not want it."""
    parent = reply.parent
    if parent is None or reply.reply_email_sent_at or not announces_reply(reply, parent):
        return
    name = shown_name(reply)
    title = reply.post.title
    link = notify.url_for("blog.comment_permalink", comment_id=reply.id)
    sent = queue_author_email(
        parent,
        notify,
        subject=f"{name} replied to your comment on “{title}”",
        text=f"{name} replied to your comment on “{title}”. Their reply, quoted:\n\n"
        f"{quoted(reply.body)}\n\nSee it in the discussion, and answer if you like:\n{link}",
        now=now,
    )
    if sent is not None:
        reply.reply_email_sent_at = now
