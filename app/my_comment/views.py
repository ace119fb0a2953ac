"""A comment author's private page, reached by the signed link shown after posting (and
emailed to an author who asked): the comment and where it stands, on any device, no account."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, make_response, render_template

from ..discussion.author_links import AuthorLinkError, find_comment
from ..discussion.standing import standing_of
from ..web.reader_memory import remember_own_comment

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
