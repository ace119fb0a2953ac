"""The Posts screen and the editor, through the test client: every use case and refusal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.models import BodyFormat, OldSlug, Post, PostStatus

from .conftest import csrf_token_from


def editor_form(client, url: str = "/editor/new", **fields: str) -> dict[str, str]:
    """The editor's fields as the page holds them, with ``fields`` typed over them."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    data = {
        "csrf_token": csrf_token_from(page.text),
        "title": "A new post",
        "slug": "",
        "author_name": "Professor Lee",
        "body": "Hello *class*.\n\nSecond paragraph.",
        "excerpt": "",
        "publish_at": "",
        "comments_open": "y",
        "close_after_days": "",
    }
    version = page.text.split('name="edit_version" type="hidden" value="', 1)
    if len(version) == 2:
        data["edit_version"] = version[1].split('"', 1)[0]
    data.update(fields)
    return data


def stored_post(app, slug: str | None = None) -> Post:
    with app.app_context():
        post = db.session.scalar(
            db.select(Post).order_by(Post.id.desc()).where(Post.slug == slug if slug else True)
        )
        db.session.expunge_all()
        return post


@pytest.mark.parametrize("url", ["/editor/", "/editor/new", "/editor/1"])
def test_the_editor_is_for_the_instructor_only(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_the_instructor_bar_links_to_posts(moderator):
    assert 'href="/editor/"' in moderator.get("/").text


def test_a_new_post_is_a_draft_until_published(app, moderator, client):
    saved = moderator.post("/editor/new", data=editor_form(moderator, save="Save draft"))
    assert saved.status_code == 302
    post = stored_post(app)
    assert (post.status, post.body_format, post.slug) == (
        PostStatus.DRAFT,
        BodyFormat.MARKDOWN,
        "a-new-post",
    )
    assert post.author_name == "Professor Lee"
    url = f"/editor/{post.id}"
    published = moderator.post(url, data=editor_form(moderator, url, publish="Publish"))
    assert published.status_code == 302
    assert stored_post(app).status is PostStatus.PUBLISHED
    moderator.post("/logout", data={"csrf_token": csrf_token_from(moderator.get("/").text)})
    front = client.get("/").text
    assert "A new post" in front and "Hello class." in front
    page = client.get("/posts/a-new-post/").text
    assert "<p>Hello <em>class</em>.</p>" in page


def test_preview_shows_the_rendered_post_and_saves_nothing(app, moderator):
    data = editor_form(
        moderator, body="# Heading\n\n<script>x()</script>\n\n**bold**", preview="Preview"
    )
    response = moderator.post("/editor/new", data=data)
    assert response.status_code == 200
    assert "<h2>Heading</h2>" in response.text and "<strong>bold</strong>" in response.text
    assert "<script>x()" not in response.text
    assert "**bold**" in response.text  # the text stays in the form
    assert stored_post(app) is None


def test_a_future_date_schedules_the_post(app, moderator, client):
    later = (datetime.now(UTC) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    moderator.post("/editor/new", data=editor_form(moderator, publish_at=later, publish="Publish"))
    post = stored_post(app)
    assert post.status is PostStatus.PUBLISHED and post.published_at > datetime.now(UTC)
    assert "Scheduled" in moderator.get("/editor/").text
    moderator.post("/logout", data={"csrf_token": csrf_token_from(moderator.get("/").text)})
    assert "A new post" not in client.get("/").text
    assert client.get(f"/posts/{post.slug}/").status_code == 404


@pytest.mark.app_config(SITE_TIMEZONE="America/New_York")
def test_the_publish_time_is_read_in_the_site_time_zone(app, moderator):
    data = editor_form(moderator, publish_at="2024-07-01T09:30", publish="Publish")
    moderator.post("/editor/new", data=data)
    assert stored_post(app).published_at == datetime(2024, 7, 1, 13, 30, tzinfo=UTC)
    page = moderator.get(f"/editor/{stored_post(app).id}").text
    assert 'value="2024-07-01T09:30"' in page


def test_a_failed_save_keeps_the_text(app, moderator):
    data = editor_form(moderator, title="", body="My precious paragraph.", publish="Publish")
    response = moderator.post("/editor/new", data=data)
    assert response.status_code == 400
    assert "Give the post a title." in response.text
    assert "My precious paragraph." in response.text
    assert stored_post(app) is None


def test_an_expired_session_keeps_the_text(app, moderator):
    data = editor_form(moderator, body="Written slowly.", save="Save draft")
    data["csrf_token"] = "expired"
    response = moderator.post("/editor/new", data=data)
    assert response.status_code == 400
    assert "Your session expired" in response.text and "Written slowly." in response.text
    assert stored_post(app) is None


def test_a_logged_out_save_keeps_the_text(app, moderator):
    data = editor_form(moderator, body="Written before the logout.", save="Save draft")
    moderator.post("/logout", data={"csrf_token": csrf_token_from(moderator.get("/").text)})
    response = moderator.post("/editor/new", data=data)
    assert response.status_code == 401
    assert "You were logged out" in response.text
    assert "Written before the logout." in response.text
    assert stored_post(app) is None


def test_a_second_tab_that_saved_meanwhile_is_detected(app, moderator):
    moderator.post("/editor/new", data=editor_form(moderator, save="Save draft"))
    url = f"/editor/{stored_post(app).id}"
    first_tab = editor_form(moderator, url, body="First tab's text.", save="Save draft")
    second_tab = editor_form(moderator, url, body="Second tab's text.", save="Save draft")
    assert moderator.post(url, data=second_tab).status_code == 302
    conflict = moderator.post(url, data=first_tab)
    assert conflict.status_code == 409
    assert "saved elsewhere" in conflict.text
    assert "First tab&#39;s text." in conflict.text and "Second tab&#39;s text." in conflict.text
    assert stored_post(app).body == "Second tab's text."
    # The instructor chooses their own: it is saved over the other, knowingly.
    overwrite_version = conflict.text.split('name="overwrite_version" type="hidden" value="')[1]
    first_tab |= {"overwrite_version": overwrite_version.split('"')[0], "overwrite": "yes"}
    del first_tab["save"]
    assert moderator.post(url, data=first_tab).status_code == 302
    assert stored_post(app).body == "First tab's text."


def test_a_slug_in_use_is_refused(app, moderator, make_post):
    make_post(slug="taken")
    response = moderator.post("/editor/new", data=editor_form(moderator, slug="taken", save="x"))
    assert response.status_code == 400
    assert "Another post already uses this address" in response.text


def test_a_published_post_keeps_its_old_address(app, moderator, client, make_post):
    post_id = make_post(slug="first-name", title="Renamed")
    url = f"/editor/{post_id}"
    moderator.post(url, data=editor_form(moderator, url, slug="second-name", update="Update"))
    moderator.post("/logout", data={"csrf_token": csrf_token_from(moderator.get("/").text)})
    moved = client.get("/posts/first-name/")
    assert moved.status_code == 301
    assert moved.headers["Location"] == "/posts/second-name/"
    assert client.get("/posts/second-name/").status_code == 200
    with app.app_context():
        assert db.session.scalar(db.select(OldSlug.post_id)) == post_id


def test_editing_a_published_post_moves_its_page(app, moderator, client, make_post):
    post_id = make_post(slug="p", title="Before", body="Old words.")
    assert "Old words." in client.get("/posts/p/").text
    url = f"/editor/{post_id}"
    moderator.post(
        url, data=editor_form(moderator, url, title="After", body="New words.", update="Update")
    )
    moderator.post("/logout", data={"csrf_token": csrf_token_from(moderator.get("/").text)})
    page = client.get("/posts/p/").text
    assert "New words." in page and "Old words." not in page
    assert "After" in client.get("/").text


def test_the_seeded_post_stays_plain_when_edited(app, moderator, seeded):
    with app.app_context():
        post = db.session.scalar(db.select(Post))
        post_id, body, html = post.id, post.body, None
    before = moderator.get(f"/posts/{stored_post(app).slug}/").text
    url = f"/editor/{post_id}"
    data = editor_form(moderator, url)
    page = moderator.get(url).text
    assert "Plain text" in page
    data.update(title=stored_post(app).title, body=body, update="Update")
    data["slug"] = stored_post(app).slug
    data["author_name"] = stored_post(app).author_name
    assert moderator.post(url, data=data).status_code == 302
    assert stored_post(app).body_format is BodyFormat.PLAIN
    after = moderator.get(f"/posts/{stored_post(app).slug}/").text
    html = before.split('<div class="entry-content">')[1].split("</div>")[0]
    assert html == after.split('<div class="entry-content">')[1].split("</div>")[0]


def test_unpublish_trash_and_restore(app, moderator, client, make_post):
    post_id = make_post(slug="p", title="Going")
    url = f"/editor/{post_id}"
    moderator.post(url, data=editor_form(moderator, url, title="Going", unpublish="Unpublish"))
    assert stored_post(app).status is PostStatus.DRAFT
    token = csrf_token_from(moderator.get("/editor/").text)
    assert moderator.post(f"{url}/trash", data={"csrf_token": token}).status_code == 302
    assert stored_post(app).status is PostStatus.TRASH
    assert "Going" in moderator.get("/editor/?status=trash").text
    assert "Going" not in moderator.get("/editor/").text
    moderator.post(f"{url}/restore", data={"csrf_token": token})
    assert stored_post(app).status is PostStatus.DRAFT
    assert moderator.get(f"{url}/trash").status_code == 405  # never by GET


def test_the_list_counts_comments_and_searches(app, moderator, make_post, make_comment):
    from app.models import CommentStatus

    post_id = make_post(title="Counted")
    make_post(title="Other")
    make_comment(post_id)
    make_comment(post_id, status=CommentStatus.PENDING)
    make_comment(post_id, status=CommentStatus.PENDING)
    page = moderator.get("/editor/?q=Count").text
    assert "Counted" in page and "Other" not in page
    assert "2 pending" in page
    assert moderator.get("/editor/?status=nonsense").status_code == 404


def test_trash_without_a_token_changes_nothing(app, moderator, make_post):
    post_id = make_post()
    assert moderator.post(f"/editor/{post_id}/trash").status_code == 400
    assert stored_post(app).status is PostStatus.PUBLISHED


def test_a_new_post_gets_a_free_slug_from_its_title(app, moderator, make_post):
    make_post(slug="a-new-post")
    moderator.post("/editor/new", data=editor_form(moderator, save="Save draft"))
    assert stored_post(app).slug == "a-new-post-2"


def test_an_update_keeps_the_exact_publish_time(app, moderator, make_post):
    exact = datetime(2024, 3, 1, 12, 0, 37, tzinfo=UTC)
    post_id = make_post(slug="p", title="Exact", published_at=exact)
    url = f"/editor/{post_id}"
    page = moderator.get(url).text
    assert 'value="2024-03-01T12:00"' in page
    data = editor_form(moderator, url, title="Exact", slug="p", publish_at="2024-03-01T12:00")
    moderator.post(url, data=data | {"update": "y"})
    assert stored_post(app).published_at == exact
