# ruff: noqa: F811 (the fixtures imported from test_browser are parameters here)
"""The moderation queue in headless Chromium: cleared from the keyboard without a page load, the
same result through the forms without JavaScript, selection, undo, errors, density and axe.

Reuses test_browser's server, browser and per-person contexts (console errors and CSP violations
fail every test here too).
"""

from __future__ import annotations

import re
import time

import pytest

from app.extensions import db
from app.models import Comment, CommentStatus

from .conftest import csrf_token_from
from .test_browser import (  # noqa: F401 (fixtures)
    POST,
    SCREENSHOT_DIR,
    browser,
    count_in,
    log_in,
    people,
    pytestmark,
    site,
)

SPAM_WORDS = "cheap essay writing"
CURRENT_ROW = """() => {
  const row = document.querySelector(".mod-comment[aria-current=true]");
  return row && { id: row.dataset.id, text: row.innerText, focused: document.activeElement === row };
}"""


def held_comments_from_readers(app, count: int, spam_every: int = 10) -> None:
    """``count`` readers each post a first comment through the public form, so the rules hold
    every one ("First comment from this author"); every ``spam_every``-th is an advert."""
    client = app.test_client()
    for n in range(1, count + 1):
        body = (
            f"Get your {SPAM_WORDS} done today, reader {n}!"
            if n % spam_every == 0
            else f"Reader {n} thinks the speech was about power, not truth."
        )
        page = client.get(POST)
        response = client.post(
            f"{POST}comments",
            data={
                "csrf_token": csrf_token_from(page.text),
                "body": body,
                "author_name": f"Reader {n}",
                "author_email": f"reader{n}@example.com",
                "author_url": "",
            },
            environ_base={"REMOTE_ADDR": f"192.0.2.{n}"},
        )
        assert response.status_code == 302, response.text
    with app.app_context():
        held = db.session.scalar(
            db.select(db.func.count(Comment.id)).filter_by(status=CommentStatus.PENDING)
        )
    assert held == count


def count_navigations(page) -> list[str]:
    """Every main-frame navigation from now on (a full page load, a form's redirect...)."""
    navigations: list[str] = []
    page.on(
        "framenavigated", lambda frame: frame == page.main_frame and navigations.append(frame.url)
    )
    return navigations


def current_row(page) -> dict | None:
    return page.evaluate(CURRENT_ROW)


def wait_until_gone(page, comment_id: str) -> None:
    page.wait_for_function(
        "id => !document.getElementById('mod-comment-' + id)", arg=comment_id, timeout=10_000
    )


def notice_says(page, text: str) -> None:
    """Wait until the queue's notice (its live region) says ``text``."""
    page.locator("#queue-notice .notice-message", has_text=text).wait_for()


def check_the_outcome(page, app, *, approved: int, spam: int) -> None:
    page.goto("/moderation")
    assert count_in(page, "Pending") == 0
    assert count_in(page, "Approved") == approved + 1  # with the seed post's comment
    assert count_in(page, "Spam") == spam
    assert page.locator(".admin-bar .pending-count").inner_text() == "0"
    reader = app.test_client().get(POST).text
    assert SPAM_WORDS not in reader
    assert reader.count("thinks the speech was about power") == approved


# Measured: 50 held comments, cleared


def test_fifty_held_comments_are_cleared_with_one_key_each_and_no_page_load(people, app):
    held_comments_from_readers(app, 50)
    page = people.new(width=1280, height=800)
    log_in(page)
    page.goto("/moderation")
    assert count_in(page, "Pending") == 50
    assert page.get_by_text("Page 1 of 3").is_visible()
    assert current_row(page) is None  # on load no row is current
    navigations = count_navigations(page)

    keys = 0
    started = time.perf_counter()
    page.keyboard.press("j")
    keys += 1
    approved = spam = 0
    while (row := current_row(page)) is not None:
        assert row["focused"]
        is_advert = SPAM_WORDS in row["text"]
        page.keyboard.press("s" if is_advert else "a")
        keys += 1
        spam, approved = spam + is_advert, approved + (not is_advert)
        wait_until_gone(page, row["id"])
        assert keys <= 60
    elapsed = time.perf_counter() - started

    assert (approved, spam) == (45, 5)
    assert page.locator(".mod-comment").count() == 0
    assert page.get_by_text("No comments here.").is_visible()
    assert page.locator(".pagination").count() == 0  # "Page 1 of 3" went with the rows
    assert page.locator(".admin-bar .pending-count").inner_text() == "0"
    assert navigations == []
    print(
        f"\nQueue cleared with JavaScript: {keys} key presses, {len(navigations)} navigations, "
        f"{elapsed:.1f} s for 50 comments"
    )
    check_the_outcome(page, app, approved=45, spam=5)


def test_fifty_held_comments_are_cleared_through_the_forms_without_javascript(people, app):
    held_comments_from_readers(app, 50)
    page = people.new(width=1280, height=800, javascript=False)
    log_in(page)
    navigations = count_navigations(page)
    started = time.perf_counter()
    while page.locator(".mod-comment").count():
        row = page.locator(".mod-comment").first
        name = row.locator(".mod-author").inner_text()
        action = "Spam" if SPAM_WORDS in row.inner_text() else "Approve"
        with page.expect_navigation():
            row.get_by_role("button", name=f"{action} the comment by {name}").click()
    elapsed = time.perf_counter() - started
    assert len(navigations) == 50  # one page load per comment (the POST's redirect)
    print(
        f"\nQueue cleared without JavaScript: 50 clicks, {len(navigations)} navigations, "
        f"{elapsed:.1f} s for 50 comments"
    )
    check_the_outcome(page, app, approved=45, spam=5)


def test_six_rows_fit_a_laptop_screen_and_show_why_each_was_held(people, app):
    held_comments_from_readers(app, 10)
    page = people.new(width=1280, height=800)
    log_in(page)
    page.goto("/moderation")  # as it is every time after the first, without "Logged in"
    visible = page.evaluate(
        """() => [...document.querySelectorAll('.mod-comment')]
              .filter(row => row.getBoundingClientRect().bottom <= window.innerHeight).length"""
    )
    print(f"\nRows fully visible at 1280×800: {visible}")
    assert visible >= 6
    first = page.locator(".mod-comment").first
    assert "First comment from this author" in first.inner_text()
    assert "0 approved, 0 spam" in first.inner_text()
    approve = first.get_by_role("button", name=re.compile("^Approve"))
    edit = first.get_by_role("link", name=re.compile("^Edit"))
    colour = "el => getComputedStyle(el).backgroundColor"
    assert approve.evaluate(colour) != edit.evaluate(colour)  # the primary action stands out


# Selection, bulk keys, undo, edit and reply


def test_selection_bulk_keys_and_undo_many_steps(people, app):
    held_comments_from_readers(app, 6, spam_every=100)
    page = people.new()
    log_in(page)
    navigations = count_navigations(page)
    page.keyboard.press("u")  # no current row yet: nothing happens
    page.keyboard.press("j")
    page.keyboard.press("u")  # does not apply to a pending comment: nothing happens
    assert page.locator("#queue-notice").inner_text() == ""
    page.keyboard.press("x")
    page.keyboard.press("J")
    page.keyboard.press("J")
    assert page.locator(".selected-count").inner_text() == "3 selected"
    page.keyboard.press("A")
    notice_says(page, "3 comments approved.")
    assert count_in(page, "Pending") == 3
    assert page.locator(".admin-bar .pending-count").inner_text() == "3"
    assert page.locator(".selected-count").inner_text() == ""

    first = current_row(page)
    page.keyboard.press("t")
    wait_until_gone(page, first["id"])
    assert count_in(page, "Trash") == 1
    page.keyboard.press("z")  # back out of the Trash
    notice_says(page, "Undone: 1 comment back to the status before.")
    page.wait_for_selector(f"#mod-comment-{first['id']}")
    assert count_in(page, "Trash") == 0
    page.keyboard.press("z")  # and the bulk approval before it
    notice_says(page, "Undone: 3 comments back to the status before.")
    assert count_in(page, "Pending") == 6
    assert page.locator(".mod-comment").count() == 6
    assert navigations == []

    page.get_by_role("button", name="Apply").click()
    notice_says(page, "Choose a bulk action first.")
    page.get_by_label("Bulk action").select_option(label="Trash")
    page.get_by_role("button", name="Apply").click()
    notice_says(page, "No comments are selected")
    page.get_by_label("Select all").check()
    assert page.locator(".selected-count").inner_text() == "6 selected"
    page.get_by_label("Select all").uncheck()
    boxes = page.locator(".mod-select input")
    boxes.nth(1).click()
    boxes.nth(4).click(modifiers=["Shift"])
    assert page.locator(".selected-count").inner_text() == "4 selected"


def test_edit_and_reply_in_place_return_focus_to_the_row(people, app):
    held_comments_from_readers(app, 3, spam_every=100)
    page = people.new()
    log_in(page)
    navigations = count_navigations(page)
    page.keyboard.press("j")
    row_id = current_row(page)["id"]
    page.keyboard.press("e")
    body = page.locator(f"#mod-comment-{row_id} .edit-in-place textarea")
    body.wait_for()
    assert page.evaluate("document.activeElement.tagName") == "TEXTAREA"
    body.fill("Corrected by the instructor. jjjj aaaa")  # typing in a field fires no shortcut
    page.locator(f"#mod-comment-{row_id}").get_by_role("button", name="Save").click()
    notice_says(page, "was saved.")
    assert "Corrected by the instructor." in page.locator(f"#mod-comment-{row_id}").inner_text()
    assert current_row(page) == {**current_row(page), "id": row_id, "focused": True}

    page.keyboard.press("r")
    page.keyboard.type("Thank you: approved.")
    page.locator(f"#mod-comment-{row_id}").get_by_role("button", name="Approve and Reply").click()
    notice_says(page, "Your reply to")
    wait_until_gone(page, row_id)  # approved: it left Pending
    assert current_row(page)["focused"]
    assert count_in(page, "Pending") == 2
    assert navigations == []
    assert "Thank you: approved." in app.test_client().get(POST).text


def test_d_deletes_permanently_only_in_spam_and_asks_first(people, app):
    held_comments_from_readers(app, 2, spam_every=1)
    page = people.new()
    log_in(page)
    page.keyboard.press("j")
    page.keyboard.press("d")  # not in Pending: nothing happens, nothing is asked
    for _ in range(2):
        row = current_row(page)
        page.keyboard.press("s")
        wait_until_gone(page, row["id"])
    with page.expect_navigation():  # and its script loaded, before the keys
        page.get_by_role("link", name="Spam (2)").click()
    page.keyboard.press("j")
    asked: list[str] = []
    answer = {"accept": False}

    def reply(dialog) -> None:
        asked.append(dialog.message)
        dialog.accept() if answer["accept"] else dialog.dismiss()

    page.on("dialog", reply)
    page.keyboard.press("d")  # and cancel
    assert asked == ["Delete this comment permanently? This cannot be undone."]
    assert page.locator(".mod-comment").count() == 2
    answer["accept"] = True
    page.keyboard.press("d")
    notice_says(page, "1 comment deleted permanently.")
    assert count_in(page, "Spam") == 1


# Bad input: a stale page, a deleted comment, an expired session, the network, a double press


def test_a_stale_row_is_refreshed_with_a_message_and_errors_keep_the_row(people, app):
    held_comments_from_readers(app, 3, spam_every=100)
    page, other_tab = people.new(), people.new()
    log_in(page)
    log_in(other_tab)
    ids = page.locator(".mod-comment").evaluate_all("rows => rows.map(r => r.dataset.id)")
    other_tab.get_by_role("button", name="Approve the comment by Reader 3").click()
    notice_says(other_tab, "1 comment approved.")

    page.keyboard.press("j")
    page.keyboard.press("a")  # Reader 3's, approved in the other tab
    notice_says(page, "Nothing changed: the comment by Reader 3 is approved now")
    wait_until_gone(page, ids[0])  # it left Pending; Reader 2's row is current
    assert current_row(page)["id"] == ids[1]
    with app.app_context():  # deleted meanwhile, as by Empty Trash in another tab
        db.session.delete(db.session.get(Comment, int(ids[1])))
        db.session.commit()
    page.keyboard.press("s")
    notice_says(page, "That comment no longer exists: it was deleted meanwhile.")
    wait_until_gone(page, ids[1])
    assert current_row(page)["id"] == ids[2]

    page.context.set_offline(True)
    page.keyboard.press("a")
    notice_says(page, "Could not reach the server")
    assert page.locator(f"#mod-comment-{ids[2]}").is_visible()
    page.context.set_offline(False)
    # Chromium logs the refused request; that one error is the point of this step.
    people.problems[:] = [p for p in people.problems if "ERR_INTERNET_DISCONNECTED" not in p]

    people.expected_statuses.add(400)
    page.context.clear_cookies()  # the session is gone, as after a logout in another tab
    page.keyboard.press("a")
    notice_says(page, "This page has expired")
    assert page.locator(f"#mod-comment-{ids[2]}").is_visible()
    with app.app_context():
        assert db.session.get(Comment, int(ids[2])).status is CommentStatus.PENDING


def test_a_double_pressed_key_acts_once(people, app):
    held_comments_from_readers(app, 3, spam_every=100)
    page = people.new()
    log_in(page)
    # A slow network (Chromium's own emulation), so the second press comes while the first
    # action is still on its way, as it does for a person on a real connection.
    page.context.new_cdp_session(page).send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 600, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    posts: list[str] = []
    page.on("request", lambda request: request.method == "POST" and posts.append(request.url))
    page.keyboard.press("j")
    first = current_row(page)["id"]
    page.keyboard.press("a")
    page.keyboard.press("a")
    notice_says(page, "1 comment approved.")
    wait_until_gone(page, first)
    assert posts == [f"{page.url}/comments/{first}/approve"]  # the second press sent nothing
    assert count_in(page, "Pending") == 2
    with app.app_context():
        approved = db.session.scalar(
            db.select(db.func.count(Comment.id)).filter_by(status=CommentStatus.APPROVED)
        )
    assert approved == 2  # the seed comment and one of ours


# Accessibility, validity of the states the script builds, screenshots


def queue_with_selection_and_notice(page) -> None:
    page.keyboard.press("j")
    page.keyboard.press("a")
    notice_says(page, "1 comment approved.")
    page.keyboard.press("x")
    page.keyboard.press("J")
    assert page.locator(".selected-count").inner_text() == "2 selected"


def queue_with_the_legend_open(page) -> None:
    page.keyboard.press("?")
    assert page.get_by_role("cell", name="Unapprove").is_visible()


@pytest.mark.parametrize(
    "prepare",
    [queue_with_selection_and_notice, queue_with_the_legend_open],
    ids=lambda f: f.__name__,
)
def test_axe_finds_no_serious_violation_in_each_queue_state(people, app, prepare):
    from axe_playwright_python.sync_playwright import Axe

    held_comments_from_readers(app, 4, spam_every=100)
    page = people.new()
    log_in(page)
    prepare(page)
    violations = Axe().run(page).response["violations"]
    serious = [
        (v["id"], [n["target"] for n in v["nodes"]])
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == []


def test_screenshots_of_the_queue_at_work(people, app):
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    held_comments_from_readers(app, 12)
    for width, height, suffix in ((1280, 800, ""), (360, 740, "-phone")):
        page = people.new(width=width, height=height)
        log_in(page)
        page.goto("/moderation")  # as on every visit but the first, without "Logged in as"
        queue_with_selection_and_notice(page)
        page.screenshot(path=SCREENSHOT_DIR / f"queue-selection-notice{suffix}.png")
        page.keyboard.press("?")
        page.locator("#legend").scroll_into_view_if_needed()
        page.screenshot(path=SCREENSHOT_DIR / f"queue-legend{suffix}.png")
    assert (SCREENSHOT_DIR / "queue-legend-phone.png").read_bytes().startswith(b"\x89PNG")
