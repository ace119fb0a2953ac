"""The instructor's moderation workspace: the queue, actions, edits, replies and settings."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response

from ..classroom.matching import comment_marks
from ..discussion import email_links
from ..discussion.discussion_settings import load_settings, save_settings
from ..discussion.mail_text import NotificationSettings
from ..discussion.moderation import (
    Action,
    Outcome,
    actions_for,
    apply_action,
    edit_comment,
    empty_status,
    held_reason,
    primary_action,
    reply_as_instructor,
    undo,
)
from ..discussion.page_versions import moderation_version
from ..discussion.reports import keep_comment
from ..discussion.returns import return_for_revision
from ..discussion.windows import late_comment_ids
from ..discussion.word_diff import word_diff
from ..extensions import db
from ..models import Comment, CommentStatus, Post, utcnow
from ..publishing.posts import set_comments_open
from ..text import plural, positive_id
from ..web.fields import clean_line
from ..web.guards import instructor_required
from ..web.page_cache import cached_page, digest, request_is_personal
from ..web.redirects import safe_next
from ..web.site import mail_values
from . import queries, undo_stack
from .forms import CommentEditForm, DiscussionSettingsForm, ReplyForm, ReturnForm

bp = Blueprint("moderation", __name__, url_prefix="/moderation")

UNDO_KEY = undo_stack.UNDO_KEY
FILTERS = ("all", "pending", "reported", "approved", "returned", "spam", "trash")
# The comments readers have reported (and the instructor has not answered), in any status.
REPORTED = "reported"


# Every moderation route but the signed email links is for the logged-in instructor only.
bp.before_request(instructor_required(public_endpoints={"moderation.email_action"}))


@bp.app_context_processor
def moderation_bar() -> dict[str, Any]:
    """The instructor's bar on every page, with the pending count (computed here, not in
    templates)."""
    if not current_user.is_authenticated:
        return {"moderation_bar": None}
    return {
        "moderation_bar": {"pending": queries.pending_count(), "name": current_user.public_name}
    }


def return_path(target: str | None) -> str:
    """Where Cancel and the redirect after an action go: ``target`` if it is one of our paths
    (same filter, page and search), else the queue. Pages print it in links, so it is checked
    on every way in, GET included: ``?next=javascript:...`` must not become a Cancel link."""
    return safe_next(target, url_for("moderation.queue"))


def back_to_queue() -> Response:
    """Return to the page the action came from, if it is ours."""
    return redirect(return_path(request.form.get("next")))


def confirm_page(**details: Any) -> str:
    """The page that asks before something cannot be undone; Cancel goes back where it came from."""
    return render_template(
        "moderation/confirm.html", next=return_path(request.form.get("next")), **details
    )


def actor_name() -> str:
    return current_user.username


def mail_settings() -> NotificationSettings:
    """What the use cases need to email an author whose comment an action publishes."""
    return NotificationSettings(**mail_values())


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
    if version is None or request_is_personal(keyed_to_user=True):
        return render_queue()
    # The moderation version moves with every change to a comment, so a cached queue is current.
    undo = digest(session.get(UNDO_KEY))
    key = f"queue:{version}:{current_user.get_id()}:{undo}:{request.full_path}"
    return cached_page(key, render_queue)


def render_queue() -> str:
    reported = request.args.get("status") == REPORTED
    status = None if reported else parse_filter(request.args.get("status"))
    search = clean_line(request.args.get("q", ""))[:200]
    page = max(request.args.get("page", 1, type=int), 1)
    here = request.full_path.rstrip("?")
    comments = queries.queue_page(status, search, page, reported=reported)
    if page > 1 and not comments.items and comments.pages:
        # Past the end: show the last page.
        comments = queries.queue_page(status, search, comments.pages, reported=reported)
    return render_template(
        "moderation/queue.html",
        comments=comments,
        counts=queries.status_counts(),
        current_filter=filter_name(status, reported),
        filters=FILTERS,
        search=search,
        bulk_actions=list(Action),
        notice={"message": None, "undo": undo_stack.newest_label(session), "here": here},
        here=here,
        **row_context(comments.items),
    )


def filter_name(status: CommentStatus | None, reported: bool) -> str:
    if reported:
        return REPORTED
    return status.value if status else "all"


def row_context(comments: list[Comment]) -> dict[str, Any]:
    """What the row partial needs beside each comment: why it was held, its author's history,
    the class's marks (roster or guest, late) and readers' unanswered reports."""
    return {
        "reports": queries.open_reports(comments),
        "marks": comment_marks(comments),
        "late": late_comment_ids(comments),
        "actions_for": actions_for,
        "primary_action": primary_action,
        "held_reasons": {c.id: held_reason(c) for c in comments},
        "author_histories": queries.author_histories(comments),
        "reply_form": ReplyForm(formdata=None),
        # What each edit changed, word by word (the revisions are loaded with the page).
        "diffs": {
            revision.id: word_diff(revision.body_before, revision.body_after)
            for comment in comments
            for revision in comment.revisions
        },
    }


def wants_json() -> bool:
    """The queue's script asks for JSON (``Accept: application/json``); forms get HTML."""
    return request.accept_mimetypes.best == "application/json"


def view_of(next_url: str | None) -> tuple[CommentStatus | None, bool, str, int, str]:
    """The filter (a status, or Reported), search and page of the queue page an action came
    from (its ``next``)."""
    here = safe_next(next_url, url_for("moderation.queue"))
    args = parse_qs(urlsplit(here).query)
    name = (args.get("status") or ["pending"])[0]
    known = {s.value: s for s in CommentStatus}
    reported = name == REPORTED
    status = None if name in ("all", REPORTED) else known.get(name, CommentStatus.PENDING)
    search = clean_line((args.get("q") or [""])[0])[:200]
    page_text = (args.get("page") or ["1"])[0]
    page = int(page_text) if page_text.isdigit() and len(page_text) < 6 else 1
    return status, reported, search, max(page, 1), here


def shown_ids() -> set[int]:
    """The rows the script already shows (a comma-separated ``shown`` field), at most a page's
    worth of them."""
    values = request.form.get("shown", "").split(",")[:100]
    return {int(v) for v in values if v.isdigit() and len(v) < 12}


def answer(message: str, *, ok: bool, touched: list[int]) -> Response:
    """The script's answer to an action: the message, the current page's row order with the HTML
    of every row it lacks or that the action touched, the new counts and the undo notice.

    The script puts the rows in this order and drops the others, so a row that left the view
    disappears, the page refills from the next one, and a stale row is refreshed.
    """
    status, reported, search, page, here = view_of(request.form.get("next"))
    comments = queries.queue_page(status, search, page, reported=reported)
    if page > 1 and not comments.items and comments.pages:
        comments = queries.queue_page(status, search, comments.pages, reported=reported)
    shown = shown_ids()
    fresh = [c for c in comments.items if c.id not in shown or c.id in touched]
    context = row_context(fresh)
    rows = {
        str(c.id): render_template("moderation/_row.html", comment=c, here=here, **context)
        for c in fresh
    }
    notice = {"message": message, "ok": ok, "undo": undo_stack.newest_label(session), "here": here}
    # A refusal (a stale page, a form error) is still a 200: it is an answer, not a failure.
    return jsonify(
        ok=ok,
        message=message,
        order=[c.id for c in comments.items],
        rows=rows,
        counts=queries.status_counts(),
        notice=render_template("moderation/_notice.html", notice=notice),
        pages=render_template(
            "moderation/_pagination.html",
            comments=comments,
            current_filter=filter_name(status, reported),
            search=search,
        ),
    )


@bp.post("/comments/<int:comment_id>/<action_name>")
def act(comment_id: int, action_name: str) -> Response | str:
    action = parse_action(action_name)
    comment = db.session.get(Comment, comment_id)
    if comment is not None and action is Action.DELETE and request.form.get("confirmed") != "yes":
        return confirm_page(
            title="Delete this comment permanently?",
            detail=f"The comment by {comment.author_name} will be gone for good; "
            "this cannot be undone.",
            action_url=url_for("moderation.act", comment_id=comment_id, action_name=action.value),
            fields={"confirmed": "yes"},
            label="Delete Permanently",
        )
    # A comment deleted meanwhile (in another tab) goes through too: the outcome says so.
    return finish(
        apply_action(
            [comment_id],
            action,
            actor=actor_name(),
            instructor=current_user,
            now=utcnow(),
            notify=mail_settings(),
        )
    )


@bp.post("/bulk")
def bulk() -> Response | str:
    action = next((a for a in Action if a.value == request.form.get("action")), None)
    ids = [i for i in map(positive_id, request.form.getlist("ids")) if i is not None]
    if action is None:
        flash("Choose a bulk action first.", "error")
        return back_to_queue()
    if not ids:
        flash("No comments were selected; tick the ones to change first.", "error")
        return back_to_queue()
    if action is Action.DELETE and request.form.get("confirmed") != "yes":
        return confirm_page(
            title=f"Delete {plural(len(ids), 'comment')} permanently?",
            detail="Only comments in Spam or Trash are deleted; this cannot be undone.",
            action_url=url_for("moderation.bulk"),
            fields={"confirmed": "yes", "action": action.value},
            ids=ids,
            label="Delete Permanently",
        )
    return finish(
        apply_action(
            ids,
            action,
            actor=actor_name(),
            instructor=current_user,
            now=utcnow(),
            notify=mail_settings(),
        )
    )


def finish(outcome: Outcome) -> Response:
    """Say what was done, offer Undo when it can be undone, and go back to the queue (or answer
    the script with what changed)."""
    if outcome.changed:
        undo_stack.push(session, outcome.message(), outcome.changed)
    touched = [comment_id for comment_id, _ in outcome.changed]
    if wants_json():
        return answer(outcome.message(), ok=bool(outcome.count), touched=touched)
    flash(outcome.message(), "success" if outcome.count else "error")
    return back_to_queue()


@bp.post("/comments/<int:comment_id>/keep")
def keep(comment_id: int) -> Response:
    """Keep a reported comment as it is: its reports so far are answered."""
    comment = keep_comment(comment_id, utcnow())
    if comment is None:
        message, ok, touched = "That comment no longer exists: it was deleted meanwhile.", False, []
    else:
        message = f"Kept the comment by {comment.author_name}; its reports are dismissed."
        ok, touched = True, [comment.id]
    if wants_json():
        return answer(message, ok=ok, touched=touched)
    flash(message, "success" if ok else "error")
    return back_to_queue()


@bp.post("/undo")
def undo_last() -> Response:
    previous = undo_stack.pop(session)
    if not previous:
        message, touched = "There is nothing to undo.", []
    else:
        restored = undo(
            previous,
            actor=actor_name(),
            instructor=current_user,
            now=utcnow(),
            notify=mail_settings(),
        )
        message = f"Undone: {plural(restored, 'comment')} back to the status before."
        touched = [comment_id for comment_id, _ in previous]
    if wants_json():
        return answer(message, ok=bool(previous), touched=touched)
    flash(message, "success" if previous else "error")
    return back_to_queue()


@bp.post("/empty/<status_name>")
def empty(status_name: str) -> Response | str:
    status = parse_filter(status_name)
    if status not in (CommentStatus.SPAM, CommentStatus.TRASH):
        abort(404)
    label = "Empty Spam" if status is CommentStatus.SPAM else "Empty Trash"
    if request.form.get("confirmed") != "yes":
        return confirm_page(
            title=f"{label}?",
            detail=f"Every comment in {status.value.title()} will be deleted permanently; "
            "this cannot be undone.",
            action_url=url_for("moderation.empty", status_name=status.value),
            fields={"confirmed": "yes"},
            label=label,
        )
    deleted = empty_status(status)
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
                instructor=current_user,
                now=utcnow(),
            )
            message = f"The comment by {comment.author_name} was saved."
            if wants_json():
                return answer(message, ok=True, touched=[comment.id])
            flash(message)
            return back_to_queue()
        if wants_json():
            return answer(first_error(form), ok=False, touched=[])
        return render_template(
            "moderation/edit.html",
            form=form,
            comment=comment,
            next=return_path(request.form.get("next")),
        ), 400
    return render_template(
        "moderation/edit.html",
        form=form,
        comment=comment,
        next=return_path(request.args.get("next")),
    )


@bp.post("/comments/<int:comment_id>/reply")
def reply(comment_id: int) -> Response | tuple[str, int]:
    parent = db.get_or_404(Comment, comment_id)
    form = ReplyForm()
    if parent.status not in (CommentStatus.PENDING, CommentStatus.APPROVED):
        message = "Only pending or approved comments can be answered."
        if wants_json():
            return answer(message, ok=False, touched=[parent.id])
        flash(message, "error")
        return back_to_queue()
    if not form.validate():
        if wants_json():
            return answer(first_error(form), ok=False, touched=[])
        return render_template(
            "moderation/reply.html",
            form=form,
            comment=parent,
            next=return_path(request.form.get("next")),
        ), 400
    reply_as_instructor(parent, form.body.data, current_user, utcnow(), mail_settings())
    message = f"Your reply to {parent.author_name} is published; their comment is approved."
    if wants_json():
        return answer(message, ok=True, touched=[parent.id])
    flash(message)
    return back_to_queue()


@bp.route("/comments/<int:comment_id>/return", methods=["GET", "POST"])
def return_comment(comment_id: int) -> Response | str | tuple[str, int]:
    """Return for revision: the note form on GET (the row opens the same form in place); on
    POST, the comment goes back to its author with the note."""
    if request.method == "GET":
        return render_template(
            "moderation/return.html",
            form=ReturnForm(formdata=None),
            comment=db.get_or_404(Comment, comment_id),
            next=return_path(request.args.get("next")),
        )
    form = ReturnForm()
    if not form.validate():
        if wants_json():
            return answer(first_error(form), ok=False, touched=[])
        return render_template(
            "moderation/return.html",
            form=form,
            comment=db.get_or_404(Comment, comment_id),
            next=return_path(request.form.get("next")),
        ), 400
    # A comment deleted or returned meanwhile goes through too: the outcome says so.
    outcome = return_for_revision(
        comment_id,
        form.note.data,
        instructor=current_user,
        notify=mail_settings(),
        now=utcnow(),
    )
    if outcome.changed:
        undo_stack.push(session, outcome.message, outcome.changed)
    if wants_json():
        return answer(outcome.message, ok=outcome.ok, touched=[comment_id])
    flash(outcome.message, "success" if outcome.ok else "error")
    return back_to_queue()


def first_error(form: FlaskForm) -> str:
    """The form's first complaint, for the script's notice (the page shows them all)."""
    for errors in [form.form_errors, *(field.errors for field in form)]:
        if errors:
            return str(errors[0])
    return "The form could not be saved; check it and try again."


@bp.route("/settings", methods=["GET", "POST"])
def settings() -> Response | str | tuple[str, int]:
    form = DiscussionSettingsForm(obj=load_settings())
    if request.method == "POST":
        if form.validate():
            save_settings(**form.settings())
            flash("Discussion settings saved.")
            return redirect(url_for("moderation.settings"))
        return render_settings(form), 400
    return render_settings(form)


def render_settings(form: DiscussionSettingsForm) -> str:
    return render_template(
        "moderation/settings.html", form=form, posts=queries.posts_newest_first()
    )


@bp.post("/posts/<int:post_id>/comments-open")
def toggle_comments(post_id: int) -> Response:
    post = db.get_or_404(Post, post_id)
    set_comments_open(post, request.form.get("open") == "yes")
    flash(f"Comments on “{post.title}” are now {'open' if post.comments_open else 'closed'}.")
    return redirect(url_for("moderation.settings"))


@bp.route("/email/<token>", methods=["GET", "POST"])
def email_action(token: str) -> Response | str | tuple[str, int]:
    """A one-click link from a notification: confirm on GET, act on POST, once."""
    secret = current_app.config["SECRET_KEY"]
    try:
        link = email_links.read_token(secret, token)
        comment = db.session.get(Comment, link.comment_id)
        if comment is None:
            return render_template(
                "moderation/email_action.html", error="That comment no longer exists."
            ), 404
        if request.method == "GET":
            return render_template(
                "moderation/email_action.html", comment=comment, action=link.action, token=token
            )
        outcome = email_links.use_link(link, utcnow(), mail_settings())
    except email_links.LinkError as error:
        return render_template(
            "moderation/email_action.html", error=str(error), last_change=error.last_change
        ), 410
    return render_template("moderation/email_action.html", done=outcome.message(), comment=comment)
