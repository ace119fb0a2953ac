"""The instructor's Posts screen: the list of every post, and the editor with its preview."""

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
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response

from ..extensions import csrf, db
from ..models import BodyFormat, Post, PostStatus, utcnow
from ..publishing.editor import (
    EditConflict,
    EditRefused,
    Intent,
    PostDraft,
    move_to_trash,
    restore,
    save_post,
)
from ..publishing.slugs import slugify
from ..publishing.visibility import describe_state
from ..publishing.wordpress import WxrError, import_wxr
from ..web.fields import clean_line
from ..web.guards import instructor_required
from ..web.site_time import from_site_time, site_zone, to_site_time
from . import queries
from .forms import EmptyForm, PostForm, WxrUploadForm

bp = Blueprint("editor", __name__, url_prefix="/editor")

SAVE_ENDPOINTS = {"editor.create", "editor.update"}
SESSION_EXPIRED = "Your session expired; your text is below. Press the button again to save it."
LOGGED_OUT = (
    "You were logged out, so nothing was saved; your text is below. Log in again in another tab, "
    "then come back here and press the button again."
)
CONFLICT = (
    "This post was saved elsewhere (another tab or another instructor) since you opened it. "
    "Nothing was overwritten: compare the two, then keep yours or load theirs."
)


def require_instructor() -> Response | str | tuple[str, int] | None:
    """Every page is the instructor's; a save from a logged-out session gets its text back
    instead of a redirect that would lose it."""
    if current_user.is_authenticated:
        return None
    if request.method == "POST" and request.endpoint in SAVE_ENDPOINTS:
        form = PostForm()
        form.form_errors.append(LOGGED_OUT)
        return render_template("editor/edit.html", **editor_context(None, form)), 401
    return instructor_required()()


bp.before_request(require_instructor)


@bp.get("/")
def index() -> str:
    now = utcnow()
    filter_name = request.args.get("status", "all")
    if filter_name not in queries.FILTERS:
        abort(404)
    search = (clean_line(request.args.get("q", "")) or "")[:200]
    page = max(request.args.get("page", 1, type=int), 1)
    posts = queries.posts_page(filter_name, search, page, now)
    counts = queries.comment_counts([post.id for post in posts.items])
    rows = [
        {
            "post": post,
            "state": describe_state(post.status, post.published_at, now),
            "approved": counts.get(post.id, (0, 0))[0],
            "pending": counts.get(post.id, (0, 0))[1],
            "public": post.is_public(now),
        }
        for post in posts.items
    ]
    return render_template(
        "editor/index.html",
        posts=posts,
        rows=rows,
        filters=queries.FILTERS,
        counts=queries.filter_counts(now),
        current_filter=filter_name,
        search=search,
        button=EmptyForm(),
        zone=site_zone(),
    )


@bp.get("/new")
def new() -> str:
    form = PostForm(formdata=None, author_name=current_user.public_name, comments_open=True)
    return render_template("editor/edit.html", **editor_context(None, form))


@bp.get("/<int:post_id>")
def edit(post_id: int) -> str:
    post = db.get_or_404(Post, post_id)
    form = PostForm(formdata=None, obj=post)
    form.edit_version.data = str(post.edit_version)
    form.publish_at.data = shown_publish_time(post)
    return render_template("editor/edit.html", **editor_context(post, form))


def shown_publish_time(post: Post) -> Any:
    """The date-time field's value: a draft with a past date shows none (it will go out when
    published); anything else shows its date in the site's time zone."""
    if post.status is PostStatus.DRAFT and post.published_at <= utcnow():
        return None
    return to_site_time(post.published_at, site_zone())


# The form checks its own CSRF token, so an expired session gets its text back, not a bare 400.
@bp.post("/new")
@csrf.exempt
def create() -> Response | tuple[str, int]:
    return save(None)


@bp.post("/<int:post_id>")
@csrf.exempt
def update(post_id: int) -> Response | tuple[str, int]:
    return save(db.get_or_404(Post, post_id))


def chosen_intent(form: PostForm) -> Intent:
    if form.publish.data:
        return Intent.PUBLISH
    if form.unpublish.data:
        return Intent.UNPUBLISH
    return Intent.SAVE


def draft_from(form: PostForm, post: Post | None) -> PostDraft:
    publish_at = from_site_time(form.publish_at.data, site_zone()) if form.publish_at.data else None
    if post is not None and publish_at == post.published_at.replace(second=0, microsecond=0):
        publish_at = post.published_at  # the field shows minutes: an unchanged date stays exact
    return PostDraft(
        title=form.title.data,
        slug=form.slug.data or "",
        author_name=form.author_name.data,
        body=form.body.data or "",
        excerpt=form.excerpt.data or "",
        publish_at=publish_at,
        comments_open=form.comments_open.data,
        close_after_days=form.close_after_days.data,
        post_first=form.post_first.data,
    )


def save(post: Post | None) -> Response | tuple[str, int]:
    """Validate, then preview or save; on any failure show the editor with the text as sent."""
    form = PostForm()
    if not form.validate():
        if form.csrf_token.errors:
            form.csrf_token.errors = []
            form.form_errors.append(SESSION_EXPIRED)
        return render_template("editor/edit.html", **editor_context(post, form)), 400
    draft = draft_from(form, post)
    if form.preview.data:
        return render_template(
            "editor/edit.html", **editor_context(post, form, preview=preview_post(post, draft))
        ), 200
    base = form.overwrite_version.data if form.overwrite.data else form.edit_version.data
    try:
        saved = save_post(
            post.id if post else None,
            draft,
            base_version=int(base) if (base or "").isdigit() else None,
            intent=chosen_intent(form),
            now=utcnow(),
        )
    except EditRefused as refusal:
        field = getattr(form, refusal.field, None) if refusal.field else None
        if field is not None:
            field.errors = [*field.errors, refusal.message]
        else:
            form.form_errors.append(refusal.message)
        return render_template(
            "editor/edit.html", **editor_context(post, form)
        ), refusal.status_code
    except EditConflict as conflict:
        form.form_errors.append(CONFLICT)
        form.overwrite_version.data = str(conflict.current.edit_version)
        context = editor_context(post, form, conflict=conflict.current)
        return render_template("editor/edit.html", **context), 409
    flash(saved_message(saved))
    return redirect(url_for("editor.edit", post_id=saved.id))


def saved_message(post: Post) -> str:
    state = describe_state(post.status, post.published_at, utcnow())
    return {
        "Published": "Published.",
        "Scheduled": "Scheduled: readers see it from the date you set.",
        "Draft": "Draft saved; readers don't see it.",
    }.get(state, "Saved.")


def preview_post(post: Post | None, draft: PostDraft) -> Post:
    """An unsaved copy of the post as the form holds it, for the preview (never added to the
    session, so never written)."""
    return Post(
        title=draft.title,
        slug=draft.slug or slugify(draft.title),
        author_name=draft.author_name,
        body=draft.body,
        excerpt=draft.excerpt,
        body_format=post.body_format if post else BodyFormat.MARKDOWN,
        published_at=draft.publish_at or (post.published_at if post else utcnow()),
    )


def editor_context(
    post: Post | None, form: PostForm, *, preview: Post | None = None, conflict: Post | None = None
) -> dict[str, Any]:
    now = utcnow()
    return {
        "post": post,
        "form": form,
        "preview": preview,
        "conflict": conflict,
        "state": describe_state(post.status, post.published_at, now) if post else "New",
        "is_markdown": post is None or post.body_format is BodyFormat.MARKDOWN,
        "is_public": post is not None and post.is_public(now),
        "zone": site_zone(),
        "button": EmptyForm(),
    }


@bp.post("/<int:post_id>/trash")
def trash(post_id: int) -> Response:
    return status_change(post_id, move_to_trash, "Moved to the trash.")


@bp.post("/<int:post_id>/restore")
def restore_post(post_id: int) -> Response:
    return status_change(post_id, restore, "Restored as a draft.")


def status_change(post_id: int, use_case: Any, message: str) -> Response:
    if not EmptyForm().validate_on_submit():
        flash("Your session expired; please try again.", "error")
        return redirect(url_for("editor.index"))
    try:
        use_case(post_id, utcnow())
    except EditRefused as refusal:
        flash(refusal.message, "error")
        return redirect(url_for("editor.index"))
    flash(message)
    return redirect(url_for("editor.index", status="trash" if use_case is move_to_trash else None))


@bp.get("/import")
def import_form() -> str:
    return render_template("editor/import.html", form=WxrUploadForm(), summary=None)


# Exempt from the global check, which would read the body under the site's small size limit
# before this view could raise it; the form checks its own token.
@bp.post("/import")
@csrf.exempt
def import_upload() -> tuple[str, int]:
    """Import an uploaded WordPress export, the same way as ``flask import-wxr``."""
    request.max_content_length = current_app.config["WXR_UPLOAD_MAX_BYTES"]
    form = WxrUploadForm()
    if not form.validate():
        if form.csrf_token.errors:
            form.csrf_token.errors = []
            form.form_errors.append("Your session expired; please choose the file again.")
        return render_template("editor/import.html", form=form, summary=None), 400
    try:
        summary = import_wxr(form.file.data.stream, now=utcnow())
    except WxrError as error:
        form.form_errors.append(str(error))
        return render_template("editor/import.html", form=form, summary=None), 400
    return render_template("editor/import.html", form=WxrUploadForm(), summary=summary), 200
