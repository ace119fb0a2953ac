"""The reader-facing blog: the front page and each post with its discussion."""

from __future__ import annotations

from typing import NamedTuple

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    get_template_attribute,
    render_template,
    request,
    session,
)
from flask_login import current_user
from markupsafe import Markup

from ..comments.author import AUTHOR_COOKIES, own_comment_ids, remembered_author
from ..comments.forms import CommentForm
from ..extensions import cache, db
from ..models import Comment, Post, utcnow
from ..page_cache import cached_page, digest
from ..rules import comments_are_open
from ..security import has_login_session
from ..settings import load_rules
from ..submission import BAD_PARENT
from ..threads import build_threads
from . import queries

bp = Blueprint("blog", __name__)


@bp.get("/")
def index() -> Response | str:
    page = max(request.args.get("page", 1, type=int), 1)
    per_page = current_app.config["POSTS_PER_PAGE"]
    listed, total = queries.front_page_versions(page, per_page)
    if page > 1 and not listed:
        abort(404)
    if has_login_session() or "_flashes" in session:
        return render_front_page(page, per_page)
    # The listed posts' versions and the number of posts decide everything the page shows.
    key = f"front-page:{page}:{per_page}:{total}:{digest(listed)}"
    return cached_page(key, lambda: render_front_page(page, per_page))


def render_front_page(page: int, per_page: int) -> str:
    posts = db.paginate(
        db.select(Post).order_by(Post.published_at.desc(), Post.id.desc()),
        page=page,
        per_page=per_page,
        error_out=False,
    )
    return render_template("blog/index.html", posts=posts)


@bp.get("/posts/<slug:slug>/")
def post(slug: str) -> Response | tuple[str, int]:
    head = queries.post_head(slug)
    if head is None:
        abort(404)
    comments_open = comments_are_open(
        head.comments_open, head.published_at, head.close_after_days, utcnow()
    )
    if sees_only_public_parts(head.id):
        return public_page(head, comments_open)
    post = db.session.get_one(Post, head.id)
    return render_post_page(post, comments_open=comments_open)


def sees_only_public_parts(post_id: int) -> bool:
    """Whether nothing on the post page belongs to this reader but the CSRF token: no saved
    details, no message, no reply target, no held comment of their own, not the instructor."""
    return (
        not any(cookie in request.cookies for cookie in AUTHOR_COOKIES.values())
        and "replytocom" not in request.args
        and "_flashes" not in session
        and not has_login_session()
        and not queries.own_held_comment_ids(post_id, own_comment_ids())
    )


def public_page(head: queries.PostHead, comments_open: bool) -> Response:
    """The page as every reader without anything of their own sees it: rendered once per page
    version, then only this reader's CSRF token is put in."""

    def render() -> str:
        post = db.session.get_one(Post, head.id)
        return render_post_page(post, CommentForm(formdata=None), comments_open=comments_open)[0]

    return cached_page(f"post-page:{head.id}:{head.page_version}:{int(comments_open)}", render)


class PostParts(NamedTuple):
    """The rendered post and discussion, the same for every reader who sees no held comment."""

    article: Markup
    discussion: Markup


def render_parts(
    post: Post, comments: list[Comment], comments_open: bool, can_moderate: bool
) -> PostParts:
    article = get_template_attribute("blog/_post_parts.html", "article")
    discussion = get_template_attribute("blog/_post_parts.html", "discussion")
    approved_count = sum(1 for c in comments if c.is_visible)
    return PostParts(
        article(post),
        discussion(post, build_threads(comments), approved_count, comments_open, can_moderate),
    )


def public_parts(post: Post, comments_open: bool) -> PostParts:
    """The parts every reader sees, from the cache while the post's page version is current."""
    key = f"post-parts:{post.id}:{post.page_version}:{int(comments_open)}"
    parts = cache.get(key)
    if parts is None:
        parts = render_parts(
            post, queries.visible_comments(post), comments_open, can_moderate=False
        )
        cache.set(key, parts)  # kept (or pickled, in Redis) as Markup, so it stays marked safe
    return parts


def render_post_page(
    post: Post,
    form: CommentForm | None = None,
    *,
    status: int = 200,
    comments_open: bool | None = None,
) -> tuple[str, int]:
    """The post, the comments this reader may see, and the reply form.

    On GET the form is empty or pre-filled from the reader's saved details; after a refused
    submission it is the reader's own form, with their text and the reasons. Only the form and
    the comments that differ per reader (held ones) are rendered per request; the rest is cached.
    """
    if form is None:
        form = CommentForm(formdata=None, data=remembered_author())
        form.remember.data = any(form.data[f] for f in ("author_name", "author_email"))
        form.parent_id.data = request.args.get("replytocom", "")
    if comments_open is None:
        comments_open = comments_are_open(
            post.comments_open, post.published_at, load_rules().close_after_days, utcnow()
        )

    can_moderate = current_user.is_authenticated
    own_held = queries.own_held_comment_ids(post.id, own_comment_ids())
    if can_moderate or own_held:
        comments = queries.visible_comments(post, own_held, include_held=can_moderate)
        parts = render_parts(post, comments, comments_open, can_moderate)
    else:
        parts = public_parts(post, comments_open)

    reply_to = queries.approved_comment(post, form.parent_comment_id())
    if reply_to is None and form.parent_comment_id() is not None:
        if BAD_PARENT not in form.form_errors:
            form.form_errors.append(BAD_PARENT)
        form.parent_id.data = ""  # the reader's next try goes under the post
    return render_template(
        "blog/post.html",
        post=post,
        parts=parts,
        comments_open=comments_open,
        form=form,
        reply_to=reply_to,
    ), status
