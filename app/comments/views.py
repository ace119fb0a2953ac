"""Readers' replies: the one route that accepts a new comment."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, flash, make_response, redirect, request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from ..action_links import make_token
from ..blog.views import render_post_page
from ..extensions import csrf, db, limiter
from ..models import Comment, CommentStatus, Post, utcnow
from ..notifications import ModerationLinks, deliver, held_comment_message
from ..rules import CommentDraft
from ..settings import load_settings
from ..submission import SubmissionRefused, submit_comment
from ..transitions import Action
from .author import forget_author, remember_own_comment, save_author
from .forms import CommentForm

bp = Blueprint("comments", __name__)

SESSION_EXPIRED = "Your session expired; please submit again."
HELD_MESSAGE = "Thank you! Your comment is awaiting moderation."
RATE_LIMITED = (
    "You have sent a lot of comments in a short time; please wait a minute and try again."
)
NOT_SAVED = "We could not save your comment; please try again."


def rate_limited(_limit: object) -> Response:
    """The 429 for a reader over the rate limit: the post page with their text and the reason."""
    post = db.first_or_404(db.select(Post).filter_by(slug=request.view_args["slug"]))
    form = CommentForm()
    form.form_errors.append(RATE_LIMITED)
    return make_response(render_post_page(post, form, status=429))


@bp.post("/posts/<slug:slug>/comments")
# The form checks its own CSRF token, so a stale tab gets its text back instead of a bare 400.
@csrf.exempt
@limiter.limit(lambda: current_app.config["COMMENT_RATE_LIMIT"], on_breach=rate_limited)
def create(slug: str) -> Response | tuple[str, int]:
    post = db.first_or_404(db.select(Post).filter_by(slug=slug))
    form = CommentForm()
    if not form.validate():
        if form.csrf_token.errors:
            form.csrf_token.errors = []
            form.form_errors.append(SESSION_EXPIRED)
        return render_post_page(post, form, status=400)

    draft = CommentDraft(
        body=form.body.data,
        author_name=form.author_name.data,
        author_email=form.author_email.data,
        author_url=form.author_url.data or "",
        author_ip=request.remote_addr or "",
        user_agent=request.user_agent.string[:255],
    )
    try:
        submitted = submit_comment(
            post,
            draft,
            parent_id=form.parent_comment_id(),
            honeypot_filled=bool(form.homepage_confirm.data),
            flood_seconds=current_app.config["COMMENT_FLOOD_SECONDS"],
            now=utcnow(),
            instructor=current_user if current_user.is_authenticated else None,
        )
    except SubmissionRefused as refusal:
        form.form_errors.append(refusal.message)
        return render_post_page(post, form, status=refusal.status_code)
    except SQLAlchemyError:
        # A full disk, a read-only file, a lock held too long: nothing was stored, say so.
        db.session.rollback()
        current_app.logger.exception("Could not store a comment on %s", post.slug)
        form.form_errors.append(NOT_SAVED)
        return render_post_page(post, form, status=503)

    comment = submitted.comment
    if comment.status is CommentStatus.PENDING:
        remember_own_comment(comment.id)
        flash(HELD_MESSAGE)
        notify_instructor(comment)
    response = redirect(url_for("blog.post", slug=post.slug, _anchor=f"comment-{comment.id}"))
    if form.remember.data:
        save_author(response, draft_details(draft))
    else:
        forget_author(response)
    return response


def notify_instructor(comment: Comment) -> None:
    """Email the instructor about a held comment, with one-click links (never fails the request)."""
    config = current_app.config
    secret = config["SECRET_KEY"]
    links = ModerationLinks(
        queue=url_for("moderation.queue", _external=True, _anchor=f"mod-comment-{comment.id}"),
        approve=url_for(
            "moderation.email_action",
            token=make_token(secret, comment.id, Action.APPROVE),
            _external=True,
        ),
        trash=url_for(
            "moderation.email_action",
            token=make_token(secret, comment.id, Action.TRASH),
            _external=True,
        ),
        comment=url_for(
            "blog.post", slug=comment.post.slug, _external=True, _anchor=f"comment-{comment.id}"
        ),
    )
    message = held_comment_message(
        comment,
        links,
        to_address=load_settings().notify_email or "instructor@localhost",
        from_address=config["MAIL_FROM"],
        blog_title=config["BLOG_TITLE"],
        now=utcnow(),
    )
    deliver(
        message, config, Path(config["OUTBOX_DIR"] or Path(current_app.instance_path) / "outbox")
    )


def draft_details(draft: CommentDraft) -> dict[str, str]:
    return {
        "author_name": draft.author_name,
        "author_email": draft.author_email,
        "author_url": draft.author_url,
    }
