"""The instructor's class: the roster ("Class"), assignment windows, the participation report
with its CSV exports, and a printable view of the discussion."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import DateField

from ..classroom import exports
from ..classroom.charts import bar_chart, sparkline
from ..classroom.participation import (
    COLUMNS,
    Scope,
    build_report,
    load_facts,
    sort_rows,
)
from ..classroom.roster import (
    RosterError,
    add_student,
    apply_import,
    current_roster,
    link_comment,
    plan_import,
    remove_student,
    rows_from_payload,
    rows_payload,
    unlink_comment,
    update_student,
)
from ..classroom.roster_file import MAX_BYTES, RosterFile, read_roster_file
from ..discussion.discussion_settings import load_rules
from ..discussion.windows import (
    FIRST_YEAR,
    LAST_YEAR,
    AssignmentWindow,
    UnusableLocalTime,
    WindowError,
    from_local,
    save_window,
    to_local,
    window_state,
)
from ..extensions import db
from ..models import Comment, Post, Student, utcnow
from ..text import plural
from ..web.guards import instructor_required
from ..web.site_time import site_zone
from . import queries
from .forms import (
    ConfirmImportForm,
    EmptyForm,
    LinkForm,
    ReportForm,
    StudentForm,
    UploadForm,
    WindowForm,
)

bp = Blueprint("roster", __name__, url_prefix="/class")

# Every page here is the instructor's.
bp.before_request(instructor_required())


# The Class screen: the roster


def render_class(
    upload_form: UploadForm | None = None,
    student_form: StudentForm | None = None,
    *,
    status: int = 200,
) -> tuple[str, int]:
    return render_template(
        "roster/class.html",
        overview=queries.class_overview(),
        upload_form=upload_form or UploadForm(formdata=None),
        student_form=student_form or StudentForm(formdata=None),
    ), status


@bp.get("")
def index() -> tuple[str, int]:
    return render_class()


def render_preview(roster_file: RosterFile, filename: str, *, note: str = "") -> tuple[str, int]:
    """What confirming would do, and every row that would be ignored; nothing is saved yet."""
    plan = plan_import(roster_file.rows, roster_file.has_section, current_roster())
    confirm = ConfirmImportForm(formdata=None, rows=rows_payload(roster_file), digest=plan.digest())
    status = 400 if roster_file.unreadable else 200
    return render_template(
        "roster/preview.html",
        roster_file=roster_file,
        plan=plan,
        filename=filename,
        confirm_form=confirm,
        upload_form=UploadForm(formdata=None),
        note=note,
    ), status


@bp.post("/import")
def preview_import() -> tuple[str, int]:
    form = UploadForm()
    if not form.validate():
        return render_class(form, status=400)
    upload = form.roster_file.data
    # One byte past the parser's limit, never more: enough for it to say the file is too large.
    data = upload.stream.read(MAX_BYTES + 1)
    return render_preview(read_roster_file(data), upload.filename or "the file")


@bp.post("/import/confirm")
def confirm_import() -> Response | tuple[str, int]:
    form = ConfirmImportForm()
    if not form.validate():
        flash("This preview expired; load the file again.", "error")
        return redirect(url_for("roster.index"))
    roster_file = rows_from_payload(form.rows.data or "")
    if roster_file.unreadable:
        upload_form = UploadForm(formdata=None)
        upload_form.roster_file.errors = [roster_file.problems[0].reason]
        return render_class(upload_form, status=400)
    plan = plan_import(roster_file.rows, roster_file.has_section, current_roster())
    if plan.digest() != form.digest.data:
        return render_preview(
            roster_file,
            "the same file",
            note="The roster changed since this preview was made; check it again.",
        )
    try:
        added, changed = apply_import(plan)
    except RosterError as error:
        flash(str(error), "error")
        return redirect(url_for("roster.index"))
    flash(f"Class list loaded: {plural(added, 'student')} added, {changed} changed.")
    return redirect(url_for("roster.index"))


@bp.errorhandler(RequestEntityTooLarge)
def too_large(error: RequestEntityTooLarge) -> tuple[str, int]:
    """A file over the request limit: on the import, the Class screen says so; elsewhere, the
    site's error page (a blueprint's handler takes every one of its requests' 413s)."""
    if request.endpoint == "roster.preview_import":
        form = UploadForm(formdata=None)
        limit = current_app.config["MAX_CONTENT_LENGTH"] // 1024
        form.roster_file.errors = [
            f"That file is over {limit:,} KB: too large for a class list. Is it the right file? "
            "Export just the sheet with the names and emails as CSV."
        ]
        return render_class(form, status=413)
    return render_template("errors/error.html", error=error, code=413), 413


@bp.post("/students")
def add() -> Response | tuple[str, int]:
    form = StudentForm()
    if form.validate():
        try:
            student = add_student(form.name.data, form.email.data, form.section.data or "")
        except RosterError as error:
            form.email.errors = [str(error)]
        else:
            flash(f"{student.name} added to the roster.")
            return redirect(url_for("roster.index"))
    return render_class(student_form=form, status=400)


@bp.route("/students/<int:student_id>/edit", methods=["GET", "POST"])
def edit(student_id: int) -> Response | tuple[str, int]:
    student = db.get_or_404(Student, student_id)
    form = StudentForm(obj=student)
    if request.method == "POST" and form.validate():
        try:
            update_student(student, form.name.data, form.email.data, form.section.data or "")
        except RosterError as error:
            form.email.errors = [str(error)]
        else:
            flash(f"{student.name} saved.")
            return redirect(url_for("roster.index"))
    status = 400 if request.method == "POST" else 200
    return render_template(
        "roster/edit.html", form=form, student=student, sections=queries.sections()
    ), status


@bp.post("/students/<int:student_id>/remove")
def remove(student_id: int) -> Response | tuple[str, int]:
    student = db.get_or_404(Student, student_id)
    form = EmptyForm()
    if not form.validate():
        abort(400)
    if request.form.get("confirmed") != "yes":
        return render_template("roster/confirm_remove.html", student=student, form=form), 200
    name = student.name
    remove_student(student)
    flash(f"{name} removed from the roster; their comments stay, now as a guest's.")
    return redirect(url_for("roster.index"))


@bp.route("/comments/<int:comment_id>/link", methods=["GET", "POST"])
def link(comment_id: int) -> Response | tuple[str, int]:
    comment = db.get_or_404(Comment, comment_id)
    form = LinkForm()
    form.student.choices = queries.students_for_choice()
    if request.method == "GET":
        form.same_email_too.data = True
    if request.method == "POST" and form.validate():
        student = db.get_or_404(Student, form.student.data)
        try:
            count = link_comment(comment, student, same_email_too=form.same_email_too.data)
        except RosterError as error:
            flash(str(error), "error")
        else:
            flash(f"{plural(count, 'comment')} linked to {student.name}.")
        return redirect(url_for("roster.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("roster/link.html", form=form, comment=comment), status


@bp.post("/comments/<int:comment_id>/unlink")
def unlink(comment_id: int) -> Response:
    comment = db.get_or_404(Comment, comment_id)
    if not EmptyForm().validate():
        abort(400)
    if unlink_comment(comment):
        flash("The link was removed; the comment belongs to whoever its email says again.")
    return redirect(url_for("roster.index"))


# Assignment windows


def window_form_for(post: Post, zone: ZoneInfo) -> WindowForm:
    values = {
        name: to_local(value, zone) if value else None
        for name, value in (
            ("opens_at", post.opens_at),
            ("due_at", post.due_at),
            ("closes_at", post.closes_at),
        )
    }
    return WindowForm(formdata=None, data=values)


def window_from(form: WindowForm, zone: ZoneInfo) -> AssignmentWindow | None:
    """The window the form describes in UTC, or None with each unusable field's error set."""
    values: dict[str, datetime | None] = {}
    for field in (form.opens_at, form.due_at, form.closes_at):
        try:
            values[field.name] = from_local(field.data, zone) if field.data else None
        except UnusableLocalTime as error:
            field.errors = [str(error)]
    if len(values) < 3:
        return None
    return AssignmentWindow(**values)


@bp.route("/posts/<int:post_id>/window", methods=["GET", "POST"])
def window(post_id: int) -> Response | tuple[str, int]:
    post = db.get_or_404(Post, post_id)
    zone = site_zone()
    form = WindowForm() if request.method == "POST" else window_form_for(post, zone)
    status = 200
    if request.method == "POST":
        status = 400
        new_window = window_from(form, zone) if form.validate() else None
        if new_window is not None:
            try:
                save_window(post, new_window)
            except WindowError as error:
                for name, problem in error.problems.items():
                    form[name].errors = [problem]
            else:
                flash(f"The assignment window of “{post.title}” was saved.")
                return redirect(url_for("roster.window", post_id=post.id))
    state = window_state(
        AssignmentWindow.of(post),
        comments_open=post.comments_open,
        published_at=post.published_at,
        close_after_days=load_rules().close_after_days,
        now=utcnow(),
    )
    return render_template(
        "roster/window.html", post=post, form=form, zone=str(zone), state=state.value
    ), status


# The participation report and what leaves it


def report_form() -> ReportForm:
    form = ReportForm(request.args)
    form.post.choices = [("", "All posts")] + [
        (str(post_id), title) for post_id, title in queries.post_choices()
    ]
    form.section.choices = [("", "All sections")] + [(s, s) for s in queries.sections()]
    return form


def day_start(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)


def usable_date(field: DateField) -> date | None:
    """The field's date if it is one a report can start or end on; else None, with the reason
    on the field (year 1 or 9999 would overflow when turned into UTC)."""
    if field.errors or field.data is None:
        return None
    if not FIRST_YEAR <= field.data.year <= LAST_YEAR:
        field.errors = [f"Choose a date between {FIRST_YEAR} and {LAST_YEAR}."]
        return None
    return field.data


def scope_from(form: ReportForm, zone: ZoneInfo) -> Scope:
    """The report's scope from valid filters; a filter with an error is left out (the form
    shows why), so no input makes the report fail."""
    form.validate()
    post_id = int(form.post.data) if form.post.data and not form.post.errors else None
    section = form.section.data if form.section.data and not form.section.errors else None
    start, end = usable_date(form.start), usable_date(form.end)
    if start and end and end < start:
        form.end.errors = ["The end date is before the start date; the dates were ignored."]
        start = end = None
    return Scope(
        post_id=post_id,
        section=section,
        start=day_start(start, zone) if start else None,
        end=day_start(end + timedelta(days=1), zone) if end else None,
    )


def filter_args(form: ReportForm) -> dict[str, str]:
    """The filters as query arguments, for links that keep them (sorting, exports, print)."""
    names = ("post", "section", "start", "end")
    return {name: request.args[name] for name in names if request.args.get(name)}


def sort_links(args: dict[str, str], key: str, descending: bool) -> dict[str, dict[str, Any]]:
    """Each column's header link (which sorts by it, or reverses it) and its aria-sort."""
    links = {}
    for column, _ in COLUMNS:
        current = column == key
        reverse = "asc" if current and descending else "desc" if current else "asc"
        links[column] = {
            "url": url_for("roster.participation", **args, sort=column, dir=reverse),
            "aria_sort": ("descending" if descending else "ascending") if current else None,
        }
    return links


@bp.get("/participation")
def participation() -> str:
    zone = site_zone()
    form = report_form()
    scope = scope_from(form, zone)
    report = build_report(load_facts(scope), scope, now=utcnow(), zone=zone)
    key = request.args.get("sort", "name")
    descending = request.args.get("dir") == "desc"
    args = filter_args(form)
    chart = bar_chart(report.per_bin, report.bins, report.due_times, zone) if report.bins else None
    # Each row with its sparkline's points.
    rows = [(row, sparkline(row.per_bin)) for row in sort_rows(report.rows, key, descending)]
    guests = [(row, sparkline(row.per_bin)) for row in sort_rows(report.guests, key, descending)]
    return render_template(
        "roster/participation.html",
        form=form,
        report=report,
        rows=rows,
        guests=guests,
        columns=COLUMNS,
        sort=sort_links(args, key if key in dict(COLUMNS) else "name", descending),
        chart=chart,
        show_sparklines=bool(report.bins and report.bins.count > 2),
        post=report.posts[0] if scope.post_id is not None and report.posts else None,
        args=args,
        zone=str(zone),
    )


def csv_response(data: bytes, name: str) -> Response:
    response = Response(data, mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def export_name(kind: str, scope: Scope, posts: list[Any]) -> str:
    what = posts[0].slug[:60] if scope.post_id is not None and posts else "all-posts"
    section = f"-{''.join(c for c in scope.section if c.isalnum())[:20]}" if scope.section else ""
    return f"{kind}-{what}{section}-{utcnow():%Y-%m-%d}.csv"


@bp.get("/participation.csv")
def grading_csv() -> Response:
    zone = site_zone()
    form = report_form()
    scope = scope_from(form, zone)
    report = build_report(load_facts(scope), scope, now=utcnow(), zone=zone)
    rows = sort_rows(
        report.rows, request.args.get("sort", "name"), request.args.get("dir") == "desc"
    )
    return csv_response(
        exports.grading_csv(rows, zone), export_name("participation", scope, report.posts)
    )


@bp.get("/participation/comments.csv")
def comments_csv() -> Response:
    zone = site_zone()
    scope = scope_from(report_form(), zone)
    facts = load_facts(scope)
    data = exports.comments_csv(facts, scope, exports.approval_times(scope), zone)
    return csv_response(data, export_name("comments", scope, facts.posts))


@bp.get("/print")
def printable() -> str:
    zone = site_zone()
    form = report_form()
    scope = scope_from(form, zone)
    student_id = request.args.get("student", type=int)
    facts = load_facts(scope)
    people = exports.printable(facts, scope, student_id)
    if student_id is not None and not people:
        abort(404)
    return render_template(
        "roster/print.html",
        people=people,
        post=facts.posts[0] if scope.post_id is not None and facts.posts else None,
        single=student_id is not None,
        args=filter_args(form),
        scope=scope,
        zone=str(zone),
    )
