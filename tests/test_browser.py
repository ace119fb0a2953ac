"""A real browser (headless Chromium) against a real server: the script-enhanced reply form,
keyboard moderation, and axe-core accessibility checks."""

from __future__ import annotations

import os

import pytest

from app.extensions import db
from app.models import Comment, CommentStatus
from app.seed import seed_database

from .conftest import INSTRUCTOR_PASSWORD, ON_POSTGRES
from .live_server import gunicorn

CHROMIUM = next(
    (p for p in ("/usr/lib/chromium/chromium", "/usr/bin/chromium") if os.path.exists(p)), None
)
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip

if CHROMIUM is None and os.environ.get("CI", "").lower() == "true":
    raise RuntimeError(
        "Chromium is missing under CI: `make test` installs it (apt-get install chromium)"
    )

pytestmark = [
    pytest.mark.skipif(
        CHROMIUM is None, reason="Chromium is not installed (make test installs it as root)"
    ),
    pytest.mark.sqlite_only("the browser drives one gunicorn server on the test's SQLite file"),
]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def site(app, database_uri, instructor, tmp_path):
    """The seeded blog served by gunicorn, with the instructor account "prof"."""
    assert not ON_POSTGRES
    with app.app_context():
        seed_database()
    with gunicorn(
        database_uri, tmp_path, workers=1, RATELIMIT_ENABLED="false", COMMENT_FLOOD_SECONDS="0"
    ) as server:
        yield f"http://127.0.0.1:{server.port}"


POST = "/posts/the-secret-speech-on-stalins-cult-of-personality-1956/"


def test_reply_link_moves_the_form_and_the_reply_is_held_under_its_parent(app, browser, site):
    page = browser.new_page()
    page.goto(site + POST)
    page.get_by_role("link", name="Reply to Reader").click()
    assert page.locator("#reply-title").inner_text().startswith("Leave a Reply to Reader")
    # The form now sits inside the comment it answers, and the page did not reload.
    assert page.locator("li.comment #respond").count() == 1
    assert "replytocom" not in page.url
    # Accessible names leave out the aria-hidden "*" that marks required fields.
    page.get_by_role("textbox", name="Comment", exact=True).fill(
        "A reply written in a real browser."
    )
    page.get_by_role("textbox", name="Name", exact=True).fill("Browser Reader")
    page.get_by_role("textbox", name="Email", exact=True).fill("browser@example.com")
    with page.expect_navigation():
        page.get_by_role("button", name="Post Comment").click()
    assert "#comment-" in page.url
    held = page.locator("li.comment-held")
    assert "Your comment is awaiting moderation." in held.inner_text()
    assert page.locator("li.comment .children li.comment-held").count() == 1
    with app.app_context():
        reply = db.session.scalars(db.select(Comment).filter_by(author_name="Browser Reader")).one()
        assert reply.parent_id is not None
        assert reply.status is CommentStatus.PENDING
    page.close()


def test_cancel_reply_puts_the_form_back(browser, site):
    page = browser.new_page()
    page.goto(site + POST)
    page.get_by_role("link", name="Reply to Reader").click()
    page.get_by_role("link", name="Cancel reply").click()
    assert page.locator("li.comment #respond").count() == 0
    assert page.locator("#reply-title").inner_text().strip() == "Leave a Reply"
    assert page.locator("#comment_parent").input_value() == ""
    page.close()


def log_in(page, site):
    page.goto(site + "/login")
    page.get_by_label("Username").fill("prof")
    page.get_by_label("Password").fill(INSTRUCTOR_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/moderation")


def test_keyboard_moderation_approves_with_j_then_a(app, browser, site, make_comment):
    with app.app_context():
        post_id = db.session.scalar(db.select(Comment.post_id))
    held = make_comment(post_id, status=CommentStatus.PENDING, body="Approve me by keyboard")
    page = browser.new_page()
    log_in(page, site)
    page.keyboard.press("j")
    assert "is-current" in page.locator(f"#mod-comment-{held}").get_attribute("class")
    with page.expect_navigation():
        page.keyboard.press("a")
    assert "1 comment approved." in page.locator(".flashes").inner_text()
    with app.app_context():
        assert db.session.get(Comment, held).status is CommentStatus.APPROVED
    page.close()


@pytest.mark.parametrize(
    "path", [POST, "/", "/login", "/moderation", "/moderation/settings", POST + "?replytocom=1"]
)
def test_pages_have_no_serious_accessibility_violations(app, browser, site, make_comment, path):
    from axe_playwright_python.sync_playwright import Axe

    with app.app_context():
        post_id = db.session.scalar(db.select(Comment.post_id))
    make_comment(post_id, status=CommentStatus.PENDING, body="Waiting")
    page = browser.new_page()
    if path.startswith("/moderation"):
        log_in(page, site)
    page.goto(site + path)
    results = Axe().run(page)
    serious = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []
    page.close()
