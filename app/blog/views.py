"""The reader-facing blog: the front page, each post with its discussion, and the reply form."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Literal, NamedTuple

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    get_flashed_messages,
    get_template_attribute,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from markupsafe import Markup
from werkzeug.exceptions import NotFound

from ..classroom.matching import comment_marks
from ..discussion.author_links import make_author_token
from ..discussion.comment_pages import CommentPage
from ..discussion.discussion_settings import load_rules, load_settings
from ..discussion.notifications import NotificationSettings
from ..discussion.post_first import has_posted, hidden_message, thread_is_shown
from ..discussion.reply_threads import build_threads
from ..discussion.returns import ReturnNote, latest_return
from ..discussion.rules import (
    EVERY_COMMENT_REVIEWED,
    FIRST_COMMENT_REVIEWED,
    CommentDraft,
    Rules,
    review_notice,
)
from ..discussion.submission import BAD_PARENT, SubmissionRefused, submit_comment, wait_message
from ..discussion.windows import AssignmentWindow, WindowState, late_comment_ids, window_state
from ..extensions import cache, csrf, db
from ..models import Comment, CommentStatus, Post, utcnow
from ..publishing.visibility import public_posts
from ..web.chrome import site_chrome, use_chrome
from ..web.page_cache import cached_page, digest, request_is_personal
from ..web.rate_limits import Breach, check_rate_limit
from ..web.reader_memory import (
    forget_author,
    last_comment_time,
    own_comment_ids,
    remember_comment_time,
    remember_own_comment,
    remember_posted,
    remembered_author,
    save_author,
    take_posted,
)
from ..web.site import SiteLinks, mail_values
from . import queries
from .forms import CommentForm, InstructorCommentForm

bp = Blueprint("blog", __name__)


@bp.get("/")
def index() -> Response | str:
    page = max(request.args.get("page", 1, type=int), 1)
    per_page = current_app.config["POSTS_PER_PAGE"]
    now = utcnow()
    listed, total, chrome = queries.front_page_versions(page, per_page, now)
    if page > 1 and not listed:
        abort(404)
    # Read with the versions (or, with no post to list, on its own): the header shows it.
    chrome = use_chrome(*chrome) if chrome else site_chrome()
    if request_is_personal():
        return render_front_page(page, per_page, now)
    # The listed posts' versions, the number of posts and the site's name and tagline decide
    # everything the page shows.
    key = f"front-page:{page}:{per_page}:{total}:{digest((listed, chrome))}"
    return cached_page(key, lambda: render_front_page(page, per_page, now))


def render_front_page(page: int, per_page: int, now: datetime) -> str:
    posts = db.paginate(
        db.select(Post).where(public_posts(now)).order_by(Post.published_at.desc(), Post.id.desc()),
        page=page,
        per_page=per_page,
        error_out=False,
    )
    counts = queries.approved_counts([post.id for post in posts.items])
    canonical = site_link("blog.index", page=page if page > 1 else None)
    return render_template(
        "blog/index.html", posts=posts, comment_counts=counts, canonical=canonical
    )


@bp.get("/posts/<slug:slug>/")
@bp.get("/posts/<slug:slug>/comment-page-<int:page_number>/")
def post(slug: str, page_number: int | None = None) -> Response | tuple[str, int]:
    now = utcnow()
    head = queries.post_head(slug, now)
    if head is None:
        moved_to = queries.current_slug(slug)
        if moved_to is None:
            abort(404)
        return redirect(url_for("blog.post", slug=moved_to), 301)
    if not head.is_public(now) and not current_user.is_authenticated:
        abort(404)  # a draft or scheduled post: only the instructor sees it before its time
    # Computed on every request: a window opening or closing changes no row, only the time.
    state = window_state(
        AssignmentWindow(head.opens_at, head.due_at, head.closes_at),
        comments_open=head.comments_open,
        published_at=head.published_at,
        close_after_days=head.close_after_days,
        now=now,
    )
    page = queries.comment_page(
        head.id, head.comments_per_page, bool(head.newest_comments_first), page_number
    )
    if page_number is not None and page is None:
        abort(404)  # no such comment page (or comments are not paged)

    found: list[OwnComments] = []  # looked up once, if the cache decision needs it

    def holds_own_content() -> bool:
        # A held, returned or still editable comment of theirs, or (post first) a reply of
        # theirs that opens the thread: either way the page is this reader's own, never the
        # cached copy.
        found.append(own_comments_on(head.id))
        return found[0].shown or (head.post_first and has_posted(head.id, own_comment_ids()))

    if not request_is_personal(shows_saved_details=True, holds_own_content=holds_own_content):
        return public_page(head, state, page, page_number)
    post = db.session.get_one(Post, head.id)
    options = {
        "privacy": bool(head.privacy_mode),
        "own": found[0] if found else None,
        "head": head,
        "page_number": page_number,
    }
    return render_post_page(post, state=state, page=page, review=review_of(head), **options)


def public_page(
    head: queries.PostHead,
    state: WindowState,
    page: CommentPage | None,
    page_number: int | None = None,
) -> Response:
    """The page as every reader without anything of their own sees it: rendered once per page
    version, window state (the form or the message in its place) and comment page, then only
    this reader's CSRF token is put in."""

    # A reader who gets the shared copy of a post-first post has not posted on it (else the
    # request is personal): the copy never holds the thread, whoever's request renders it.
    thread_shown = not head.post_first

    def render() -> str:
        post = db.session.get_one(Post, head.id)
        form = CommentForm(formdata=None)
        options = {"state": state, "page": page, "review": review, "privacy": privacy}
        return render_post_page(
            post, form, thread_shown=thread_shown, head=head, page_number=page_number, **options
        )[0]

    review = review_of(head)
    privacy = bool(head.privacy_mode)
    # The review notice follows the discussion settings, which move no page version; so do the
    # header's name and tagline, and the links to the posts on either side of this one. (Privacy
    # mode does move every post's page version; it is in the key all the same.)
    notice = {None: "-", FIRST_COMMENT_REVIEWED: "first", EVERY_COMMENT_REVIEWED: "every"}
    around = digest((head.site_name, head.site_tagline, head.older, head.newer))
    thread = "thread" if thread_shown else "hidden"
    key = (
        f"post-page:{head.id}:{head.page_version}:{state.value}:{page_key(page)}:"
        f"{notice[review]}:{int(privacy)}:{thread}:{around}:{page_number or ''}"
    )
    return cached_page(key, render)


def review_of(head: queries.PostHead) -> str | None:
    """The review notice for the form, from the settings read with the post's head."""
    defaults = Rules()
    return review_notice(
        defaults.manual_approval if head.manual_approval is None else bool(head.manual_approval),
        defaults.require_prior_approval
        if head.require_prior_approval is None
        else bool(head.require_prior_approval),
    )


def page_key(page: CommentPage | None) -> str:
    """The comment page's part of a cache key (its settings are not in the page version)."""
    return "" if page is None else f"{page.number}/{page.count}/{page.per_page}"


class PostParts(NamedTuple):
    """The rendered post and discussion, the same for every reader who sees no held comment."""

    article: Markup
    discussion: Markup


class OwnComments(NamedTuple):
    """This browser's comments on a post that it sees differently from everyone: held or
    returned ones (only it sees them), and those its author may still edit (with an Edit link,
    until the time in ``editable``)."""

    held: set[int]
    editable: dict[int, datetime]
    notes: Mapping[int, ReturnNote | None] = MappingProxyType({})

    @property
    def shown(self) -> bool:
        return bool(self.held or self.editable)


def own_comments_on(post_id: int) -> OwnComments:
    """This browser's own held, returned and still editable comments on the post (no query for
    a browser that has posted nothing)."""
    ids = own_comment_ids()
    if not ids:
        return OwnComments(set(), {})
    held = queries.own_held_comment_ids(post_id, ids)
    minutes = load_settings().edit_minutes
    if minutes <= 0:
        return OwnComments(held, {})
    window = timedelta(minutes=minutes)
    recent = queries.own_recent_comments(post_id, ids, utcnow() - window)
    return OwnComments(held, {comment_id: at + window for comment_id, at in recent.items()})


class Confirmation(NamedTuple):
    """The words shown inside the comment this reader has just posted, and the address of its
    private "check my comment" page (empty for the instructor's own comments)."""

    comment_id: int
    message: str
    check_url: str = ""


def render_parts(
    post: Post,
    comments: list[Comment],
    comments_open: bool,
    can_moderate: bool,
    page: CommentPage | None = None,
    confirmation: Confirmation | None = None,
    own: OwnComments | None = None,
    *,
    privacy: bool = False,
) -> PostParts:
    article = get_template_attribute("blog/_post_parts.html", "article")
    discussion = get_template_attribute("blog/_post_parts.html", "discussion")
    # One page of comments holds only some: the heading counts them all.
    approved_count = (
        queries.approved_total(post.id) if page else sum(1 for c in comments if c.is_visible)
    )
    # Roster, guest and late marks are the instructor's: never in the parts cached for readers.
    marks = comment_marks(comments) if can_moderate else {}
    late = late_comment_ids(comments) if can_moderate else set()
    threads = build_threads(comments)
    if own is not None:
        # The instructor's note beside each of this reader's returned comments.
        notes = {
            c.id: latest_return(c)
            for c in comments
            if c.id in own.held and c.status is CommentStatus.RETURNED
        }
        own = own._replace(notes=notes)
    return PostParts(
        article(post),
        discussion(
            post,
            threads,
            approved_count,
            comments_open,
            can_moderate,
            page,
            marks,
            late,
            confirmation,
            own,
            privacy,
        ),
    )


def public_parts(
    post: Post, comments_open: bool, page: CommentPage | None = None, *, privacy: bool = False
) -> PostParts:
    """The parts every reader sees, from the cache while the post's page version is current
    (turning privacy mode on or off moves it; the flag is in the key all the same)."""
    key = (
        f"post-parts:{post.id}:{post.page_version}:{int(comments_open)}:{page_key(page)}"
        f":{int(privacy)}"
    )
    parts = cache.get(key)
    if parts is None:
        comments = queries.visible_comments(post, page=page)
        parts = render_parts(
            post, comments, comments_open, can_moderate=False, page=page, privacy=privacy
        )
        cache.set(key, parts)  # kept (or pickled, in Redis) as Markup, so it stays marked safe
    return parts


def hidden_parts(post: Post, comments_open: bool) -> PostParts:
    """The parts a reader who has not posted on a post-first post sees: the post, and in place
    of the comments how many there are and why they are hidden (cached like the thread)."""
    key = f"post-parts-hidden:{post.id}:{post.page_version}:{int(comments_open)}"
    parts = cache.get(key)
    if parts is None:
        count = queries.approved_total(post.id)
        article = get_template_attribute("blog/_post_parts.html", "article")
        hidden = get_template_attribute("blog/_post_parts.html", "hidden_discussion")
        parts = PostParts(article(post), hidden(post, count, comments_open, hidden_message(count)))
        cache.set(key, parts)
    return parts


def render_post_page(
    post: Post,
    form: CommentForm | InstructorCommentForm | None = None,
    *,
    status: int = 200,
    state: WindowState | None = None,
    page: CommentPage | Literal["opening"] | None = "opening",
    review: str | Literal["from-settings"] | None = "from-settings",
    privacy: bool | None = None,
    thread_shown: bool | None = None,
    own: OwnComments | None = None,
    head: queries.PostHead | None = None,
    page_number: int | None = None,
) -> tuple[str, int]:
    """The post, the comments this reader may see, and the reply form.

    On GET the form is empty or pre-filled from the reader's saved details; after a refused
    submission it is the reader's own form, with their text and the reasons. Only the form and
    the comments that differ per reader (held ones) are rendered per request; the rest is cached.
    ``privacy`` is the site's privacy mode (None: read from the settings). On a post-first
    post, a reader who has not posted sees no comments (``thread_shown`` None: decided from
    this browser's session). ``head`` is what the post page read first (after a refused reply,
    it is read here); ``page_number`` the comment page the address names, for the canonical
    address.
    """
    if head is None:
        head = queries.post_head(post.slug, utcnow())
    if head is not None:
        use_chrome(head.site_name, head.site_tagline)
    if form is None:
        form = blank_form()
        form.parent_id.data = request.args.get("replytocom", "")
    if review == "from-settings":  # after a refused reply
        rules = load_rules()
        review = review_notice(rules.manual_approval, rules.require_prior_approval)
    remembered_name = remembered_reader(form)
    if current_user.is_authenticated or remembered_name:
        review = None  # the instructor is not reviewed; a remembered reader has posted before
    if state is None:
        close_after_days = post.close_after_days
        if close_after_days is None:
            close_after_days = load_rules().close_after_days
        state = window_state(
            AssignmentWindow.of(post),
            comments_open=post.comments_open,
            published_at=post.published_at,
            close_after_days=close_after_days,
            now=utcnow(),
        )
    comments_open = state.accepts_comments
    if page == "opening":  # after a refused reply: the page the post opens on
        settings = load_settings()
        page = queries.comment_page(
            post.id, settings.comments_per_page, settings.newest_comments_first, None
        )

    if privacy is None:  # after a refused reply
        privacy = load_settings().privacy_mode

    frame = PageFrame(comments_open, state, review, status, privacy, head, page_number)
    can_moderate = current_user.is_authenticated
    own_ids = own_comment_ids()
    if thread_shown is None:
        thread_shown = thread_is_shown(
            post_first=post.post_first,
            can_moderate=can_moderate,
            has_posted=post.post_first and not can_moderate and has_posted(post.id, own_ids),
        )
    if not thread_shown:
        parts = hidden_parts(post, comments_open)
        if form.parent_comment_id() is not None:
            form.parent_id.data = ""  # no comment to answer in view: the reply goes under the post
        return render_page(post, parts, form, frame, reply_to=None)
    if own is None:
        own = own_comments_on(post.id)
    confirmation = posted_confirmation()
    if can_moderate or own.shown or confirmation:
        comments = queries.visible_comments(post, own.held, include_held=can_moderate, page=page)
        parts = render_parts(
            post, comments, comments_open, can_moderate, page, confirmation, own, privacy=privacy
        )
    else:
        parts = public_parts(post, comments_open, page, privacy=privacy)

    reply_to = queries.approved_comment(post, form.parent_comment_id())
    if reply_to is None and form.parent_comment_id() is not None:
        if BAD_PARENT not in form.form_errors:
            form.form_errors.append(BAD_PARENT)
        form.parent_id.data = ""  # the reader's next try goes under the post
    return render_page(post, parts, form, frame, reply_to=reply_to)


class PageFrame(NamedTuple):
    """What the post page shows around its parts, the same whether the thread is shown."""

    comments_open: bool
    state: WindowState
    review: str | None
    status: int
    privacy: bool
    head: queries.PostHead | None
    page_number: int | None


def render_page(
    post: Post,
    parts: PostParts,
    form: CommentForm | InstructorCommentForm,
    frame: PageFrame,
    *,
    reply_to: Comment | None,
) -> tuple[str, int]:
    """The post page around its parts and the reply form."""
    comments_open, state, review, status, privacy, head, page_number = frame
    return render_template(
        "blog/post.html",
        post=post,
        parts=parts,
        comments_open=comments_open,
        window_state=state.value,
        form=form,
        review_notice=review,
        instructor_name=current_user.public_name if current_user.is_authenticated else None,
        remembered_name=remembered_reader(form),
        reply_to=reply_to,
        privacy=privacy,
        older=head.older if head else None,
        newer=head.newer if head else None,
        canonical=site_link("blog.post", slug=post.slug, page_number=page_number),
    ), status


def site_link(endpoint: str, **values: object) -> str:
    """The absolute address of one of our pages on ``SITE_URL`` (``og:url``, canonical), never
    on the request's Host; values that are None are left out."""
    config = current_app.config
    links = SiteLinks(current_app.url_map, config["SITE_URL"])
    return links(endpoint, **{name: value for name, value in values.items() if value is not None})


def blank_form() -> CommentForm | InstructorCommentForm:
    """The form as a GET shows it: the instructor's (no name to type), or a reader's with the
    details this browser saved."""
    if current_user.is_authenticated:
        return InstructorCommentForm(formdata=None)
    form = CommentForm(formdata=None, data=remembered_author())
    form.remember.data = any(form.data[f] for f in ("author_name", "author_email"))
    return form


def remembered_reader(form: CommentForm | InstructorCommentForm) -> str | None:
    """The name to show in "Commenting as …" with the details folded away: a reader whose
    details are saved and none of them refused (then the fields must be in view)."""
    if not isinstance(form, CommentForm) or not form.remember.data:
        return None
    details = (form.author_name, form.author_email, form.author_url)
    if not form.author_name.data or any(field.errors for field in details):
        return None
    return form.author_name.data


SESSION_EXPIRED = "Your session expired; please submit again."
PUBLISHED_MESSAGE = "Thank you! Your comment is published."
HELD_MESSAGE = "Thank you! Your comment is awaiting moderation."
# The flash that makes the next page personal (never the cached copy), so the confirmation can
# be drawn inside the comment; the base template leaves this category to the comment.
POSTED = "comment-posted"


def posted_confirmation() -> Confirmation | None:
    """The confirmation for the comment this browser just posted, once (None on later visits)."""
    messages = get_flashed_messages(category_filter=[POSTED])
    posted = take_posted()
    if posted is None or not messages:
        return None
    comment_id, token = posted
    check_url = url_for("my_comment.show", token=token) if token else ""
    return Confirmation(comment_id, messages[0], check_url)


RATE_LIMITED = "A lot of comments have come from your network in a short time."


def rate_limited(post: Post, form: CommentForm | InstructorCommentForm, breach: Breach) -> Response:
    """The 429 for a reader over the rate limit: the post page with their text and the reason."""
    form.form_errors.append(f"{RATE_LIMITED} {wait_message(breach.retry_after)}")
    response = make_response(render_post_page(post, form, status=429))
    response.retry_after = breach.retry_after
    return response


@bp.post("/posts/<slug:slug>/comments")
# The form checks its own CSRF token, so a stale tab gets its text back instead of a bare 400.
@csrf.exempt
def create(slug: str) -> Response | tuple[str, int]:
    form = InstructorCommentForm() if current_user.is_authenticated else CommentForm()
    post = commentable_post(slug)
    if post is None:
        return no_such_post(form)
    limit = current_app.config["COMMENT_RATE_LIMIT"]
    breach = check_rate_limit("comment", limit, request.remote_addr or "")
    if breach is not None:
        return rate_limited(post, form, breach)
    if not form.validate():
        if form.csrf_token.errors:
            form.csrf_token.errors = []
            form.form_errors.append(SESSION_EXPIRED)
        return render_post_page(post, form, status=400)
    draft = draft_from(form)
    now = utcnow()
    try:
        comment = submit_comment(
            post,
            draft,
            parent_id=form.parent_comment_id(),
            honeypot_filled=isinstance(form, CommentForm) and bool(form.homepage_confirm.data),
            flood_seconds=current_app.config["COMMENT_FLOOD_SECONDS"],
            now=now,
            instructor=current_user if current_user.is_authenticated else None,
            notify=notification_settings(),
            browser_last_comment_at=last_comment_time(),
            author_opted_in=isinstance(form, CommentForm) and bool(form.notify_me.data),
            replies_from_anyone=isinstance(form, CommentForm)
            and form.replies_from.data == "anyone",
        ).comment
    except SubmissionRefused as refusal:
        form.form_errors.append(refusal.message)
        response = make_response(render_post_page(post, form, status=refusal.status_code))
        if refusal.retry_after is not None:
            response.retry_after = refusal.retry_after
        return response

    remember_comment_time(now)

    if isinstance(form, CommentForm):
        # Every comment a reader posts is this browser's own: a held one shows here as a
        # preview, its author may edit any of them from here within the edit window, and any
        # one opens a post-first thread (discussion.post_first).
        remember_own_comment(comment.id)
    if comment.status in (CommentStatus.PENDING, CommentStatus.APPROVED):
        # Shown inside the comment, where the page lands (a held one's notice says it all).
        flash(PUBLISHED_MESSAGE if comment.is_visible else HELD_MESSAGE, POSTED)
        is_reader = isinstance(form, CommentForm)
        token = make_author_token(current_app.config["SECRET_KEY"], comment) if is_reader else ""
        remember_posted(comment.id, token)
    response = redirect(comment_url(comment))
    if not isinstance(form, CommentForm):
        return response  # the instructor's details are their account's, not cookies
    if form.remember.data:
        save_author(response, draft_details(draft))
    else:
        forget_author(response)
    return response


NO_SUCH_POST = (
    "The post you were commenting on is not here any more (it may have been unpublished or "
    "deleted), so your comment was not posted. Here is your text, to keep."
)


def commentable_post(slug: str) -> Post | None:
    """The post a reader's form was sent to: by its slug, or by one it had (a page left open
    while the instructor renamed the post); None if there is no such post for this reader."""
    post = db.session.scalar(db.select(Post).filter_by(slug=slug))
    if post is None:
        moved_to = queries.current_slug(slug)
        post = db.session.scalar(db.select(Post).filter_by(slug=moved_to)) if moved_to else None
    if post is None or (not post.is_public(utcnow()) and not current_user.is_authenticated):
        return None
    return post


def no_such_post(form: CommentForm | InstructorCommentForm) -> tuple[str, int]:
    """The 404 for a comment sent to a post that is gone: the reason, and the reader's text."""
    return render_template(
        "errors/error.html",
        error=NotFound(),
        code=404,
        message=NO_SUCH_POST,
        kept_text=form.body.data or "",
    ), 404


@bp.get("/posts/<slug:slug>/comments")
def create_form(slug: str) -> Response:
    """A GET of the form's address (a reload, a shared link, the back button): the form itself,
    on the post page, rather than a 405."""
    return redirect(url_for("blog.post", slug=slug, _anchor="respond"))


def draft_from(form: CommentForm | InstructorCommentForm) -> CommentDraft:
    if isinstance(form, InstructorCommentForm):  # signed with the account's name, as replies are
        return CommentDraft(
            body=form.body.data,
            author_name=current_user.public_name,
            author_email="",
            author_ip=request.remote_addr or "",
            user_agent=request.user_agent.string[:255],
        )
    return CommentDraft(
        body=form.body.data,
        author_name=form.author_name.data,
        author_email=form.author_email.data,
        author_url=form.author_url.data or "",
        author_ip=request.remote_addr or "",
        user_agent=request.user_agent.string[:255],
    )


def notification_settings() -> NotificationSettings:
    """What the instructor's email about a held comment needs. Its links are built on SITE_URL:
    the request's Host is the reader's to choose."""
    return NotificationSettings(**mail_values())


def draft_details(draft: CommentDraft) -> dict[str, str]:
    return {
        "author_name": draft.author_name,
        "author_email": draft.author_email,
        "author_url": draft.author_url,
    }


def comment_url(comment: Comment, *, external: bool = False) -> str:
    """The address of ``comment`` on the comment page that holds it."""
    settings = load_settings()
    number = queries.comment_location(
        comment, settings.comments_per_page, settings.newest_comments_first
    )
    values = {} if number is None else {"page_number": number}
    return url_for(
        "blog.post",
        slug=comment.post.slug,
        _anchor=f"comment-{comment.id}",
        _external=external,
        **values,
    )


@bp.get("/comments/<int:comment_id>/")
def comment_permalink(comment_id: int) -> Response:
    """A comment's lasting address (feeds, emails): sent on to the page that holds it now."""
    comment = db.get_or_404(Comment, comment_id)
    post = comment.post
    if not post.is_public(utcnow()) and not current_user.is_authenticated:
        abort(404)
    if not thread_is_shown(
        post_first=post.post_first,
        can_moderate=current_user.is_authenticated,
        has_posted=post.post_first and has_posted(post.id, own_comment_ids()),
    ):
        # Not even which comment page holds it: the post, where the reader can answer first.
        return redirect(url_for("blog.post", slug=post.slug, _anchor="comments"))
    return redirect(comment_url(comment))
