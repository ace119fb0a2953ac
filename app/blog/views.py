"""The reader-facing blog: the front page and each post with its discussion."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request

from ..extensions import db
from ..models import Post
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


@bp.get("/posts/<slug>/")
def post(slug: str) -> str:
    post = db.first_or_404(db.select(Post).filter_by(slug=slug))
    comments = queries.approved_comments(post)
    return render_template("blog/post.html", post=post, comments=comments)
