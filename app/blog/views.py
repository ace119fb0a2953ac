"""The reader-facing blog: the front page, each post with its discussion, and the reply form."""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    get_template_attribute,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError

from ..classroom.matching import comment_marks
from ..discussion.discussion_settings import load_rules, load_settings
from ..discussion.email_links import make_token
from ..discussion.moderation import Action
from ..discussion.notifications import ModerationLinks, deliver, held_comment_message
from ..discussion.reply_threads import build_threads
from ..discussion.rules import CommentDraft
from ..discussion.submission import BAD_PARENT, SubmissionRefused, submit_comment
from ..discussion.windows import AssignmentWindow, WindowState, late_comment_ids, window_state
from ..extensions import cache, csrf, db, limiter
from ..models import Comment, CommentStatus, Post, utcnow
from ..web.page_cache import cached_page, digest
from ..web.reader_memory import (
    AUTHOR_COOKIES,
    forget_author,
    own_comment_ids,
    remember_own_comment,
    remembered_author,
    save_author,
)
from ..web.security import has_login_session
from . import queries
from .forms import CommentForm

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
    # Computed on every request: a window opening or closing changes no row, only the time.
    state = window_state(
        AssignmentWindow(head.opens_at, head.due_at, head.closes_at),
        comments_open=head.comments_open,
        published_at=head.published_at,
        close_after_days=head.close_after_days,
        now=utcnow(),
    )
    if sees_only_public_parts(head.id):
        return public_page(head, state)
    post = db.session.get_one(Post, head.id)
    return render_post_page(post, state=state)


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


def public_page(head: queries.PostHead, state: WindowState) -> Response:
    """The page as every reader without anything of their own sees it: rendered once per page
    version and window state (the form or the message in its place), then only this reader's
    CSRF token is put in."""

    def render() -> str:
        post = db.session.get_one(Post, head.id)
        return render_post_page(post, CommentForm(formdata=None), state=state)[0]

    return cached_page(f"post-page:{head.id}:{head.page_version}:{state.value}", render)


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
    # Roster, guest and late marks are the instructor's: never in the parts cached for readers.
    marks = comment_marks(comments) if can_moderate else {}
    late = late_comment_ids(comments) if can_moderate else set()
    return PostParts(
        article(post),
        discussion(
            post,
            build_threads(comments),
            approved_count,
            comments_open,
            can_moderate,
            marks,
            late,
        ),
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
    state: WindowState | None = None,
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
    if state is None:
        state = window_state(
            AssignmentWindow.of(post),
            comments_open=post.comments_open,
            published_at=post.published_at,
            close_after_days=load_rules().close_after_days,
            now=utcnow(),
        )
    comments_open = state.accepts_comments

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
        window_state=state.value,
        form=form,
        reply_to=reply_to,
    ), status


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
