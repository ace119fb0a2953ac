"""Readers report a comment to the instructor: a small page with the choice of a reason.

A page of its own rather than a form under every comment: the post page stays one cached copy
with one form, and the report works without JavaScript.
"""

from __future__ import annotations

import math

from flask import Blueprint, Response, current_app, make_response, render_template, request
from flask_login import current_user

from ..discussion.discussion_settings import load_settings
from ..discussion.post_first import has_posted
from ..discussion.reports import NOT_PUBLISHED, ReportRefused, check_reportable, report_comment
from ..extensions import csrf, db
from ..models import Comment, utcnow
from ..web.rate_limits import check_rate_limit
from ..web.reader_memory import own_comment_ids, reporter_hash
from .forms import ReportForm

bp = Blueprint("reports", __name__)

THANKS = "Thanks — the instructor will take a look."
SESSION_EXPIRED = "Your session expired; please send the report again."
INSTRUCTOR = "You moderate this blog: act on the comment in the moderation queue instead."
RATE_LIMITED = "You have sent a lot of reports in a short time."


def reportable(comment_id: int) -> Comment:
    """The comment, if this reader may see and report it (else ``ReportRefused``)."""
    comment = check_reportable(db.session.get(Comment, comment_id), utcnow())
    if current_user.is_authenticated:
        raise ReportRefused(INSTRUCTOR, 400)
    post = comment.post
    if post.post_first and not has_posted(post.id, own_comment_ids()):
        raise ReportRefused(NOT_PUBLISHED, 404)  # a comment this reader may not see yet
    return comment


def page(
    form: ReportForm,
    comment: Comment | None = None,
    *,
    message: str = "",
    done: bool = False,
    status: int = 200,
) -> Response:
    """The report page: the form; a refusal (``message``, nothing stored); or the thanks."""
    return make_response(
        render_template(
            "reports/report.html", form=form, comment=comment, message=message, done=done
        ),
        status,
    )


def wait_message(seconds: int) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return f"Please try again in {minutes} minute{'s' if minutes != 1 else ''}."


@bp.route("/comments/<int:comment_id>/report", methods=["GET", "POST"])
# The form checks its own CSRF token, so an expired session gets a sentence, not a bare 400.
@csrf.exempt
def report(comment_id: int) -> Response:
    posted = request.method == "POST"
    form = ReportForm() if posted else ReportForm(formdata=None)
    valid = posted and form.validate()
    # A POST without a good CSRF token is a 400 whatever else is wrong with it.
    forged = posted and bool(form.csrf_token.errors)
    try:
        comment = reportable(comment_id)
    except ReportRefused as refusal:
        return page(form, message=refusal.message, status=400 if forged else refusal.status_code)
    if not posted:
        return page(form, comment)
    if not valid:
        if form.csrf_token.errors:
            form.csrf_token.errors = []
            form.form_errors.append(SESSION_EXPIRED)
        return page(form, comment, status=400)
    reporter = reporter_hash()
    config = current_app.config
    breach = check_rate_limit(
        "report", config["REPORT_ADDRESS_RATE_LIMIT"], request.remote_addr or ""
    ) or check_rate_limit("report-browser", config["REPORT_RATE_LIMIT"], reporter)
    if breach is not None:
        form.form_errors.append(f"{RATE_LIMITED} {wait_message(breach.retry_after)}")
        response = page(form, comment, status=429)
        response.retry_after = breach.retry_after
        return response
    try:
        report_comment(
            comment.id,
            reason=form.chosen_reason(),
            note=form.note.data or "",
            reporter_hash=reporter,
            hold_after=load_settings().reports_to_hold,
            now=utcnow(),
        )
    except ReportRefused as refusal:
        return page(form, comment, message=refusal.message, status=refusal.status_code)
    return page(form, comment, message=THANKS, done=True)
