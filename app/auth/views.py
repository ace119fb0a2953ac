"""The instructor's login and logout."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from ..classroom.accounts import AccountError, LoginRefused, log_in, update_account
from ..extensions import csrf
from ..models import utcnow
from ..web.rate_limits import Breach, check_rate_limit
from ..web.redirects import safe_next
from .forms import AccountForm, EmptyForm, LoginForm

bp = Blueprint("auth", __name__)

SESSION_EXPIRED = "Your session expired; please log in again."


def rate_limited(form: LoginForm, breach: Breach) -> Response:
    form.form_errors.append("Too many login attempts from your address; please wait a minute.")
    response = make_response(render_template("auth/login.html", form=form), 429)
    response.retry_after = breach.retry_after
    return response


@bp.route("/login", methods=["GET", "POST"])
# The form checks its own CSRF token, so an old login tab gets the form back with a message.
@csrf.exempt
def login() -> Response | str | tuple[str, int]:
    default_next = url_for("moderation.queue")
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(request.args.get("next"), default_next))
    form = LoginForm()
    if request.method == "GET":
        # Checked here too, not only when redirecting: the page should carry no foreign address.
        form.next.data = safe_next(request.args.get("next"), "")
        return render_template("auth/login.html", form=form)
    limit = current_app.config["LOGIN_RATE_LIMIT"]
    breach = check_rate_limit("login", limit, request.remote_addr or "")
    if breach is not None:
        return rate_limited(form, breach)

    if not form.validate():
        if form.csrf_token.errors:
            form.csrf_token.errors = []
            form.form_errors.append(SESSION_EXPIRED)
        return render_template("auth/login.html", form=form), 400
    try:
        instructor = log_in(
            form.username.data, form.password.data, request.remote_addr or "", utcnow()
        )
    except LoginRefused as refusal:
        form.form_errors.append(refusal.message)
        return render_template("auth/login.html", form=form), refusal.status_code
    login_user(instructor)
    flash(f"Logged in as {instructor.public_name}.")
    return redirect(safe_next(form.next.data, default_next))


@bp.post("/logout")
@login_required
def logout() -> Response:
    # CSRFProtect has checked the token before this runs; the form only carries it.
    EmptyForm()
    logout_user()
    flash("You have logged out.")
    return redirect(url_for("blog.index"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account() -> Response | str | tuple[str, int]:
    """The instructor's own account: the name readers see, and the password."""
    form = AccountForm(data={"display_name": current_user.public_name})
    if not form.validate_on_submit():
        status = 400 if request.method == "POST" else 200
        return render_template("auth/account.html", form=form), status
    try:
        update_account(
            current_user,
            display_name=form.display_name.data,
            current_password=form.current_password.data or "",
            new_password=form.new_password.data or "",
        )
    except AccountError as refusal:
        form.form_errors.append(str(refusal))
        return render_template("auth/account.html", form=form), 400
    flash("Your account is saved.")
    return redirect(url_for("auth.account"))
