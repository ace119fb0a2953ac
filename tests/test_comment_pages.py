"""Comment pages: N top-level comments per page with their replies, permalinks to the page that
holds a comment, and a page whose cost does not grow with the discussion."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import CommentStatus, DiscussionSettings

from .conftest import count_queries


def set_paging(app, per_page: int | None, newest_first: bool = False) -> None:
    with app.app_context():
        settings = db.session.get(DiscussionSettings, 1) or DiscussionSettings(id=1)
        settings.comments_per_page = per_page
        settings.newest_comments_first = newest_first
        db.session.add(settings)
        db.session.commit()


@pytest.fixture
def discussion(make_post, make_comment) -> dict[str, int]:
    """Five top-level comments, oldest first; the third has a reply three deep; one held."""
    post = make_post(slug="p")
    ids = {f"top{n}": make_comment(post, body=f"Top {n}.") for n in range(1, 6)}
    ids["reply"] = make_comment(post, parent_id=ids["top3"], body="Reply to 3.")
    ids["deep"] = make_comment(post, parent_id=ids["reply"], body="Deep reply.")
    ids["held"] = make_comment(post, status=CommentStatus.PENDING, body="Held.")
    return ids


def test_paging_is_off_by_default(client, discussion):
    page = client.get("/posts/p/").text
    assert all(f"Top {n}." in page for n in range(1, 6))
    assert "Comment pages" not in page
    assert client.get("/posts/p/comment-page-2/").status_code == 404


def test_pages_hold_n_top_level_comments_with_their_replies(app, client, discussion):
    set_paging(app, 2)
    first = client.get("/posts/p/").text
    assert "Top 1." in first and "Top 2." in first and "Top 3." not in first
    assert "7 thoughts on" in first  # the heading counts every approved comment
    assert 'href="/posts/p/comment-page-2/#comments"' in first
    second = client.get("/posts/p/comment-page-2/").text
    assert all(text in second for text in ("Top 3.", "Reply to 3.", "Deep reply.", "Top 4."))
    assert "Top 1." not in second and "Held." not in second
    assert 'href="/posts/p/comment-page-1/#comments"' in second
    assert 'href="/posts/p/comment-page-3/#comments"' in second
    assert "Top 5." in client.get("/posts/p/comment-page-3/").text
    for missing in (0, 4, 99):
        assert client.get(f"/posts/p/comment-page-{missing}/").status_code == 404


def test_the_newest_page_can_come_first(app, client, discussion):
    set_paging(app, 2, newest_first=True)
    page = client.get("/posts/p/").text
    assert "Top 5." in page and "Top 1." not in page
    assert "Page 3 of 3" in page


def test_a_permalink_goes_to_the_page_holding_the_comment(app, client, discussion):
    set_paging(app, 2)
    deep = discussion["deep"]
    response = client.get(f"/comments/{deep}/")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/posts/p/comment-page-2/#comment-{deep}"
    first = discussion["top1"]
    assert client.get(f"/comments/{first}/").headers["Location"] == f"/posts/p/#comment-{first}"
    set_paging(app, None)
    assert client.get(f"/comments/{deep}/").headers["Location"] == f"/posts/p/#comment-{deep}"


def test_a_reply_lands_on_its_page(app, client, discussion, post_comment):
    set_paging(app, 2)
    response = post_comment("p", parent_id=str(discussion["top4"]), body="Answering four.")
    assert response.status_code == 302
    assert "/posts/p/comment-page-2/#comment-" in response.headers["Location"]


def test_a_page_costs_the_same_however_many_comments_the_post_has(
    app, client, make_post, make_comment
):
    set_paging(app, 5)
    small, large = make_post(slug="small"), make_post(slug="large")
    for _ in range(6):
        make_comment(small)
    for _ in range(60):
        make_comment(large)
    app.config["CACHE_TYPE"] = "NullCache"
    assert count_queries(app, client, "/posts/small/comment-page-2/") == count_queries(
        app, client, "/posts/large/comment-page-2/"
    )


def test_changing_the_setting_changes_the_cached_page(app, client, discussion):
    assert "Top 5." in client.get("/posts/p/").text
    set_paging(app, 2)
    assert "Top 5." not in client.get("/posts/p/").text
