"""Load the Secret Speech post and its reader comment, the page this blog started from."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from typing import Any

from ..extensions import db
from ..models import Comment, CommentStatus, Post

SEED_FILE = "secret-speech.json"


@dataclass(frozen=True)
class SeedResult:
    posts_created: int
    comments_created: int


def load_seed_data() -> dict[str, Any]:
    """The seed document shipped inside the package (``app/transfer/data``)."""
    data_file = resources.files("app.transfer") / "data" / SEED_FILE
    return json.loads(data_file.read_text(encoding="utf-8"))


def seed_database(data: dict[str, Any] | None = None) -> SeedResult:
    """Create the seed post and its comments unless they exist already; commits once.

    Running it again creates nothing: the post is found by its slug and each comment by its post,
    author and text.
    """
    data = data or load_seed_data()
    post_data = data["post"]
    posts_created = comments_created = 0

    post = db.session.scalar(db.select(Post).filter_by(slug=post_data["slug"]))
    if post is None:
        post = Post(
            title=post_data["title"],
            slug=post_data["slug"],
            author_name=post_data["author_name"],
            published_at=datetime.fromisoformat(post_data["published_at"]),
            body="\n\n".join(post_data["paragraphs"]),
        )
        db.session.add(post)
        db.session.flush()
        posts_created = 1

    for comment_data in data["comments"]:
        exists = db.session.scalar(
            db.select(Comment.id).filter_by(
                post_id=post.id,
                author_name=comment_data["author_name"],
                body=comment_data["body"],
            )
        )
        if exists is None:
            db.session.add(
                Comment(
                    post=post,
                    author_name=comment_data["author_name"],
                    author_email=comment_data["author_email"],
                    author_url=comment_data["author_url"],
                    body=comment_data["body"],
                    status=CommentStatus.APPROVED,
                    created_at=datetime.fromisoformat(comment_data["created_at"]),
                )
            )
            comments_created += 1

    db.session.commit()
    return SeedResult(posts_created, comments_created)
