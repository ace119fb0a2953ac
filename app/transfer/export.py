"""Export and import: a JSON dump of every post, comment (with its history) and setting that
loads into an empty database on either backend."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

from ..extensions import db
from ..models import Comment, CommentStatus, DiscussionSettings, Post, StatusChange

EXPORT_FORMAT = "classblog-export"
EXPORT_VERSION = 1


class ExportError(Exception):
    """An export or import that cannot be done, with the reason."""


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value is not None else None


def export_data() -> dict[str, Any]:
    """Every post, comment (all statuses, with parent and history) and the discussion settings."""
    posts = db.session.scalars(db.select(Post).order_by(Post.id)).all()
    comments = db.session.scalars(
        db.select(Comment).options(db.selectinload(Comment.history)).order_by(Comment.id)
    ).all()
    settings = db.session.get(DiscussionSettings, 1)
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "posts": [
            {
                "id": p.id,
                "title": p.title,
                "slug": p.slug,
                "author_name": p.author_name,
                "published_at": _iso(p.published_at),
                "body": p.body,
                "comments_open": p.comments_open,
            }
            for p in posts
        ],
        "comments": [
            {
                "id": c.id,
                "post_id": c.post_id,
                "parent_id": c.parent_id,
                "author_name": c.author_name,
                "author_email": c.author_email,
                "author_url": c.author_url,
                "body": c.body,
                "status": c.status.value,
                "created_at": _iso(c.created_at),
                "author_ip": c.author_ip,
                "user_agent": c.user_agent,
                "history": [
                    {
                        "actor": h.actor,
                        "from_status": h.from_status.value if h.from_status else None,
                        "to_status": h.to_status.value,
                        "reason": h.reason,
                        "changed_at": _iso(h.changed_at),
                    }
                    for h in c.history
                ],
            }
            for c in comments
        ],
        "settings": None
        if settings is None
        else {
            "manual_approval": settings.manual_approval,
            "require_prior_approval": settings.require_prior_approval,
            "max_links": settings.max_links,
            "moderation_words": settings.moderation_words,
            "disallowed_words": settings.disallowed_words,
            "close_after_days": settings.close_after_days,
            "notify_email": settings.notify_email,
        },
    }


def dumps_html_safe(data: dict[str, Any]) -> str:
    """JSON in which ``<``, ``>``, ``&`` and ``'`` are \\u escapes: the same data when parsed, and
    inert if the file is ever opened as HTML."""
    text_ = json.dumps(data, ensure_ascii=False, indent=1)
    for char, escape in (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("'", "\\u0027")):
        text_ = text_.replace(char, escape)
    return text_ + "\n"


def write_export(target: Path) -> dict[str, int]:
    data = export_data()
    target.write_text(dumps_html_safe(data), encoding="utf-8")
    return {"posts": len(data["posts"]), "comments": len(data["comments"])}


def database_is_empty() -> bool:
    return all(
        db.session.scalar(db.select(db.func.count()).select_from(model)) == 0
        for model in (Post, Comment, DiscussionSettings)
    )


def import_data(data: dict[str, Any]) -> dict[str, int]:
    """Load an export into an empty database, keeping every id; commits once.

    Refuses a file that is not our export and a database that already holds posts or comments.
    """
    if data.get("format") != EXPORT_FORMAT or data.get("version") != EXPORT_VERSION:
        raise ExportError("this file is not an export of this blog (format or version differs).")
    if not database_is_empty():
        raise ExportError("the database is not empty; import only into a freshly upgraded one.")
    for p in data["posts"]:
        db.session.add(
            Post(
                id=p["id"],
                title=p["title"],
                slug=p["slug"],
                author_name=p["author_name"],
                published_at=_time(p["published_at"]),
                body=p["body"],
                comments_open=p["comments_open"],
            )
        )
    db.session.flush()
    for c in data["comments"]:  # ids ascend, so a parent is always stored before its replies
        comment = Comment(
            id=c["id"],
            post_id=c["post_id"],
            parent_id=c["parent_id"],
            author_name=c["author_name"],
            author_email=c["author_email"],
            author_url=c["author_url"],
            body=c["body"],
            status=CommentStatus(c["status"]),
            created_at=_time(c["created_at"]),
            author_ip=c["author_ip"],
            user_agent=c["user_agent"],
        )
        comment.history = [
            StatusChange(
                actor=h["actor"],
                from_status=CommentStatus(h["from_status"]) if h["from_status"] else None,
                to_status=CommentStatus(h["to_status"]),
                reason=h["reason"],
                changed_at=_time(h["changed_at"]),
            )
            for h in c["history"]
        ]
        db.session.add(comment)
        db.session.flush()
    if data.get("settings"):
        db.session.add(DiscussionSettings(id=1, **data["settings"]))
    db.session.flush()
    reset_sequences()
    db.session.commit()
    return {"posts": len(data["posts"]), "comments": len(data["comments"])}


def reset_sequences() -> None:
    """After inserting explicit ids, PostgreSQL's sequences must continue after the largest."""
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        return
    for name in ("posts", "comments", "status_changes", "discussion_settings"):
        table = db.metadata.tables[name]
        largest = connection.scalar(db.select(db.func.max(table.c.id))) or 0
        connection.execute(
            text("SELECT setval(pg_get_serial_sequence(:table, 'id'), :next, false)"),
            {"table": name, "next": largest + 1},
        )
