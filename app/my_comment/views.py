"""A comment author's private page, reached by the signed link shown after posting (and
emailed to an author who asked): the comment and where it stands, on any device, no account.

The author edits their comment from here (within the edit window) or revises it after the
instructor returned it; from the browser that posted it they can do the same without the link
(its signed session remembers the comments it wrote).
"""

from __future__ import annotations

from datetime import datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from ..discussion.author_edits import (
    EditRefused,
    edit_by_author,
    edit_deadline,
    may_edit,
    may_revise,
    time_left,
)
from ..discussion.author_links import AuthorLinkError, find_comment
from ..discussion.discussion_settings import load_settings, rules_from
from ..discussion.mail_text import NotificationSettings
from ..discussion.returns import latest_return
from ..discussion.standing import standing_of
from ..discussion.unsubscribe import (
    Scope,
    Subscription,
    UnsubscribeLinkError,
    find_subscription,
    unsubscribe,
)
from ..extensions import csrf, db
from ..models import Comment, CommentStatus, utcnow
from ..web.reader_memory import own_comment_ids, remember_own_comment
from ..web.site import mail_values
from .forms import AuthorEditForm, UnsubscribeForm

bp = Blueprint("my_comment", __name__)

SESSION_EXPIRED = "Your session expired, so nothing was saved; please send your text again."


def private(response: Response) -> Response:
    """The page is for the link's holder: never stored by a shared cache, never indexed."""
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def unavailable(error: AuthorLinkError, kept_text: str = "") -> Response:
    page = render_template("my_comment/unavailable.html", message=error.message, kept=kept_text)
    return private(make_response(page, error.status_code))


@bp.get("/my-comment/<token>/")
def show(token: str) -> Response:
    try:
        comment = find_comment(current_app.config["SECRET_KEY"], token)
    except AuthorLinkError as error:
        return unavailable(error)
    # This browser now counts the comment as its own: a held one shows in the thread here too.
    remember_own_comment(comment.id)
    form = None
    if may_revise(comment):
        form = AuthorEditForm(data={"body": comment.body, "seen_status": comment.status.value})
    page = render_template(
        "my_comment/show.html",
        comment=comment,
        standing=standing_of(comment),
        returned=latest_return(comment) if may_revise(comment) else None,
        form=form,
        action_url=url_for("my_comment.edit", token=token),
        **window_of(comment, utcnow()),
        edit_url=url_for("my_comment.edit", token=token),
    )
    return private(make_response(page))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
# RFC 8058: a mail client's one-click "Unsubscribe" POSTs here with no cookies and no CSRF
# token, so the route cannot require one: the signed token is the proof, and all it can do is
# stop emails about the comment it names. The page's own form still sends and checks a CSRF
# token (``UnsubscribeForm``), which is what it takes to stop every email to the address.
@csrf.exempt
def unsubscribe_page(token: str) -> Response:
    try:
        subscription = find_subscription(current_app.config["SECRET_KEY"], token)
    except UnsubscribeLinkError as error:
        page = render_template("my_comment/unavailable.html", message=error.message)
        return private(make_response(page, error.status_code))
    if request.method == "GET":
        return unsubscribe_answer(subscription, token, UnsubscribeForm(formdata=None))
    if "csrf_token" not in request.form:  # a mail client's one-click POST
        done = unsubscribe(subscription, Scope.COMMENT, utcnow())
        return unsubscribe_answer(subscription, token, None, done=Scope.COMMENT if done else None)
    form = UnsubscribeForm()
    if not form.validate_on_submit():
        return unsubscribe_answer(subscription, token, form, status=400)
    scope = Scope.ADDRESS if form.scope.data == Scope.ADDRESS.value else Scope.COMMENT
    done = unsubscribe(subscription, scope, utcnow())
    return unsubscribe_answer(subscription, token, None, done=scope if done else None)


def unsubscribe_answer(
    subscription: Subscription,
    token: str,
    form: UnsubscribeForm | None,
    *,
    done: Scope | None = None,
    status: int = 200,
) -> Response:
    """The page: what is stopped already, what was stopped just now, and the choices left."""
    # What holds now: a ``done`` action has changed what the subscription saw before it.
    address_stopped = subscription.address_stopped or done is Scope.ADDRESS
    comment_stopped = subscription.comment_stopped or done is not None or address_stopped
    page = render_template(
        "my_comment/unsubscribe.html",
        comment=subscription.comment,
        address=subscription.address,
        token=token,
        done=done,
        comment_stopped=comment_stopped,
        address_stopped=address_stopped,
        form=form or UnsubscribeForm(formdata=None),
        expired=form is not None and bool(form.errors),
    )
    return private(make_response(page, status))


@bp.route("/my-comment/<token>/edit", methods=["GET", "POST"])
# The form checks its own CSRF token, so an expired one keeps the author's text.
@csrf.exempt
def edit(token: str) -> Response:
    try:
        comment = find_comment(current_app.config["SECRET_KEY"], token)
    except AuthorLinkError as error:
        return unavailable(error, request.form.get("body", ""))
    remember_own_comment(comment.id)
    back = url_for("my_comment.show", token=token)
    return edit_page(comment, url_for("my_comment.edit", token=token), back, back)


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
@csrf.exempt
def edit_own(comment_id: int) -> Response:
    """The same page for the browser that posted the comment (no link needed); any other
    browser gets a 404, as if there were no such comment."""
    if comment_id not in own_comment_ids():
        abort(404)
    comment = db.get_or_404(Comment, comment_id)
    back = url_for("blog.comment_permalink", comment_id=comment.id)
    return edit_page(comment, url_for("my_comment.edit_own", comment_id=comment_id), back, back)


def window_of(comment: Comment, now: datetime) -> dict[str, object]:
    """Whether the author may edit now, until when, and how long that is from ``now``."""
    minutes = load_settings().edit_minutes
    deadline = edit_deadline(comment, minutes)
    editable = may_edit(comment, minutes, now)
    return {
        "can_edit": editable,
        "deadline": deadline,
        "time_left": time_left(deadline, now) if editable and deadline else "",
    }


def parse_status(value: str | None) -> CommentStatus | None:
    try:
        return CommentStatus(value or "")
    except ValueError:
        return None


def edit_page(comment: Comment, action_url: str, back_url: str, done_url: str) -> Response:
    """The edit (or revise) form: on GET the current text; on POST the use case, then back to
    ``done_url``, or the form again with the author's text and the reason it was refused."""
    settings = load_settings()
    status = 200
    if request.method == "POST":
        form = AuthorEditForm()
        if form.validate():
            try:
                result = edit_by_author(
                    comment,
                    form.body.data,
                    seen_status=parse_status(form.seen_status.data),
                    rules=rules_from(settings),
                    edit_minutes=settings.edit_minutes,
                    now=utcnow(),
                    notify=NotificationSettings(**mail_values()),
                    notify_email=settings.notify_email,
                    digest_minutes=settings.digest_minutes,
                )
            except EditRefused as refused:
                form.form_errors.append(refused.message)
                status = refused.status_code
                # Their next try answers the status they now see.
                form.seen_status.data = comment.status.value
            else:
                flash(result.message, "success")
                return private(redirect(done_url))
        else:
            status = 400
            if form.csrf_token.errors:
                form.csrf_token.errors = []
                form.form_errors.append(SESSION_EXPIRED)
    else:
        form = AuthorEditForm(data={"body": comment.body, "seen_status": comment.status.value})
    page = render_template(
        "my_comment/edit.html",
        comment=comment,
        form=form,
        standing=standing_of(comment),
        revising=may_revise(comment),
        returned=latest_return(comment) if may_revise(comment) else None,
        action_url=action_url,
        back_url=back_url,
        **window_of(comment, utcnow()),
    )
    return private(make_response(page, status))
