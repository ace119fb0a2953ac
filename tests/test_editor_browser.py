"""The Posts screen and the editor in a real browser: write Markdown, preview, publish, schedule,
change a slug, and two tabs saving the same post. Reuses test_browser's server and browser."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import feedparser
import pytest

from .test_browser import (  # noqa: F401 (fixtures)
    SCREENSHOT_DIR,
    People,
    browser,
    click_and_wait,
    log_in,
    people,
    pytestmark,
    site,
)

MARKDOWN = """Our **first** reading is *Animal Farm*.

## Questions

1. Who is Napoleon?
2. Why "four legs good"?

| Chapter | Pages |
|---------|-------|
| 1       | 1–12  |

See the notes[^1].

[^1]: Bring the book on Monday.
"""


def open_new_post(page) -> None:
    page.goto("/editor/")
    click_and_wait(page, page.get_by_role("link", name="Write a new post"))


def fill_post(page, title: str, body: str = MARKDOWN) -> None:
    page.get_by_label("Title").fill(title)
    page.get_by_label("Body").fill(body)


def test_the_instructor_writes_previews_and_publishes_a_markdown_post(people: People, site):
    instructor, reader = people.new(), people.new()
    log_in(instructor)
    assert instructor.get_by_role("link", name="Posts").is_visible()
    open_new_post(instructor)
    fill_post(instructor, "Reading week: Animal Farm")
    assert (
        instructor.get_by_label("Slug").get_attribute("placeholder") == "reading-week-animal-farm"
    )
    assert instructor.get_by_label("Byline").input_value() == "Professor Lee"

    click_and_wait(instructor, instructor.get_by_role("button", name="Preview"))
    preview = instructor.locator("#post-preview")
    assert preview.get_by_role("heading", name="Questions").is_visible()
    assert preview.locator("td", has_text="1–12").is_visible()
    assert preview.get_by_text("“four legs good”").is_visible()  # smart quotes
    assert instructor.get_by_label("Body").input_value().startswith("Our **first**")
    reader.goto("/")
    assert reader.get_by_text("Reading week: Animal Farm").count() == 0  # preview saves nothing

    click_and_wait(instructor, instructor.get_by_role("button", name="Publish"))
    assert "Published." in instructor.locator(".flashes").inner_text()

    reader.goto("/")
    click_and_wait(reader, reader.get_by_role("link", name="Reading week: Animal Farm", exact=True))
    assert reader.url.endswith("/posts/reading-week-animal-farm/")
    assert reader.locator(".entry-content strong", has_text="first").is_visible()
    assert reader.get_by_text("Bring the book on Monday.").is_visible()
    feed = feedparser.parse(reader.request.get(f"{site}/feed/").body())
    assert not feed.bozo and feed.entries[0].title == "Reading week: Animal Farm"


def test_a_scheduled_post_stays_hidden_from_readers(people: People):
    instructor, reader = people.new(), people.new()
    people.expected_statuses.add(404)
    log_in(instructor)
    open_new_post(instructor)
    fill_post(instructor, "Next week's reading", "Coming soon.")
    later = (datetime.now(UTC) + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    instructor.get_by_label("Publish on").fill(later)
    click_and_wait(instructor, instructor.get_by_role("button", name="Publish"))
    assert "Scheduled" in instructor.locator(".flashes").inner_text()
    instructor.goto("/editor/?status=scheduled")
    assert instructor.get_by_role("link", name="Next week's reading").is_visible()

    reader.goto("/")
    assert reader.get_by_text("Next week's reading").count() == 0
    assert reader.goto("/posts/next-weeks-reading/").status == 404


def test_changing_a_published_slug_redirects_the_old_address(people: People):
    instructor, reader = people.new(), people.new()
    log_in(instructor)
    open_new_post(instructor)
    fill_post(instructor, "Essay prompts", "Pick one.")
    click_and_wait(instructor, instructor.get_by_role("button", name="Publish"))
    reader.goto("/posts/essay-prompts/")

    instructor.get_by_label("Slug").fill("essay-prompts-term-2")
    click_and_wait(instructor, instructor.get_by_role("button", name="Update"))
    response = reader.goto("/posts/essay-prompts/")
    assert reader.url.endswith("/posts/essay-prompts-term-2/")
    assert response.request.redirected_from.url.endswith("/posts/essay-prompts/")
    assert reader.get_by_role("heading", name="Essay prompts", exact=True).is_visible()


def test_two_tabs_saving_the_same_post_never_overwrite_silently(people: People):
    people.expected_statuses.add(409)
    first = people.new()
    log_in(first)
    open_new_post(first)
    fill_post(first, "Shared draft", "Version zero.")
    click_and_wait(first, first.get_by_role("button", name="Save draft"))
    editor_url = first.url
    second = first.context.new_page()
    second.goto(editor_url)

    second.get_by_label("Body").fill("Written in the second tab.")
    click_and_wait(second, second.get_by_role("button", name="Save draft"))
    first.get_by_label("Body").fill("Written in the first tab.")
    click_and_wait(first, first.get_by_role("button", name="Save draft"))

    assert "saved elsewhere" in first.locator("#form-errors").inner_text()
    assert first.locator(".conflict-body").inner_text() == "Written in the second tab."
    assert first.get_by_label("Body").input_value() == "Written in the first tab."
    click_and_wait(first, first.get_by_role("button", name="Save mine over theirs"))
    assert "Draft saved" in first.locator(".flashes").inner_text()
    second.reload()
    assert second.get_by_label("Body").input_value() == "Written in the first tab."


@pytest.mark.parametrize("width", [1280, 360])
def test_screenshots_of_the_posts_list_and_the_editor(people: People, width: int):
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page = people.new(width=width, height=900)
    log_in(page)
    open_new_post(page)
    fill_post(page, "Reading week: Animal Farm")
    page.get_by_label("Excerpt").fill("Questions for Monday's discussion.")
    click_and_wait(page, page.get_by_role("button", name="Publish"))
    page.goto("/editor/")
    page.screenshot(path=SCREENSHOT_DIR / f"posts-list-{width}.png", full_page=True)
    open_new_post(page)
    fill_post(page, "Reading week 2: Orwell's essays")
    click_and_wait(page, page.get_by_role("button", name="Preview"))
    page.screenshot(path=SCREENSHOT_DIR / f"editor-preview-{width}.png", full_page=True)
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.mark.parametrize("path", ["/editor/", "/editor/new", "/editor/import"])
def test_axe_finds_no_serious_violations_on_the_posts_screens(people: People, path: str):
    from axe_playwright_python.sync_playwright import Axe

    page = people.new()
    log_in(page)
    page.goto(path)
    violations = Axe().run(page).response["violations"]
    serious = [v["id"] for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == []
