"""A commenter's personal data, for the instructor: see it, export it, erase it."""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..discussion.personal_data import comments_by, erase_commenter, export_commenter
from ..models import utcnow
from ..web.fields import clean_line
from ..web.guards import instructor_required
from .forms import EraseForm, ExportForm

bp = Blueprint("privacy", __name__, url_prefix="/moderation/personal-data")
bp.before_request(instructor_required())


@bp.get("/")
def commenter() -> str:
    email = (clean_line(request.args.get("email", "")) or "")[:100]
    return render_template(
        "privacy/commenter.html",
        email=email,
        comments=comments_by(email),
        export_form=ExportForm(email=email),
        erase_form=EraseForm(email=email),
    )


@bp.post("/export")
def export() -> Response:
    form = ExportForm()
    if not form.validate():
        flash("Your session expired; please try again.", "error")
        return redirect(url_for("privacy.commenter"))
    data = export_commenter(form.email.data or "", utcnow())
    response = Response(json.dumps(data, ensure_ascii=False, indent=2), mimetype="application/json")
    response.headers["Content-Disposition"] = 'attachment; filename="personal-data.json"'
    response.cache_control.no_store = True
    return response


@bp.post("/erase")
def erase() -> Response:
    form = EraseForm()
    email = form.email.data or ""
    if not form.validate():
        flash("Your session expired; please try again.", "error")
        return redirect(url_for("privacy.commenter", email=email))
    count = erase_commenter(
        email,
        keep_text=not form.remove_text.data,
        actor=current_user.username,
        instructor=current_user,
        now=utcnow(),
    )
    flash(f"Erased the personal data on {count} comment(s).")
    return redirect(url_for("moderation.queue"))
