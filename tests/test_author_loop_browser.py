"""The student's loop in a real browser: post asking for email, fix a typo from the private link
on another device, the instructor returns the comment with a note, the student revises, the
instructor approves. Reuses test_browser's server and browser; screenshots of each new state."""

from __future__ import annotations

import email
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

from .test_browser import (  # noqa: F401 (fixtures)
    POST,
    SCREENSHOT_DIR,
    People,
    browser,
    fill_reply,
    log_in,
    people,
    post_comment,
    pytestmark,
    site,
)

NOTE = "Which year was the speech? Please check the date and cite your source."


def shoot(page, name: str) -> None:
    """The page at a laptop's and a phone's width; a phone never scrolls sideways."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=SCREENSHOT_DIR / f"{name}-{width}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name
    page.set_viewport_size(size)


def axe_serious(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    return [v["id"] for v in violations if v["impact"] in ("serious", "critical")]


def wait_for_emails(outbox: Path, to: str, count: int, timeout: float = 15) -> list:
    """The .eml files the server's sender wrote to ``to``, once there are ``count`` of them."""
    deadline = time.monotonic() + timeout
    while True:
        found = [
            email.message_from_bytes(path.read_bytes())
            for path in sorted(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
        ]
        mine = [message for message in found if message["To"] == to]
        if len(mine) >= count or time.monotonic() > deadline:
            return mine
        time.sleep(0.2)


def test_a_student_edits_is_returned_revises_and_is_published(people: People, tmp_path):  # noqa: F811
    # The student posts from the laptop, asking to be emailed.
    laptop = people.new()
    laptop.goto(POST)
    fill_reply(laptop, "Khrushchev spoke in 1965 for four hours.", "Nina", "nina@example.com")
    laptop.get_by_label("Email me about this comment").check()
    post_comment(laptop)
    private_link = laptop.get_by_role("link", name="your comment's private page")
    url = private_link.get_attribute("href")
    # The browser that posted it may edit it from the thread too.
    own = laptop.locator("li.comment-held")
    assert own.get_by_role("link", name="Edit your comment").is_visible()

    # On the phone, from the private link: fix the typo within the window.
    phone = people.new(width=360, height=800)
    phone.goto(url)
    assert "Waiting for the instructor." in phone.locator("main").inner_text()
    phone.get_by_role("link", name="Edit your comment").click()
    assert "You can edit this comment until" in phone.locator(".edit-window").inner_text()
    assert "minutes left" in phone.locator(".edit-window").inner_text()
    shoot(phone, "author-edit-page")
    assert axe_serious(phone) == []
    phone.get_by_label("Your comment").fill("Khrushchev spoke in 1956 for four hours.")
    phone.get_by_role("button", name="Save my edit").click()
    phone.wait_for_url(f"**{url}")
    assert "Your edit is saved" in phone.locator(".flashes").inner_text()

    # The instructor sees the edit, and returns the comment with a note.
    instructor = people.new()
    log_in(instructor)
    row = instructor.locator(".mod-comment", has_text="for four hours")
    assert "Edited by the author" in row.inner_text()
    row.locator("summary", has_text="What changed").click()
    assert row.locator("del", has_text="1965").is_visible()
    assert row.locator("ins", has_text="1956").is_visible()
    row.locator("summary", has_text="Return for revision").click()
    note = row.get_by_label("Private note to Nina: what should they revise?")
    note.fill(NOTE)
    shoot(instructor, "queue-return-note-form")
    row.get_by_role("button", name="Return for revision").click()
    notice = instructor.locator("#queue-notice")
    notice.get_by_text("returned for revision and its author emailed").wait_for()
    assert instructor.locator(".mod-comment", has_text="for four hours").count() == 0
    assert "Returned (1)" in instructor.locator(".filters").inner_text()

    # The note reached the student's inbox (they asked for email) with their link.
    (returned_email,) = [
        m
        for m in wait_for_emails(tmp_path / "outbox", "nina@example.com", 2)
        if "returned" in m["Subject"]
    ]
    text = returned_email.get_payload(decode=True).decode()
    assert NOTE in text
    emailed_link = re.search(r"https?://\S+/my-comment/\S+/", text).group(0)

    # On the laptop that posted it, the thread shows the returned comment with the note.
    laptop.goto(POST)
    returned = laptop.locator("li.comment-held")
    assert "Returned for revision." in returned.inner_text() and NOTE in returned.inner_text()
    assert returned.get_by_role("link", name="Revise your comment").is_visible()
    returned.scroll_into_view_if_needed()
    shoot(laptop, "post-page-returned-in-thread")

    # The student follows the emailed link (on SITE_URL: here, the test server's path), reads
    # the note and revises.
    phone.goto(urlsplit(emailed_link).path)
    url = phone.url
    main = phone.locator("main").inner_text()
    assert "Returned for revision." in main and NOTE in main and "Professor Lee" in main
    shoot(phone, "author-returned-page")
    assert axe_serious(phone) == []
    revision = "Khrushchev spoke on 25 February 1956 for four hours (Taubman, 2003, p. 270)."
    phone.get_by_label("Your comment").fill(revision)
    phone.get_by_role("button", name="Send my revision").click()
    phone.wait_for_url(f"**{url}")
    assert "Waiting for the instructor." in phone.locator("main").inner_text()

    # The instructor sees the revision marked, with what changed, and approves it.
    instructor.goto("/moderation")
    row = instructor.locator(".mod-comment", has_text="for four hours")
    assert "Revised after return" in row.inner_text()
    assert row.locator("ins", has_text="25 February").is_visible()
    shoot(instructor, "queue-revised-diff")
    row.get_by_role("button", name="Approve the comment by Nina").click()
    notice.get_by_text("1 comment approved.").wait_for()

    phone.goto(url)
    assert "Published." in phone.locator("main").inner_text()
    # And the approval reached her inbox: three emails in all (posted, returned, published).
    subjects = [m["Subject"] for m in wait_for_emails(tmp_path / "outbox", "nina@example.com", 3)]
    assert len(subjects) == 3 and "is published" in subjects[-1]
    stranger = people.new()
    stranger.goto(POST)
    assert stranger.get_by_text(revision).count() == 1


def test_screenshot_of_the_return_note_page(people: People):  # noqa: F811
    people.expected_statuses.add(400)  # the note left out on purpose
    page = people.new()
    log_in(page)
    page.goto("/moderation?status=approved")
    row = page.locator(".mod-comment").first
    comment_id = row.get_attribute("data-id")
    page.goto(f"/moderation/comments/{comment_id}/return?next=/moderation")
    page.get_by_role("button", name="Return for revision").click()
    assert "Write a note to the author" in page.locator("main").inner_text()
    shoot(page, "return-note-page-error")
    assert axe_serious(page) == []
