"""A commenter's personal data on request: exported whole, erased without a trace of the values."""

from __future__ import annotations

import json

import pytest

from app.extensions import db
from app.models import Comment, CommentStatus, StatusChange

from .conftest import csrf_token_from, stored_comments

EMAIL = "nina@example.com"


@pytest.fixture
def nina(make_post, make_comment) -> list[int]:
    """Nina's comments in three statuses (one with her email in capitals), and someone else's."""
    post = make_post(slug="p")
    details = {"author_name": "Nina", "author_url": "https://nina.example", "user_agent": "Firefox"}
    ids = [
        make_comment(post, author_email=EMAIL, body="Approved words.", **details),
        make_comment(
            post, author_email="Nina@Example.com", status=CommentStatus.PENDING, **details
        ),
        make_comment(post, author_email=EMAIL, status=CommentStatus.SPAM, **details),
    ]
    make_comment(post, author_email="other@example.com", author_name="Other")
    return ids


def test_the_queue_links_to_each_commenters_data(moderator, nina):
    queue = moderator.get("/moderation?status=all").text
    assert "/moderation/personal-data/?email=nina@example.com" in queue


def test_export_holds_every_comment_they_wrote(moderator, nina):
    page = moderator.get(f"/moderation/personal-data/?email={EMAIL}")
    assert "3 comment(s)" in page.text
    response = moderator.post(
        "/moderation/personal-data/export",
        data={"csrf_token": csrf_token_from(page.text), "email": EMAIL},
    )
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.data)
    assert [c["id"] for c in data["comments"]] == nina
    assert {c["status"] for c in data["comments"]} == {"approved", "pending", "spam"}
    assert data["comments"][0]["author_ip"] == "192.0.2.1"
    assert data["comments"][0]["user_agent"] == "Firefox"
    assert "other@example.com" not in response.text


@pytest.mark.parametrize(
    ("choice", "body"), [({}, "Approved words."), ({"remove_text": "y"}, None)]
)
def test_erase_removes_who_they_are_and_records_it(app, moderator, client, nina, choice, body):
    page = moderator.get(f"/moderation/personal-data/?email={EMAIL}")
    response = moderator.post(
        "/moderation/personal-data/erase",
        data={"csrf_token": csrf_token_from(page.text), "email": EMAIL, **choice},
    )
    assert response.status_code == 302
    mine = [c for c in stored_comments(app) if c.id in nina]
    for comment in mine:
        assert (comment.author_name, comment.author_email, comment.author_url) == (
            "Anonymous",
            "",
            "",
        )
        assert (comment.author_ip, comment.user_agent) == ("", "")
    assert mine[0].body == (body or "[removed at the author's request]")
    with app.app_context():
        history = list(db.session.scalars(db.select(StatusChange)))
        assert len(history) == 3
        recorded = " ".join(f"{h.actor} {h.reason}" for h in history)
        assert "erased" in recorded and "nina" not in recorded.lower()
        assert (
            db.session.scalar(db.select(Comment.author_name).where(Comment.id.not_in(nina)))
            == "Other"
        )
    assert "Nina" not in client.get("/posts/p/").text  # the cached page moved on


def test_personal_data_pages_are_for_the_instructor_only(client, nina):
    assert client.get(f"/moderation/personal-data/?email={EMAIL}").status_code == 302
    assert client.post("/moderation/personal-data/erase", data={"email": EMAIL}).status_code in (
        302,
        400,
    )
    assert all(c.author_name == "Nina" for c in stored_comments(app=client.application)[:3])


def test_erase_without_a_token_changes_nothing(moderator, nina, app):
    response = moderator.post("/moderation/personal-data/erase", data={"email": EMAIL})
    assert response.status_code == 400
    assert stored_comments(app)[0].author_name == "Nina"


def test_the_command_line_exports_and_erases(app, runner, nina, tmp_path):
    path = tmp_path / "nina.json"
    result = runner.invoke(args=["export-personal-data", EMAIL, str(path)])
    assert result.exit_code == 0, result.output
    assert len(json.loads(path.read_text())["comments"]) == 3
    result = runner.invoke(args=["erase-personal-data", EMAIL, "--remove-text", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Erased the personal data on 3 comment(s)." in result.output
    assert stored_comments(app)[0].body == "[removed at the author's request]"
