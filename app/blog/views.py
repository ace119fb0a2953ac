"""The reader-facing blog: the front page and each post with its discussion."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request
from flask_login import current_user

from ..comments.author import own_comment_ids, remembered_author
from ..comments.forms import CommentForm
from ..extensions import db
from ..models import Comment, CommentStatus, Post, utcnow
from ..rules import comments_are_open
from ..settings import load_rules
from ..submission import BAD_PARENT
from ..threads import build_threads
from . import queries

bp = Blueprint("blog", __name__)


@bp.get("/")
def index() -> str:
    page = request.args.get("page", 1, type=int)
    posts = db.paginate(
        db.select(Post).order_by(Post.published_at.desc(), Post.id.desc()),
        page=page,
        per_page=current_app.config["POSTS_PER_PAGE"],
        error_out=False,
    )
    if page > 1 and not posts.items:
        abort(404)
    return render_template("blog/index.html", posts=posts)


@bp.get("/posts/<slug:slug>/")
def post(slug: str) -> tuple[str, int]:
    post = db.first_or_404(db.select(Post).filter_by(slug=slug))
    return render_post_page(post)


def render_post_page(
    post: Post, form: CommentForm | None = None, *, status: int = 200
) -> tuple[str, int]:
    """The post, the comments this reader may see, and the reply form.

    On GET the form is empty or pre-filled from the reader's saved details; after a refused
    submission it is the reader's own form, with their text and the reasons.
    """
    if form is None:
        form = CommentForm(formdata=None, data=remembered_author())
        form.remember.data = any(form.data[f] for f in ("author_name", "author_email"))
        form.parent_id.data = request.args.get("replytocom", "")

    can_moderate = current_user.is_authenticated
    comments = queries.visible_comments(post, own_comment_ids(), include_held=can_moderate)
    approved = [c for c in comments if c.status is CommentStatus.APPROVED]
    reply_to = reply_target(form, approved)
    if reply_to is None and form.parent_comment_id() is not None:
        if BAD_PARENT not in form.form_errors:
            form.form_errors.append(BAD_PARENT)
        form.parent_id.data = ""  # the reader's next try goes under the post
    return render_template(
        "blog/post.html",
        post=post,
        threads=build_threads(comments),
        approved_count=len(approved),
        comments_open=comments_are_open(
            post.comments_open, post.published_at, load_rules(), utcnow()
        ),
        form=form,
        reply_to=reply_to,
        can_moderate=can_moderate,
    ), status


def reply_target(form: CommentForm, approved: list[Comment]) -> Comment | None:
    """The approved comment the form is answering, if it names one that is on this page."""
    parent_id = form.parent_comment_id()
    return next((c for c in approved if c.id == parent_id), None)
