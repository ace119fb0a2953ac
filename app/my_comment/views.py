"""A comment author's private page, reached by the signed link shown after posting (and
emailed to an author who asked): the comment and where it stands, on any device, no account."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, make_response, render_template, request

from ..discussion.author_links import AuthorLinkError, find_comment
from ..discussion.standing import standing_of
from ..discussion.unsubscribe import (
    Scope,
    Subscription,
    UnsubscribeLinkError,
    find_subscription,
    unsubscribe,
)
from ..extensions import csrf
from ..models import utcnow
from ..web.reader_memory import remember_own_comment
from .forms import UnsubscribeForm

bp = Blueprint("my_comment", __name__)


def private(response: Response) -> Response:
    """The page is for the link's holder: never stored by a shared cache, never indexed."""
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


@bp.get("/my-comment/<token>/")
def show(token: str) -> Response:
    try:
        comment = find_comment(current_app.config["SECRET_KEY"], token)
    except AuthorLinkError as error:
        page = render_template("my_comment/unavailable.html", message=error.message)
        return private(make_response(page, error.status_code))
    # This browser now counts the comment as its own: a held one shows in the thread here too.
    remember_own_comment(comment.id)
    page = render_template("my_comment/show.html", comment=comment, standing=standing_of(comment))
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
