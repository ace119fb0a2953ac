"""The instructor's moderation workspace: the queue, actions, edits, replies and settings."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from ..classroom.matching import comment_marks
from ..discussion import email_links
from ..discussion.discussion_settings import load_settings
from ..discussion.moderation import (
    Action,
    Outcome,
    actions_for,
    apply_action,
    edit_comment,
    empty_status,
    reply_as_instructor,
    undo,
)
from ..discussion.page_versions import moderation_version
from ..discussion.windows import late_comment_ids
from ..extensions import db
from ..models import Comment, CommentStatus, Post, utcnow
from ..text import plural
from ..web.fields import clean_line
from ..web.guards import instructor_required
from ..web.page_cache import cached_page, digest
from ..web.redirects import safe_next
from . import queries
from .forms import CommentEditForm, DiscussionSettingsForm, ReplyForm

bp = Blueprint("moderation", __name__, url_prefix="/moderation")

UNDO_KEY = "moderation_undo"
FILTERS = ("all", "pending", "approved", "spam", "trash")


# Every moderation route but the signed email links is for the logged-in instructor only.
bp.before_request(instructor_required(public_endpoints={"moderation.email_action"}))


@bp.app_context_processor
def moderation_bar() -> dict[str, Any]:
    """The instructor's bar on every page, with the pending count (computed here, not in
    templates)."""
    if not current_user.is_authenticated:
        return {"moderation_bar": None}
    return {
        "moderation_bar": {"pending": queries.pending_count(), "username": current_user.username}
    }


def back_to_queue() -> Response:
    """Return to the page the action came from (same filter, page and search), if it is ours."""
    return redirect(safe_next(request.form.get("next"), url_for("moderation.queue")))


def actor_name() -> str:
    return current_user.username


def parse_filter(value: str | None) -> CommentStatus | None:
    """The status a filter shows; Pending by default, None for All."""
    if value == "all":
        return None
    try:
        return CommentStatus(value or "pending")
    except ValueError:
        abort(404)


def parse_action(value: str) -> Action:
    try:
        return Action(value)
    except ValueError:
        abort(404)


@bp.get("")
def queue() -> Response | str:
    version = moderation_version()
    if version is None or "_flashes" in session:
        return render_queue()
    # The moderation version moves with every change to a comment, so a cached queue is current.
    undo = digest(session.get(UNDO_KEY))
    key = f"queue:{version}:{current_user.get_id()}:{undo}:{request.full_path}"
    return cached_page(key, render_queue)


def render_queue() -> str:
    status = parse_filter(request.args.get("status"))
    search = clean_line(request.args.get("q", ""))[:200]
    page = max(request.args.get("page", 1, type=int), 1)
    comments = queries.queue_page(status, search, page)
    if page > 1 and not comments.items and comments.pages:
        comments = queries.queue_page(status, search, comments.pages)  # past the end: show the last
    return render_template(
        "moderation/queue.html",
        comments=comments,
        marks=comment_marks(comments.items),
        late=late_comment_ids(comments.items),
        counts=queries.status_counts(),
        current_filter=status.value if status else "all",
        filters=FILTERS,
        search=search,
        actions_for=actions_for,
        bulk_actions=list(Action),
        undo=session.get(UNDO_KEY),
        reply_form=ReplyForm(formdata=None),
        here=request.full_path.rstrip("?"),
    )


@bp.post("/comments/<int:comment_id>/<action_name>")
def act(comment_id: int, action_name: str) -> Response | str:
    action = parse_action(action_name)
    comment = db.get_or_404(Comment, comment_id)
    if action is Action.DELETE and request.form.get("confirmed") != "yes":
        return render_template(
            "moderation/confirm.html",
            title="Delete this comment permanently?",
            detail=f"The comment by {comment.author_name} will be gone for good; "
            "this cannot be undone.",
            action_url=url_for("moderation.act", comment_id=comment_id, action_name=action.value),
            fields={"confirmed": "yes"},
            label="Delete Permanently",
        )
    return finish(
        apply_action(
            [comment.id], action, actor=actor_name(), instructor=current_user, now=utcnow()
        )
    )


@bp.post("/bulk")
def bulk() -> Response | str:
    action = next((a for a in Action if a.value == request.form.get("action")), None)
    ids = [int(v) for v in request.form.getlist("ids") if v.isdigit() and len(v) < 12]
    if action is None:
        flash("Choose a bulk action first.", "error")
        return back_to_queue()
    if not ids:
        flash("No comments were selected; tick the ones to change first.", "error")
        return back_to_queue()
    if action is Action.DELETE and request.form.get("confirmed") != "yes":
        return render_template(
            "moderation/confirm.html",
            title=f"Delete {plural(len(ids), 'comment')} permanently?",
            detail="Only comments in Spam or Trash are deleted; this cannot be undone.",
            action_url=url_for("moderation.bulk"),
            fields={"confirmed": "yes", "action": action.value},
            ids=ids,
            label="Delete Permanently",
        )
    return finish(
        apply_action(ids, action, actor=actor_name(), instructor=current_user, now=utcnow())
    )


def finish(outcome: Outcome) -> Response:
    """Say what was done, offer Undo when it can be undone, and go back to the queue."""
    if outcome.changed:
        session[UNDO_KEY] = {
            "label": outcome.message(),
            "changes": [[comment_id, status.value] for comment_id, status in outcome.changed],
        }
    else:
        session.pop(UNDO_KEY, None)
    flash(outcome.message(), "success" if outcome.count else "error")
    return back_to_queue()


@bp.post("/undo")
def undo_last() -> Response:
    last = session.pop(UNDO_KEY, None)
    if not last:
        flash("There is nothing to undo.", "error")
        return back_to_queue()
    previous = [(int(comment_id), CommentStatus(status)) for comment_id, status in last["changes"]]
    restored = undo(previous, actor=actor_name(), instructor=current_user, now=utcnow())
    flash(f"Undone: {plural(restored, 'comment')} back to the status before.")
    return back_to_queue()


@bp.post("/empty/<status_name>")
def empty(status_name: str) -> Response | str:
    status = parse_filter(status_name)
    if status not in (CommentStatus.SPAM, CommentStatus.TRASH):
        abort(404)
    label = "Empty Spam" if status is CommentStatus.SPAM else "Empty Trash"
    if request.form.get("confirmed") != "yes":
        return render_template(
            "moderation/confirm.html",
            title=f"{label}?",
            detail=f"Every comment in {status.value.title()} will be deleted permanently; "
            "this cannot be undone.",
            action_url=url_for("moderation.empty", status_name=status.value),
            fields={"confirmed": "yes"},
            label=label,
        )
    deleted = empty_status(status)
    session.pop(UNDO_KEY, None)
    flash(f"{plural(deleted, 'comment')} deleted permanently.")
    return back_to_queue()


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
def edit(comment_id: int) -> Response | str | tuple[str, int]:
    comment = db.get_or_404(Comment, comment_id)
    form = CommentEditForm(obj=comment)
    if request.method == "POST":
        if form.validate():
            edit_comment(
                comment,
                body=form.body.data,
                author_name=form.author_name.data,
                author_email=form.author_email.data,
                author_url=form.author_url.data or "",
            )
            flash(f"The comment by {comment.author_name} was saved.")
            return back_to_queue()
        return render_template(
            "moderation/edit.html", form=form, comment=comment, next=request.form.get("next")
        ), 400
    return render_template(
        "moderation/edit.html", form=form, comment=comment, next=request.args.get("next")
    )


@bp.post("/comments/<int:comment_id>/reply")
def reply(comment_id: int) -> Response | tuple[str, int]:
    parent = db.get_or_404(Comment, comment_id)
    form = ReplyForm()
    if parent.status not in (CommentStatus.PENDING, CommentStatus.APPROVED):
        flash("Only pending or approved comments can be answered.", "error")
        return back_to_queue()
    if not form.validate():
        return render_template(
            "moderation/reply.html", form=form, comment=parent, next=request.form.get("next")
        ), 400
    reply_as_instructor(parent, form.body.data, current_user, utcnow())
    flash(f"Your reply to {parent.author_name} is published; their comment is approved.")
    return back_to_queue()


@bp.route("/settings", methods=["GET", "POST"])
def settings() -> Response | str | tuple[str, int]:
    stored = load_settings()
    form = DiscussionSettingsForm(obj=stored)
    posts = db.session.scalars(db.select(Post).order_by(Post.published_at.desc())).all()
    if request.method == "POST":
        if form.validate():
            form.populate_obj(stored)
            stored.notify_email = stored.notify_email or ""
            db.session.add(stored)
            db.session.commit()
            flash("Discussion settings saved.")
            return redirect(url_for("moderation.settings"))
        return render_template("moderation/settings.html", form=form, posts=posts), 400
    return render_template("moderation/settings.html", form=form, posts=posts)


@bp.post("/posts/<int:post_id>/comments-open")
def toggle_comments(post_id: int) -> Response:
    post = db.get_or_404(Post, post_id)
    post.comments_open = request.form.get("open") == "yes"
    db.session.commit()
    flash(f"Comments on “{post.title}” are now {'open' if post.comments_open else 'closed'}.")
    return redirect(url_for("moderation.settings"))


@bp.route("/email/<token>", methods=["GET", "POST"])
def email_action(token: str) -> Response | str | tuple[str, int]:
    """A one-click link from a notification: confirm on GET, act on POST, once."""
    secret = current_app.config["SECRET_KEY"]
    try:
        link = email_links.read_token(secret, token)
    except email_links.LinkError as error:
        return render_template("moderation/email_action.html", error=str(error)), 410
    comment = db.session.get(Comment, link.comment_id)
    if comment is None:
        return render_template(
            "moderation/email_action.html", error="That comment no longer exists."
        ), 404
    if request.method == "GET":
        return render_template(
            "moderation/email_action.html", comment=comment, action=link.action, token=token
        )
    try:
        email_links.mark_used(link.nonce, utcnow())
    except email_links.LinkError as error:
        return render_template("moderation/email_action.html", error=str(error)), 410
    outcome = apply_action(
        [comment.id], link.action, actor="email link", instructor=None, now=utcnow()
    )
    return render_template("moderation/email_action.html", done=outcome.message(), comment=comment)
