"""The blog as people use it: headless Chromium against gunicorn on 127.0.0.1, driven by visible
labels and button names. Every page opened here is watched for console errors and CSP violations.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.extensions import db
from app.models import Comment, CommentStatus, Post
from app.transfer.seed import seed_database

from .conftest import INSTRUCTOR_PASSWORD, ON_POSTGRES
from .live_server import ROOT, gunicorn

CHROMIUM = next(
    (p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if os.path.exists(p)), None
)
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
# `make screenshots` points this at docs/screenshots; a normal run keeps them out of the tree.
SCREENSHOT_DIR = Path(os.environ.get("SCREENSHOT_DIR", ROOT / "build" / "screenshots"))

if CHROMIUM is None and os.environ.get("CI", "").lower() == "true":
    raise RuntimeError(
        "Chromium is missing under CI: `make test` installs it (apt-get install chromium)"
    )

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None, reason="Chromium is not installed (make test installs it as root)"
    ),
    pytest.mark.sqlite_only("the browser drives one gunicorn server on the test's SQLite file"),
]

POST = "/posts/the-secret-speech-on-stalins-cult-of-personality-1956/"
# Logged by the page itself, so a violation shows even where Chromium would stay quiet.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  console.error(`CSP violation: ${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def site(app, database_uri, instructor, tmp_path):
    """The seeded blog served by gunicorn on a fresh database, with the instructor "prof"."""
    assert not ON_POSTGRES
    with app.app_context():
        seed_database()
    with gunicorn(
        database_uri, tmp_path, workers=1, RATELIMIT_ENABLED="false", COMMENT_FLOOD_SECONDS="0"
    ) as server:
        yield f"http://127.0.0.1:{server.port}"


@dataclass
class People:
    """One browser context per person, so each has their own cookies."""

    browser: object
    site: str
    problems: list[str] = field(default_factory=list)
    contexts: list[object] = field(default_factory=list)
    # Responses a test provokes on purpose (a refused form); Chromium logs them as errors.
    expected_statuses: set[int] = field(default_factory=set)
    # Every page this crowd opens prefers light or dark ("no-preference" is Chromium's light).
    color_scheme: str = "light"

    def new(self, *, width: int = 1280, height: int = 900, javascript: bool = True, **options):
        """A person's browser; ``options`` go to Playwright (``timezone_id``, ``locale``,
        ``color_scheme``; the crowd's own ``color_scheme`` when not given)."""
        context = self.browser.new_context(
            base_url=self.site,
            viewport={"width": width, "height": height},
            java_script_enabled=javascript,
            **{"color_scheme": self.color_scheme, **options},
        )
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        context.on("console", self._console)
        context.on("weberror", lambda error: self.problems.append(f"page error: {error.error}"))
        self.contexts.append(context)
        return context.new_page()

    def _console(self, message) -> None:
        if message.type != "error":
            return
        status = re.search(r"status of (\d{3})", message.text)
        if status and int(status.group(1)) in self.expected_statuses:
            return
        self.problems.append(f"console error on {message.location.get('url')}: {message.text}")


@pytest.fixture
def people(browser, site) -> Iterator[People]:
    crowd = People(browser, site)
    yield crowd
    for context in crowd.contexts:
        context.close()
    assert crowd.problems == [], "console errors or CSP violations"


@pytest.fixture
def seed_post_id(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(Post.id))


def fill_reply(page, body: str, name: str, email: str, website: str = "") -> None:
    page.get_by_role("textbox", name="Comment", exact=True).fill(body)
    page.get_by_role("textbox", name="Name", exact=True).fill(name)
    page.get_by_role("textbox", name="Email", exact=True).fill(email)
    page.get_by_role("textbox", name="Website", exact=True).fill(website)


def post_comment(page) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name="Post Comment").click()


def log_in(page) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill("prof")
    page.get_by_label("Password").fill(INSTRUCTOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/moderation")


def count_in(page, filter_name: str) -> int:
    """The number on a queue filter link, e.g. 3 for "Pending (3)"."""
    text = page.get_by_role("link", name=re.compile(rf"^{filter_name} \(\d+\)$")).inner_text()
    return int(re.search(r"\((\d+)\)", text).group(1))


def click_and_wait(page, locator) -> None:
    with page.expect_navigation():
        locator.click()


# Readers


def test_a_held_reply_is_shown_only_to_its_author(people):
    author, stranger = people.new(), people.new()
    author.goto(POST)
    fill_reply(author, "Khrushchev spoke for four hours.", "Nina", "nina@example.com")
    post_comment(author)
    assert "#comment-" in author.url
    held = author.locator("li.comment-held")
    assert "Your comment is awaiting moderation." in held.inner_text()
    assert "Khrushchev spoke for four hours." in held.inner_text()

    stranger.goto(POST)
    assert stranger.get_by_text("Khrushchev spoke for four hours.").count() == 0
    assert stranger.locator("li.comment-held").count() == 0


def test_the_instructor_approves_by_mouse_and_by_keyboard_and_readers_see_both(people):
    first, second, instructor = people.new(), people.new(), people.new()
    for reader, body, name in ((first, "First held reply.", "Ann"), (second, "Second.", "Bo")):
        reader.goto(POST)
        fill_reply(reader, body, name, f"{name.lower()}@example.com")
        post_comment(reader)

    log_in(instructor)
    assert count_in(instructor, "Pending") == 2
    instructor.get_by_role("button", name="Approve the comment by Ann").click()  # in place
    instructor.locator("#queue-notice").get_by_text("1 comment approved.").wait_for()
    assert count_in(instructor, "Pending") == 1
    instructor.keyboard.press("a")  # the next comment became current: Bo's
    instructor.get_by_text("No comments here.").wait_for()
    assert count_in(instructor, "Pending") == 0
    assert count_in(instructor, "Approved") == 3  # with the seed post's comment

    for reader in (first, second):
        reader.goto(POST)
        assert reader.get_by_text("First held reply.").is_visible()
        assert reader.get_by_text("Second.", exact=True).is_visible()
        assert reader.locator("li.comment-held").count() == 0
        assert "3 thoughts on" in reader.locator("#comments-title").inner_text()


def test_a_reply_to_a_reply_is_nested_and_cancel_reply_puts_the_form_back(
    people, app, seed_post_id, make_comment
):
    with app.app_context():
        seed_comment = db.session.scalar(db.select(Comment.id))
    make_comment(seed_post_id, author_name="Teacher", body="A reply.", parent_id=seed_comment)
    page = people.new()
    page.goto(POST)

    page.get_by_role("link", name="Reply to Teacher").click()
    assert page.locator("#reply-title").inner_text().startswith("Leave a Reply to Teacher")
    assert page.locator("li.depth-2 #respond").count() == 1  # the form moved under the reply
    page.get_by_role("link", name="Cancel reply").click()
    assert page.locator("li.comment #respond").count() == 0
    assert page.locator("#reply-title").inner_text().strip() == "Leave a Reply"
    assert page.locator("#comment_parent").input_value() == ""

    page.get_by_role("link", name="Reply to Teacher").click()
    fill_reply(page, "Replying to the reply.", "Lev", "lev@example.com")
    post_comment(page)
    nested = page.locator("li.depth-1 > ol.children > li.depth-2 > ol.children > li.depth-3")
    assert "Replying to the reply." in nested.inner_text()
    assert "Your comment is awaiting moderation." in nested.inner_text()


def test_the_browser_reads_the_gzipped_cached_page_and_posts_from_it(people):
    page = people.new()
    response = page.goto(POST)
    assert response.headers["content-encoding"] == "gzip"  # Chromium asks for it, as all do
    assert page.get_by_role("heading", level=1).inner_text().startswith("The Secret Speech")
    fill_reply(page, "Sent from the compressed page.", "Gzip", "gzip@example.com")
    post_comment(page)
    assert "Sent from the compressed page." in page.locator("li.comment-held").inner_text()


def test_the_reply_link_works_without_javascript(browser, site, people):
    context = browser.new_context(base_url=site, java_script_enabled=False)
    people.contexts.append(context)
    page = context.new_page()
    page.goto(POST)
    page.get_by_role("link", name="Reply to Reader").click()
    assert "replytocom=" in page.url
    assert page.locator("#reply-title").inner_text().startswith("Leave a Reply to Reader")
    fill_reply(page, "Posted without scripts.", "Ivan", "ivan@example.com")
    post_comment(page)
    assert "Posted without scripts." in page.locator("li.depth-2.comment-held").inner_text()


def test_details_are_remembered_when_ticked_and_forgotten_when_not(people):
    page = people.new()
    page.goto(POST)
    fill_reply(page, "Remember me.", "Olga", "olga@example.com", "https://olga.example.com")
    page.get_by_label("Save my name, email, and website").check()
    post_comment(page)

    page.goto(POST)
    page.get_by_text("Commenting as Olga · Change").click()  # the saved details, folded away
    assert page.get_by_role("textbox", name="Name", exact=True).input_value() == "Olga"
    assert page.get_by_role("textbox", name="Email", exact=True).input_value() == "olga@example.com"
    assert page.get_by_role("textbox", name="Website", exact=True).input_value() == (
        "https://olga.example.com"
    )
    assert page.get_by_label("Save my name, email, and website").is_checked()

    page.get_by_role("textbox", name="Comment", exact=True).fill("Forget me now.")
    page.get_by_label("Save my name, email, and website").uncheck()
    post_comment(page)
    page.goto(POST)
    assert page.get_by_role("textbox", name="Name", exact=True).input_value() == ""
    assert page.get_by_role("textbox", name="Email", exact=True).input_value() == ""
    assert not page.get_by_label("Save my name, email, and website").is_checked()


def test_a_validation_error_keeps_the_text(people):
    people.expected_statuses.add(400)
    page = people.new()
    page.goto(POST)
    text = "A long thought\nover two lines that must not be lost."
    fill_reply(page, text, "Pavel", "not-an-email")
    # The browser's own check would stop an invalid address before the server sees it; switch
    # it off to reach the server's message, as an old browser would.
    page.locator("#commentform").evaluate("form => form.noValidate = true")
    post_comment(page)
    assert page.locator("#author_email-error").inner_text() == (
        "An email address needs an @, as in name@example.com."
    )
    assert page.get_by_role("textbox", name="Comment", exact=True).input_value() == text
    assert page.get_by_role("textbox", name="Name", exact=True).input_value() == "Pavel"
    email = page.get_by_role("textbox", name="Email", exact=True)
    assert email.get_attribute("aria-invalid") == "true"

    email.fill("pavel@example.com")
    post_comment(page)
    assert text.split("\n")[0] in page.locator("li.comment-held").inner_text()


def in_viewport(page, locator) -> bool:
    """Whether the element's top edge, and some of it, is on screen (not above, not below)."""
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and 0 <= box["y"] < height - 20


@pytest.mark.parametrize("width", [1280, 360])
def test_a_refused_comment_lands_at_the_form_with_the_summary_focused(people, width):
    people.expected_statuses.add(400)
    page = people.new(width=width, height=800 if width > 400 else 740)
    page.goto(POST)
    fill_reply(page, "What I wrote stays.", "", "lena@example.com")
    page.locator("#commentform").evaluate("form => form.noValidate = true")  # the server decides
    post_comment(page)
    summary = page.get_by_role("alert").filter(has_text="Your comment was not posted")
    assert summary.is_visible()
    # Within moments of the page loading (fails with a TimeoutError if focus never comes).
    page.wait_for_function("document.activeElement.id === 'error-summary'", timeout=1000)
    assert in_viewport(page, summary), page.evaluate("window.scrollY")
    assert page.url.endswith("/comments#respond")
    assert page.get_by_role("textbox", name="Comment", exact=True).input_value() == (
        "What I wrote stays."
    )
    name = page.get_by_role("textbox", name="Name", exact=True)
    assert name.get_attribute("aria-invalid") == "true"
    assert name.get_attribute("aria-describedby") == "author_name-error"

    summary.get_by_role("link", name="Please enter your name.").click()
    assert page.evaluate("document.activeElement.id") == "author_name"
    assert in_viewport(page, name)


def test_without_javascript_a_refused_comment_still_lands_at_the_form(people):
    people.expected_statuses.add(400)
    page = people.new(width=360, height=740, javascript=False)
    page.goto(POST)
    fill_reply(page, "No scripts here.", "", "omar@example.com")
    page.locator("#author_name").evaluate("field => field.removeAttribute('required')")
    post_comment(page)
    summary = page.get_by_role("alert").filter(has_text="Your comment was not posted")
    assert in_viewport(page, summary), page.evaluate("window.scrollY")
    assert page.get_by_role("textbox", name="Comment", exact=True).input_value() == (
        "No scripts here."
    )


def test_the_choice_of_whose_replies_works_by_label_without_javascript(app, people):
    page = people.new(width=360, javascript=False)
    page.goto(POST)
    fill_reply(page, "Tell me about every answer.", "Uma", "uma@example.com")
    page.get_by_label("Email me about this comment").check()
    replies = page.get_by_role("group", name="Tell me about replies from:")
    assert replies.get_by_label("the instructor only").is_checked()  # the default
    replies.get_by_label("anyone").check()
    post_comment(page)
    with app.app_context():
        comment = db.session.scalar(db.select(Comment).filter_by(author_email="uma@example.com"))
        assert (comment.notify_author, comment.notify_replies_from_anyone) == (True, True)


@pytest.mark.parametrize("width", [1280, 360])
def test_the_confirmation_is_in_view_beside_the_new_comment(people, width):
    page = people.new(width=width, height=800 if width > 400 else 740)
    page.goto(POST)
    fill_reply(page, "Landing where I can see it.", "Ines", "ines@example.com")
    post_comment(page)
    notice = page.get_by_text(
        "Your comment is awaiting moderation. This is a preview; only you can see it until the "
        "instructor approves it."
    )
    assert notice.is_visible()
    assert in_viewport(page, notice), page.evaluate("window.scrollY")
    comment = page.locator("li.comment-held").filter(has_text="Landing where I can see it.")
    assert in_viewport(page, comment)


@pytest.mark.parametrize("width", [1280, 360])
def test_a_published_comment_lands_with_its_thank_you_in_view(
    people, seed_post_id, make_comment, width
):
    # Approved before under this name and email: the next comment is published at once.
    make_comment(seed_post_id, author_name="Ines", author_email="ines@example.com")
    page = people.new(width=width, height=800 if width > 400 else 740)
    page.goto(POST)
    fill_reply(page, "Published where I can see it.", "Ines", "ines@example.com")
    post_comment(page)
    comment = page.locator("li.comment").filter(has_text="Published where I can see it.").last
    assert comment.get_attribute("class").split() == ["comment", "depth-1"]  # not held
    thanks = comment.get_by_role("status")
    assert thanks.inner_text() == "Thank you! Your comment is published."
    assert thanks.is_visible()
    assert in_viewport(page, thanks), page.evaluate("window.scrollY")
    # Inside the new comment, just above its text.
    text = comment.locator(".comment-content").first.bounding_box()
    box = thanks.bounding_box()
    assert box["y"] + box["height"] <= text["y"] + 1
    # Shown once: a reload is the page every reader sees.
    page.reload()
    assert page.get_by_text("Thank you! Your comment is published.").count() == 0


def test_a_remembered_reader_opens_their_folded_details_without_javascript(people):
    page = people.new(width=360, height=740, javascript=False)
    page.goto(POST)
    fill_reply(page, "First, with details saved.", "Kofi", "kofi@example.com")
    page.get_by_label("Save my name, email, and website").check()
    post_comment(page)
    page.goto(POST)
    name = page.get_by_role("textbox", name="Name", exact=True)
    assert not name.is_visible()
    page.get_by_text("Commenting as Kofi · Change").click()
    assert name.is_visible()
    assert name.input_value() == "Kofi"


def test_the_logged_in_instructor_has_no_name_to_type(people):
    page = people.new(width=360, height=740)
    log_in(page)
    page.goto(POST)
    assert page.get_by_text("Logged in as").is_visible()
    assert page.get_by_role("textbox", name="Name", exact=True).count() == 0
    page.get_by_role("textbox", name="Comment", exact=True).fill("A note from the front.")
    post_comment(page)
    mine = page.locator("li.comment").filter(has_text="A note from the front.")
    assert "Thank you! Your comment is published." in mine.inner_text()
    assert in_viewport(page, mine.get_by_text("Thank you! Your comment is published."))


@pytest.mark.parametrize("javascript", [True, False])
def test_times_are_shown_in_the_readers_own_zone(people, seed_post_id, make_comment, javascript):
    make_comment(
        seed_post_id,
        body="Late-night thought.",
        created_at=datetime(2024, 3, 3, 23, 30, tzinfo=UTC),
    )
    page = people.new(javascript=javascript, timezone_id="America/New_York", locale="en-US")
    page.goto(POST)
    comment = page.locator("li.comment").filter(has_text="Late-night thought.")
    shown = comment.locator("time").inner_text()
    if javascript:  # the reader's zone: still March 3 in New York
        assert shown == "March 3, 2024 at 6:30 PM EST"
    else:  # the site's zone (UTC in the tests), named
        assert shown == "March 3, 2024 at 11:30 pm UTC"


def test_a_get_of_the_form_address_opens_the_form(people):
    page = people.new(width=360, height=740)
    page.goto(POST + "comments")
    assert page.url.endswith(POST + "#respond")
    assert in_viewport(page, page.get_by_role("heading", name="Leave a Reply"))


def test_a_session_that_expired_in_another_tab_keeps_the_text(people):
    people.expected_statuses.add(400)
    page = people.new()
    page.goto(POST)
    fill_reply(page, "Written slowly, while the session ran out.", "Rita", "rita@example.com")
    page.context.clear_cookies()  # as if the reader logged out or the cookie expired elsewhere
    post_comment(page)
    assert page.get_by_text("Your session expired; please submit again.").is_visible()
    body = page.get_by_role("textbox", name="Comment", exact=True)
    assert body.input_value() == "Written slowly, while the session ran out."
    post_comment(page)  # the page came with a fresh token: sending again works
    assert "Written slowly" in page.locator("li.comment-held").inner_text()


# The instructor


def test_spam_not_spam_trash_restore_and_delete_permanently(people, seed_post_id, make_comment):
    """Through the forms, without JavaScript (test_queue_browser covers the in-place path)."""
    make_comment(seed_post_id, status=CommentStatus.PENDING, author_name="Sam", body="Cheap!")
    page = people.new(javascript=False)
    log_in(page)
    assert (count_in(page, "Pending"), count_in(page, "Spam")) == (1, 0)

    click_and_wait(page, page.get_by_role("button", name="Spam the comment by Sam"))
    assert (count_in(page, "Pending"), count_in(page, "Spam")) == (0, 1)
    click_and_wait(page, page.get_by_role("link", name="Spam (1)"))
    click_and_wait(page, page.get_by_role("button", name="Not Spam the comment by Sam"))
    assert (count_in(page, "Pending"), count_in(page, "Spam")) == (1, 0)

    page.goto("/moderation")
    click_and_wait(page, page.get_by_role("button", name="Trash the comment by Sam"))
    assert (count_in(page, "Pending"), count_in(page, "Trash")) == (0, 1)
    click_and_wait(page, page.get_by_role("link", name="Trash (1)"))
    click_and_wait(page, page.get_by_role("button", name="Restore the comment by Sam"))
    assert (count_in(page, "Pending"), count_in(page, "Trash")) == (1, 0)

    page.goto("/moderation")
    click_and_wait(page, page.get_by_role("button", name="Trash the comment by Sam"))
    click_and_wait(page, page.get_by_role("link", name="Trash (1)"))
    click_and_wait(page, page.get_by_role("button", name="Delete Permanently the comment by Sam"))
    assert page.get_by_role("heading", name="Delete this comment permanently?").is_visible()
    click_and_wait(page, page.get_by_role("button", name="Delete Permanently"))
    assert count_in(page, "Trash") == 0
    assert page.get_by_text("Cheap!").count() == 0


def test_a_bulk_action_approves_three_comments(people, seed_post_id, make_comment):
    for name in ("Ada", "Ben", "Cy", "Di"):
        make_comment(seed_post_id, status=CommentStatus.PENDING, author_name=name)
    page = people.new()
    log_in(page)
    assert (count_in(page, "Pending"), count_in(page, "Approved")) == (4, 1)
    for name in ("Ada", "Ben", "Cy"):
        page.get_by_label(f"Select the comment by {name}").check()
    assert page.locator(".selected-count").inner_text() == "3 selected"
    page.get_by_label("Bulk action").select_option(label="Approve")
    page.get_by_role("button", name="Apply").click()  # in place, no page load
    page.locator("#queue-notice").get_by_text("3 comments approved.").wait_for()
    assert (count_in(page, "Pending"), count_in(page, "Approved")) == (1, 4)
    assert page.get_by_label("Select the comment by Di").is_visible()


# Every page, in every state: no console errors, no CSP violations, and a usable layout


def pages_to_visit(comment_id: int) -> list[str]:
    return [
        "/",
        POST,
        f"{POST}?replytocom={comment_id}",
        "/login",
        "/moderation",
        "/moderation?status=approved",
        "/moderation/settings",
        f"/moderation/comments/{comment_id}/edit",
    ]


def test_no_page_logs_an_error_or_breaks_the_content_security_policy(people, app):
    with app.app_context():
        comment_id = db.session.scalar(db.select(Comment.id))
    reader, instructor = people.new(), people.new()
    log_in(instructor)
    for path in pages_to_visit(comment_id):
        # Public pages twice: as a reader sees them, and with the instructor's controls.
        for visitor in [instructor] if path.startswith("/moderation") else [reader, instructor]:
            visitor.goto(path)
            visitor.wait_for_load_state("networkidle")
    # The scripts ran (they are ours, from 'self'), and the CSP was enforced all along.
    reader.goto(POST)
    reader.get_by_role("link", name="Reply to Reader").click()
    assert reader.locator("li.comment #respond").count() == 1
    assert people.problems == []


def horizontal_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_a_phone_never_scrolls_sideways_and_can_post(people, app, seed_post_id, make_comment):
    make_comment(
        seed_post_id,
        author_name="A reader with a very long name that might not wrap at all",
        author_url="https://example.com/" + "a-very-long-path/" * 8,
        body="https://example.com/" + "unbroken" * 30,
        status=CommentStatus.PENDING,
    )
    with app.app_context():
        comment_id = db.session.scalar(db.select(Comment.id))
    phone, instructor = people.new(width=360, height=740), people.new(width=360, height=740)
    log_in(instructor)
    for path in pages_to_visit(comment_id):
        visitor = instructor if path.startswith("/moderation") else phone
        visitor.goto(path)
        assert horizontal_overflow(visitor) <= 0, f"{path} scrolls sideways at 360 px"

    phone.goto(POST)
    button = phone.get_by_role("button", name="Post Comment")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    field = phone.get_by_role("textbox", name="Comment", exact=True).bounding_box()
    assert field["width"] >= 300  # nearly the whole screen to write in
    fill_reply(phone, "Written on a phone.", "Mobile", "mobile@example.com")
    post_comment(phone)
    assert "Written on a phone." in phone.locator("li.comment-held").inner_text()


def test_a_laptop_gets_a_comfortable_measure(people):
    page = people.new(width=1280, height=900)
    page.goto(POST)
    assert horizontal_overflow(page) <= 0
    paragraph = page.locator(".entry-content p").first
    width = paragraph.bounding_box()["width"]
    font_size = float(paragraph.evaluate("p => getComputedStyle(p).fontSize").removesuffix("px"))
    characters_per_line = width / (font_size * 0.5)  # an average character is about 0.5 em
    assert 45 <= characters_per_line <= 95, characters_per_line
    assert page.locator("main").bounding_box()["x"] > 200  # centred, not stuck to the left


# Screenshots for the README (`make screenshots` refreshes the ones in docs/)


@pytest.fixture
def discussion(app, seed_post_id, make_comment) -> None:
    """A thread for the screenshots, with fixed dates so the pictures only change when the
    pages do."""
    with app.app_context():
        seed_comment = db.session.scalar(db.select(Comment.id))
    start = datetime(2026, 11, 20, 14, 5, tzinfo=UTC)
    reply = make_comment(
        seed_post_id, author_name="Ms. Alvarez", parent_id=seed_comment, created_at=start,
        body="Good point about the timing. Why do you think he gave it in a closed session?",
    )  # fmt: skip
    make_comment(
        seed_post_id, author_name="Reader", parent_id=reply,
        created_at=start + timedelta(hours=2),
        body="To keep control of the message: it only leaked to the West months later.",
    )  # fmt: skip
    for n, name in enumerate(("Dmitri", "Helen", "Sasha")):
        make_comment(
            seed_post_id, author_name=name, status=CommentStatus.PENDING,
            created_at=start + timedelta(days=1, minutes=n),
            body=f"Held comment number {n + 1}, waiting for the instructor.",
        )  # fmt: skip


def test_screenshots_of_the_post_and_the_queue(people, discussion):
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    reader = people.new(width=1280, height=900)
    reader.goto(POST + "#comments")
    reader.screenshot(path=SCREENSHOT_DIR / "post-page.png")
    instructor = people.new(width=1280, height=900)
    log_in(instructor)
    instructor.goto("/moderation")
    instructor.screenshot(path=SCREENSHOT_DIR / "moderation-queue.png")
    for name in ("post-page.png", "moderation-queue.png"):
        assert (SCREENSHOT_DIR / name).read_bytes().startswith(b"\x89PNG")


@pytest.fixture
def deep_thread(app, seed_post_id, make_comment) -> None:
    """Replies six deep under the seeded comment, for the screenshots and the narrow screens,
    the deepest holding an unbroken word and a long address; fixed dates, fixed pictures."""
    with app.app_context():
        parent = db.session.scalar(db.select(Comment.id))
    start = datetime(2026, 11, 20, 14, 5, tzinfo=UTC)
    names = ["Ms. Alvarez", "Reader", "Dmitri Volkov", "Helen Park", "Sasha", "Zoë Martín"]
    bodies = [
        "Good point about the timing. Why do you think he gave it in a closed session?",
        "To keep control of the message: it only leaked to the West months later.",
        "And the delegates from abroad were not in the hall, which mattered as well.",
        "The Polish party printed copies, which is how it reached the West.",
        "Is there a source for that? I would like to read more about it.",
        "Here: https://www.wilsoncenter.org/"
        + "khrushchev-secret-speech-" * 4
        + " and a word: Geschichtswissenschaftsdidaktiklehrbuchkapitelüberschrift",
    ]
    for depth, (name, body) in enumerate(zip(names, bodies, strict=True)):
        parent = make_comment(
            seed_post_id, author_name=name, parent_id=parent, body=body,
            created_at=start + timedelta(hours=depth),
        )  # fmt: skip


def test_a_deep_thread_stays_readable_on_a_phone(people, deep_thread):
    phone = people.new(width=360, height=740)
    phone.goto(POST)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    deepest = phone.locator("li.comment").filter(has_text="Geschichtswissenschafts").last
    text = deepest.locator(".comment-content").bounding_box()
    # Indentation stops after the third level: the deepest reply keeps most of the screen.
    assert text["x"] < 80 and text["width"] >= 240, text
    assert text["x"] + text["width"] <= 360
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    thread = phone.locator("li.comment").filter(has_text="Dmitri Volkov").last
    thread.screenshot(path=SCREENSHOT_DIR / "deep-thread-360.png")
    laptop = people.new(width=1280, height=900)
    laptop.goto(POST)
    assert horizontal_overflow(laptop) <= 0


def test_a_post_prints_its_discussion_compactly_without_forms_or_buttons(people, deep_thread):
    page = people.new(width=1280, height=900, color_scheme="dark")
    log_in(page)  # the instructor's bar and buttons must not print either
    page.goto(POST)
    page.emulate_media(media="print")
    for hidden in ("#respond", ".admin-bar", ".site-footer", ".avatar", ".comment-reply-link",
                   ".comment-permalink", ".row-actions button"):  # fmt: skip
        assert (
            page.locator(hidden).first.count() == 1 and not page.locator(hidden).first.is_visible()
        ), hidden
    assert page.get_by_role("heading", name=re.compile("^The Secret Speech")).is_visible()
    # Black on white whatever the screen's scheme.
    assert page.evaluate("getComputedStyle(document.body).color") == "rgb(0, 0, 0)"
    after = "(a) => getComputedStyle(a, '::after').content"
    outside = page.locator(".comment-content a[href^='http']").first
    assert outside.evaluate(after) == f'" ({outside.get_attribute("href")})"'
    assert page.locator("a.comment-date").first.evaluate(after) == "none"  # our own anchors
    # Compact: a two-line comment takes little more than its two lines, and deep replies stop
    # indenting after the third level.
    bodies = page.locator(".comment-body").evaluate_all(
        "els => els.map(e => [e.getBoundingClientRect().height, e.getBoundingClientRect().x])"
    )
    assert max(height for height, _ in bodies[:3]) < 110, bodies
    assert len({x for _, x in bodies[3:]}) == 1, bodies  # depths 4 to 6 at one indentation
    assert page.pdf().startswith(b"%PDF")
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.locator("#comments").screenshot(path=SCREENSHOT_DIR / "post-page-print.png")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_of_the_post_page_on_a_laptop_and_a_phone(
    people, app, make_post, deep_thread, scheme
):
    make_post(
        slug="the-twentieth-congress", title="The Twentieth Party Congress",
        published_at=datetime(2016, 2, 20, tzinfo=UTC),
    )  # fmt: skip
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    for width, height in ((1280, 900), (360, 740)):
        page = people.new(width=width, height=height, color_scheme=scheme)
        page.goto(POST)
        # From the end of the post (its link to the older one) into the thread.
        page.evaluate(
            "window.scrollTo(0, document.querySelector('.post-navigation').offsetTop - 16)"
        )
        target = SCREENSHOT_DIR / f"post-page-{width}-{scheme}.png"
        page.screenshot(path=target)
        assert target.read_bytes().startswith(b"\x89PNG")
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert (background == "rgb(255, 255, 255)") == (scheme == "light"), background


# Accessibility and the keyboard

AXE_PAGES: dict[str, Callable[[People], object]] = {}


def visit(path: str, *, instructor: bool = False, prepare: Callable | None = None):
    def open_page(people: People):
        page = people.new()
        if instructor:
            log_in(page)
        page.goto(path)
        if prepare:
            prepare(page)
        return page

    return open_page


def with_form_errors(page) -> None:
    page.locator("#commentform").evaluate("form => form.noValidate = true")
    post_comment(page)  # nothing filled in: every required field complains
    assert page.locator(".field-error").count() >= 3


def with_a_held_comment(page) -> None:
    fill_reply(page, "Waiting for approval.", "Zoya", "zoya@example.com")
    post_comment(page)
    assert page.locator("li.comment-held").count() == 1


AXE_PAGES.update(
    {
        "front page": visit("/"),
        "post page": visit(POST),
        "post page with form errors": visit(POST, prepare=with_form_errors),
        "post page with a held comment": visit(POST, prepare=with_a_held_comment),
        "login page": visit("/login"),
        "moderation queue": visit("/moderation", instructor=True),
        "settings page": visit("/moderation/settings", instructor=True),
        "posts list": visit("/editor/", instructor=True),
        "editor": visit("/editor/new", instructor=True),
        "account page": visit("/account", instructor=True),
        "class screen": visit("/class", instructor=True),
        "participation": visit("/class/participation", instructor=True),
        "not found page": visit("/no-such-page"),
    }
)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name", AXE_PAGES)
def test_axe_finds_no_serious_violations_and_every_control_is_labelled(
    people, seed_post_id, make_comment, name, scheme
):
    from axe_playwright_python.sync_playwright import Axe

    people.expected_statuses.update({400, 404})
    make_comment(seed_post_id, status=CommentStatus.PENDING, body="In the queue.")
    people.color_scheme = scheme
    page = AXE_PAGES[name](people)
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
    violations = Axe().run(page).response["violations"]
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    unlabelled = [v["id"] for v in violations if v["id"] in ("label", "select-name", "button-name")]
    assert unlabelled == []


FOCUSED = r"""() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const label = el.id ? document.querySelector(`label[for="${el.id}"]`) : null;
  const name = el.getAttribute("aria-label") || (label && label.innerText) || el.innerText
    || el.tagName;
  return {
    name: name.replace(/\s*\*$/, "").trim(),
    tag: el.tagName,
    outline: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0,
    visible: el.getBoundingClientRect().width > 0,
  };
}"""


def tab_through(page, limit: int = 150) -> list[dict]:
    """Press Tab until focus comes back round, recording each stop."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUSED)
        if stop["tag"] == "BODY" or (stops and stop == stops[0]):
            break
        stops.append(stop)
    return stops


def test_the_post_page_works_from_the_keyboard_alone(people):
    page = people.new()
    page.goto(POST)
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUSED)
    assert first["name"] == "Skip to content" and first["visible"]
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "content"

    stops = tab_through(page)
    names = [stop["name"] for stop in stops]
    for expected in ("Reply to Reader", "Comment", "Name", "Email", "Website", "Post Comment"):
        assert expected in names
    assert any(name.startswith("Save my name") for name in names)
    assert all(stop["outline"] for stop in stops), [s for s in stops if not s["outline"]]
    assert "Leave this field empty" not in names  # the spam trap is not in the tab order

    page.goto(POST)
    page.get_by_role("textbox", name="Comment", exact=True).focus()
    page.keyboard.type("Typed without a mouse.")
    for text in ("Keys", "keys@example.com"):
        page.keyboard.press("Tab")
        page.keyboard.type(text)
    with page.expect_navigation():
        page.get_by_role("button", name="Post Comment").press("Enter")
    assert "Typed without a mouse." in page.locator("li.comment-held").inner_text()


def test_every_queue_action_is_reachable_with_tab(people, seed_post_id, make_comment):
    make_comment(seed_post_id, status=CommentStatus.PENDING, author_name="Kim")
    page = people.new()
    log_in(page)
    stops = tab_through(page, limit=300)
    names = {stop["name"] for stop in stops}
    for action in ("Approve", "Spam", "Trash", "Edit"):
        assert f"{action} the comment by Kim" in names
    for control in ("Select the comment by Kim", "Bulk action", "Apply", "Search comments"):
        assert control in names
    assert all(stop["outline"] for stop in stops), [s for s in stops if not s["outline"]]


# The class: roster, assignment window, participation report (issue 15)

CLASS_LIST = (
    "\ufeffName,Email,Section\r\n"
    "Zoë Martín,zoe@example.com,Section 1\r\n"
    "Ngozi Okafor,ngozi@example.com,Section 1\r\n"
    "Lev Petrov,LEV@example.com ,Section 2\r\n"
    "Mei Chen,mei@example.com,Section 2\r\n"
    "Omar Haddad,omar@example.com,Section 2\r\n"
    "Typo Person,typo-at-example.com,Section 1\r\n"
)


@pytest.fixture
def class_list(tmp_path) -> Path:
    """The class list as Excel's "CSV UTF-8" writes it: a BOM and CRLF line ends."""
    path = tmp_path / "class-list.csv"
    path.write_bytes(CLASS_LIST.encode("utf-8"))
    return path


def load_class_list(page, path: Path) -> None:
    page.get_by_role("link", name="Class", exact=True).click()
    page.get_by_label("Class list (CSV file)").set_input_files(str(path))
    click_and_wait(page, page.get_by_role("button", name="Preview"))


def test_the_instructor_loads_a_class_list_sets_a_due_date_and_sees_who_participated(
    people, app, seed_post_id, make_comment, class_list, tmp_path
):
    # Zoë commented before the post's due date (set below, to yesterday).
    make_comment(
        seed_post_id, author_name="Zoë", author_email="Zoe@Example.com",
        created_at=datetime.now(UTC) - timedelta(days=3), body="An early thought.",
    )  # fmt: skip
    instructor = people.new()
    log_in(instructor)

    load_class_list(instructor, class_list)
    preview = instructor.locator("main")
    assert "Nothing is saved until you confirm." in preview.inner_text()
    assert "5 to add" in preview.inner_text()
    assert "“typo-at-example.com” is not a valid email address" in preview.inner_text()
    assert (
        instructor.get_by_role("cell", name="Zoë Martín").count()
        + instructor.get_by_role("rowheader", name="Zoë Martín").count()
        == 1
    )
    click_and_wait(instructor, instructor.get_by_role("button", name="Save: add 5, change 0"))
    assert "5 students added" in instructor.locator(".flashes").inner_text()

    instructor.get_by_role("link", name=re.compile("^Set the dates of The Secret Speech")).click()
    yesterday = datetime.now(UTC) - timedelta(days=1)
    next_week = datetime.now(UTC) + timedelta(days=7)
    instructor.get_by_label("Due at").fill(yesterday.strftime("%Y-%m-%dT%H:%M"))
    instructor.get_by_label("Closes at").fill(next_week.strftime("%Y-%m-%dT%H:%M"))
    click_and_wait(instructor, instructor.get_by_role("button", name="Save"))
    assert "was saved" in instructor.locator(".flashes").inner_text()

    for name, email, body in (
        ("Lev", "lev@example.com", "Late, but here."),
        ("Visitor", "visitor@example.org", "Just passing by."),
    ):
        reader = people.new()
        reader.goto(POST)
        fill_reply(reader, body, name, email)
        post_comment(reader)
        # No "late" mark for the reader (the word, not "later" in the private-link note).
        assert not re.search(r"\blate\b", reader.locator("li.comment-held").inner_text())

    instructor.goto("/moderation")
    assert "roster · Section 2" in instructor.locator("#content").inner_text()
    assert instructor.locator(".badge-late").count() == 2  # Lev's and the visitor's, not Zoë's
    assert instructor.locator(".badge-guest").count() == 1

    instructor.get_by_role("link", name="Participation", exact=True).click()
    instructor.get_by_label("Post").select_option(label=seed_post_title(app))
    click_and_wait(instructor, instructor.get_by_role("button", name="Show"))
    report = instructor.locator("main").inner_text()
    assert "No participation yet: Mei Chen, Ngozi Okafor, Omar Haddad." in report
    rows = instructor.locator("table.report-table").first.locator("tbody tr")
    assert rows.count() == 5
    lev = instructor.locator("tr", has=instructor.get_by_role("link", name="Lev Petrov"))
    assert "late" in lev.inner_text()
    assert "Visitor" in instructor.locator("table.report-table").nth(1).inner_text()

    # Sort by a column, then back.
    instructor.get_by_role("link", name="Submitted", exact=True).first.click()
    instructor.get_by_role("link", name="Submitted", exact=True).first.click()
    first = instructor.locator("table.report-table").first.locator("tbody th").first
    assert first.inner_text().startswith("Lev Petrov")  # most comments first, ties by name

    with instructor.expect_download() as download_info:
        instructor.get_by_role("link", name="Download grades (CSV)").click()
    data = Path(download_info.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "Zoë Martín,zoe@example.com,Section 1,1,1" in text
    assert text.count("\r\n") == 6  # the header and five students


def seed_post_title(app) -> str:
    with app.app_context():
        return db.session.scalar(db.select(Post.title))


def class_with_comments(app, seed_post_id, make_comment) -> None:
    """A roster, a due date and a discussion for the screens' tests and screenshots, with fixed
    dates so the pictures only change when the pages do."""
    from app.models import Student

    due = datetime(2026, 11, 21, 17, 0, tzinfo=UTC)
    people_in_class = [
        ("Zoë Martín", "zoe@example.com", "Section 1"),
        ("Ngozi Okafor", "ngozi@example.com", "Section 1"),
        ("Lev Petrov", "lev@example.com", "Section 2"),
        ("Mei Chen", "mei@example.com", "Section 2"),
        ("Omar Haddad", "omar@example.com", "Section 2"),
        ("Sasha Ivanova", "sasha@example.com", "Section 1"),
    ]
    with app.app_context():
        db.session.add_all(Student(name=n, email=e, section=s) for n, e, s in people_in_class)
        post = db.session.get(Post, seed_post_id)
        post.opens_at, post.due_at = due - timedelta(days=5), due
        post.closes_at = due + timedelta(days=3)
        db.session.commit()
    start = due - timedelta(days=4)
    zoe = make_comment(
        seed_post_id, author_name="Zoë", author_email="zoe@example.com", created_at=start,
        body="Khrushchev's timing matters: three years after Stalin's death, the party was ready.",
    )  # fmt: skip
    ngozi = make_comment(
        seed_post_id, author_name="Ngozi", author_email="ngozi@example.com", parent_id=zoe,
        created_at=start + timedelta(days=1, hours=3),
        body="Ready, or afraid? The speech protected the people who gave it.",
    )  # fmt: skip
    make_comment(
        seed_post_id, author_name="Lev", author_email="lev@example.com", parent_id=ngozi,
        created_at=due + timedelta(hours=20),
        body="Both. He attacked Stalin's methods, not the system that made them possible.",
    )  # fmt: skip
    make_comment(
        seed_post_id, author_name="Sasha", author_email="sasha@example.com",
        created_at=start + timedelta(days=2),
        body="The leak to the West is the part I keep thinking about. Who decided to leak it?",
    )  # fmt: skip
    make_comment(
        seed_post_id, author_name="Sasha", author_email="sasha@example.com",
        status=CommentStatus.PENDING, created_at=start + timedelta(days=3, hours=2),
        body="Answering myself: the Polish party, according to most accounts.",
    )  # fmt: skip
    make_comment(
        seed_post_id, author_name="A visitor", author_email="visitor@example.org",
        created_at=start + timedelta(days=2, hours=5), body="Great discussion, everyone.",
    )  # fmt: skip


# Against the class above: two new students, a rename, a move, a bad email and a repeat.
NEXT_TERMS_LIST = (
    "\ufeffName,Email,Section\r\n"
    "Zoë Martín-Ruiz,zoe@example.com,Section 1\r\n"
    "Ngozi Okafor,ngozi@example.com,Section 2\r\n"
    "Lev Petrov,lev@example.com,Section 2\r\n"
    "Ana Souza,ana@example.com,Section 1\r\n"
    "Tomás Ruiz,tomas@example.com,Section 2\r\n"
    "Typo Person,typo-at-example.com,Section 1\r\n"
    "Ana Again,ANA@example.com,Section 2\r\n"
)


@pytest.fixture
def next_terms_list(tmp_path) -> Path:
    path = tmp_path / "next-term.csv"
    path.write_bytes(NEXT_TERMS_LIST.encode("utf-8"))
    return path


CLASS_PAGES = {
    "class screen": "/class",
    "participation report": "/class/participation?post={post}",
    "participation, all posts": "/class/participation",
    "printable view": "/class/print?post={post}",
    "assignment window": "/class/posts/{post}/window",
}


@pytest.mark.parametrize("name", [*CLASS_PAGES, "import preview"])
def test_axe_finds_no_serious_violations_on_the_class_screens(
    people, app, seed_post_id, make_comment, next_terms_list, name
):
    from axe_playwright_python.sync_playwright import Axe

    class_with_comments(app, seed_post_id, make_comment)
    page = people.new()
    log_in(page)
    if name == "import preview":
        load_class_list(page, next_terms_list)
    else:
        page.goto(CLASS_PAGES[name].format(post=seed_post_id))
    violations = Axe().run(page).response["violations"]
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    unlabelled = [v["id"] for v in violations if v["id"] in ("label", "select-name", "button-name")]
    assert unlabelled == []


def test_the_class_screens_never_scroll_sideways_on_a_phone(
    people, app, seed_post_id, make_comment, next_terms_list
):
    class_with_comments(app, seed_post_id, make_comment)
    phone = people.new(width=360, height=740)
    log_in(phone)
    for path in CLASS_PAGES.values():
        phone.goto(path.format(post=seed_post_id))
        assert horizontal_overflow(phone) <= 0, f"{path} scrolls sideways at 360 px"
    phone.goto("/class")
    load_class_list(phone, next_terms_list)
    assert horizontal_overflow(phone) <= 0, "the preview scrolls sideways at 360 px"


def test_the_printable_view_prints_only_the_discussion(people, app, seed_post_id, make_comment):
    class_with_comments(app, seed_post_id, make_comment)
    page = people.new()
    log_in(page)
    page.goto(f"/class/print?post={seed_post_id}")
    assert page.get_by_role("button", name="Print or save as PDF").is_visible()
    page.emulate_media(media="print")
    for hidden in (".admin-bar", ".site-header", ".site-footer", ".screen-only"):
        assert not page.locator(hidden).first.is_visible(), hidden
    assert page.get_by_role("heading", name=re.compile("^Zoë Martín")).is_visible()
    breaks = page.locator(".print-student").evaluate_all(
        "sections => sections.map(s => getComputedStyle(s).breakBefore)"
    )
    assert breaks[0] == "auto" and set(breaks[1:]) == {"page"}
    pdf = page.pdf()  # what "Save as PDF" in the print dialog makes
    assert pdf.startswith(b"%PDF")


def test_screenshots_of_the_class_screens(people, app, seed_post_id, make_comment, next_terms_list):
    class_with_comments(app, seed_post_id, make_comment)
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    shots = {
        "class-preview": None,
        "participation": f"/class/participation?post={seed_post_id}",
        "printable-discussion": f"/class/print?post={seed_post_id}",
    }
    for width, suffix in ((1280, ""), (360, "-phone")):
        page = people.new(width=width, height=900 if width > 400 else 740)
        log_in(page)
        for name, path in shots.items():
            if path is None:
                page.goto("/class")
                load_class_list(page, next_terms_list)
            else:
                page.goto(path)
            # The printable view as it prints (the print stylesheet), the others as on screen.
            page.emulate_media(media="print" if name == "printable-discussion" else "screen")
            target = SCREENSHOT_DIR / f"{name}{suffix}.png"
            page.screenshot(path=target)
            assert target.read_bytes().startswith(b"\x89PNG")


# Privacy mode


def test_privacy_mode_in_the_browser(people, app, seed_post_id, make_comment):
    """Readers see "First L." in the thread and in the reply form the script opens; the
    instructor sees the full names, marked private. Screenshots at 1280 and 360 px."""
    from app.discussion.discussion_settings import load_settings

    with app.app_context():
        seed_comment = db.session.scalar(db.select(Comment.id))
    start = datetime(2026, 11, 20, 14, 5, tzinfo=UTC)
    reply = make_comment(
        seed_post_id, author_name="Ada Lovelace", parent_id=seed_comment, created_at=start,
        body="The speech was read to a closed session, and still it reached the whole world.",
    )  # fmt: skip
    make_comment(
        seed_post_id, author_name="Mary Ann van der Berg", parent_id=reply,
        created_at=start + timedelta(hours=2),
        body="Because copies went out to party cells across the country and abroad.",
    )  # fmt: skip
    with app.app_context():
        settings = load_settings()
        settings.privacy_mode = True
        db.session.add(settings)
        db.session.commit()
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    for width in (1280, 360):
        reader = people.new(width=width, height=900)
        reader.goto(POST + "#comments")
        thread = reader.locator("ol.comment-list").inner_text()
        assert "Ada L." in thread and "Mary B." in thread
        assert "Lovelace" not in reader.content() and "van der Berg" not in reader.content()
        reader.locator(f"#comment-{reply}").scroll_into_view_if_needed()
        reader.screenshot(path=SCREENSHOT_DIR / f"privacy-post-page-{width}.png")
        reader.get_by_role("link", name="Reply to Ada L.").click()
        assert reader.locator("#reply-title").inner_text().startswith("Leave a Reply to Ada L.")
    instructor = people.new(width=1280, height=900)
    log_in(instructor)
    instructor.goto(POST + f"#comment-{reply}")
    author = instructor.locator(f"#comment-{reply}-author").inner_text()
    assert author.startswith("Ada Lovelace (private; readers see “Ada L.”)")
    instructor.screenshot(path=SCREENSHOT_DIR / "privacy-post-page-instructor-1280.png")
    for width in (1280, 360):
        settings_page = people.new(width=width, height=900)
        log_in(settings_page)
        settings_page.goto("/moderation/settings")
        settings_page.get_by_role("group", name="Privacy").scroll_into_view_if_needed()
        settings_page.screenshot(path=SCREENSHOT_DIR / f"privacy-settings-{width}.png")


# Post first and reporting a comment

WIDTHS = (1280, 360)


def shoot_page(page, name: str, width: int, *, full_page: bool = True) -> None:
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOT_DIR / f"{name}-{width}.png", full_page=full_page)


def test_a_post_first_thread_opens_only_to_a_reader_who_has_posted(people, app, seed_post_id):
    with app.app_context():
        db.session.get(Post, seed_post_id).post_first = True
        db.session.commit()
    for width in WIDTHS:
        stranger = people.new(width=width)
        stranger.goto(POST + "#comments")
        hidden = stranger.locator("#thread-hidden")
        assert hidden.inner_text().startswith("1 comment is hidden until you post your own reply.")
        assert stranger.locator("li.comment").count() == 0
        assert stranger.get_by_role("link", name="Reply to Reader").count() == 0
        shoot_page(stranger, "post-first-hidden", width, full_page=False)

    author = people.new()
    author.goto(POST)
    fill_reply(author, "My own answer, first.", "Nina", "nina@example.com")
    post_comment(author)
    assert author.locator("#thread-hidden").count() == 0
    assert author.get_by_role("link", name="Reply to Reader").is_visible()  # the thread
    assert "My own answer, first." in author.locator("li.comment-held").inner_text()
    author.locator("#comments-title").evaluate("title => title.scrollIntoView()")
    shoot_page(author, "post-first-after-posting", 1280, full_page=False)

    latecomer = people.new()
    latecomer.goto(POST)
    assert latecomer.locator("#thread-hidden").is_visible()
    assert latecomer.get_by_text("My own answer, first.").count() == 0


def test_a_reader_reports_a_comment_without_javascript_and_the_instructor_keeps_it(people):
    for width in WIDTHS:
        reader = people.new(width=width, javascript=False)
        reader.goto(POST)
        reader.get_by_role("link", name="Report the comment by Reader").click()
        reader.get_by_role("heading", name="Report a comment").wait_for()
        if width == 360:
            reader.get_by_role("radio", name="Unkind").check()
        else:
            reader.get_by_role("radio", name="Other").check()
            reader.get_by_label("With “Other”: in a few words (optional)").fill(
                "Gives away the quiz"
            )
        shoot_page(reader, "report-form", width)
        with reader.expect_navigation():
            reader.get_by_role("button", name="Send report").click()
        assert reader.get_by_role("status").inner_text() == (
            "Thanks — the instructor will take a look."
        )
        shoot_page(reader, "report-thanks", width)
        # The same browser again: told so, nothing more stored.
        reader.go_back()
        people.expected_statuses.add(409)
        with reader.expect_navigation():
            reader.get_by_role("button", name="Send report").click()
        assert "You have already reported this comment" in reader.get_by_role("alert").inner_text()

    instructor = people.new()
    log_in(instructor)
    assert count_in(instructor, "Reported") == 1
    for width in WIDTHS:
        instructor.set_viewport_size({"width": width, "height": 900})
        instructor.goto("/moderation?status=reported")
        row = instructor.locator("li.mod-comment")
        assert "Reported by 2 readers: Unkind; Other: “Gives away the quiz”" in row.inner_text()
        shoot_page(instructor, "queue-reported", width)
    instructor.get_by_role(
        "button", name="Keep the comment by Reader and dismiss its reports"
    ).click()
    instructor.locator("#queue-notice").get_by_text("its reports are dismissed").wait_for()
    assert count_in(instructor, "Reported") == 0
    assert instructor.locator("li.mod-comment").count() == 0
