"""Readers report a comment: the Reported view, holding after N readers, one report per browser,
rate limits, CSRF, and what cannot be reported."""

from __future__ import annotations

import pytest

from app.discussion.moderation import Action, apply_action
from app.discussion.reports import should_hold
from app.extensions import db
from app.models import (
    Comment,
    CommentReport,
    CommentStatus,
    Instructor,
    ReportReason,
    StatusChange,
    utcnow,
)

from .conftest import csrf_token_from, form_post, recorded_queries

PENDING, APPROVED, TRASH = CommentStatus.PENDING, CommentStatus.APPROVED, CommentStatus.TRASH
THANKS = "Thanks — the instructor will take a look."


@pytest.fixture
def discussion(make_post, make_comment) -> dict[str, int]:
    post_id = make_post(slug="p", title="Essay one")
    return {
        "post": post_id,
        "comment": make_comment(post_id, body="A rude remark.", author_name="Rex"),
        "other": make_comment(post_id, body="A kind remark."),
        "held": make_comment(post_id, body="Held remark.", status=PENDING),
        "trashed": make_comment(post_id, body="Trashed remark.", status=TRASH),
    }


def report(client, comment_id: int, *, token: str | None = None, **fields: str):
    """Open the report page as a browser does, then send the form."""
    if token is None:
        page = client.get(f"/comments/{comment_id}/report")
        token = csrf_token_from(page.text) if page.status_code == 200 else ""
    return client.post(f"/comments/{comment_id}/report", data={"csrf_token": token, **fields})


def stored_reports(app) -> list[CommentReport]:
    with app.app_context():
        reports = list(db.session.scalars(db.select(CommentReport).order_by(CommentReport.id)))
        db.session.expunge_all()
        return reports


def status_of(app, comment_id: int) -> CommentStatus:
    with app.app_context():
        return db.session.get(Comment, comment_id).status


@pytest.mark.parametrize(
    ("count", "hold_after", "by_instructor", "held"),
    [(2, 3, False, False), (3, 3, False, True), (5, 3, True, False), (9, 0, False, False)],
)
def test_the_rule(count, hold_after, by_instructor, held):
    assert should_hold(count, hold_after, by_instructor=by_instructor) is held


def test_published_comments_have_a_report_link_and_the_page_stays_cached(app, client, discussion):
    page = client.get("/posts/p/")
    assert f'href="/comments/{discussion["comment"]}/report"' in page.text
    assert f'href="/comments/{discussion["held"]}/report"' not in page.text
    # One form on the page (the reply form): the Report control adds none.
    assert page.text.count('name="csrf_token"') == 1
    assert len(recorded_queries(app, client, "/posts/p/")) == 1  # served from the cache


def test_a_report_lands_in_the_reported_view_with_reason_and_count(app, discussion, moderator):
    reader, second = app.test_client(), app.test_client()
    response = report(reader, discussion["comment"], reason="unkind")
    assert response.status_code == 200
    assert THANKS in response.text
    report(second, discussion["comment"], reason="other", note="Names a classmate <b>")
    stored = stored_reports(app)
    assert [(r.reason, r.note) for r in stored] == [
        (ReportReason.UNKIND, ""),
        (ReportReason.OTHER, "Names a classmate <b>"),
    ]
    assert all(len(r.reporter_hash) == 64 for r in stored)

    queue = moderator.get("/moderation?status=reported")
    assert "Reported (1)" in queue.text
    assert "A rude remark." in queue.text
    assert "A kind remark." not in queue.text
    assert "Reported by 2 readers" in queue.text
    assert "Unkind; Other: “Names a classmate &lt;b&gt;”" in queue.text
    assert status_of(app, discussion["comment"]) is APPROVED  # two: not held


def test_three_browsers_hold_the_comment_and_history_says_so(app, client, discussion):
    for _ in range(3):
        assert report(app.test_client(), discussion["comment"]).status_code == 200
    assert status_of(app, discussion["comment"]) is PENDING
    with app.app_context():
        change = db.session.scalars(
            db.select(StatusChange).where(StatusChange.comment_id == discussion["comment"])
        ).all()[-1]
        assert (change.from_status, change.to_status) == (APPROVED, PENDING)
        assert change.reason == "held after 3 reports"
    assert "A rude remark." not in client.get("/posts/p/").text  # off the page at once


def test_the_setting_decides_how_many(app, discussion, moderator):
    from app.discussion.discussion_settings import load_settings

    with app.app_context():
        settings = load_settings()
        settings.reports_to_hold = 0
        db.session.add(settings)
        db.session.commit()
    for _ in range(4):
        report(app.test_client(), discussion["comment"])
    assert status_of(app, discussion["comment"]) is APPROVED


def test_approving_answers_the_reports_and_only_new_ones_count(app, discussion, moderator):
    for _ in range(3):
        report(app.test_client(), discussion["comment"])
    assert "Held after 3 reports".lower() in moderator.get("/moderation").text.lower()
    response = form_post(moderator, f"/moderation/comments/{discussion['comment']}/approve")
    assert response.status_code == 302
    assert status_of(app, discussion["comment"]) is APPROVED
    assert "Reported (0)" in moderator.get("/moderation").text
    for _ in range(2):
        report(app.test_client(), discussion["comment"])
    assert status_of(app, discussion["comment"]) is APPROVED  # 3 old + 2 new: not held
    report(app.test_client(), discussion["comment"])
    assert status_of(app, discussion["comment"]) is PENDING


def test_keep_dismisses_the_reports_of_a_published_comment(app, discussion, moderator):
    report(app.test_client(), discussion["comment"])
    assert "Reported (1)" in moderator.get("/moderation").text
    response = form_post(moderator, f"/moderation/comments/{discussion['comment']}/keep")
    assert response.status_code == 302
    queue = moderator.get("/moderation?status=reported")
    assert "Reported (0)" in queue.text
    assert "reports are dismissed" in queue.text
    assert status_of(app, discussion["comment"]) is APPROVED


def test_trashing_a_reported_comment_takes_it_out_of_the_reported_view(
    app, discussion, moderator, instructor
):
    report(app.test_client(), discussion["comment"])
    with app.app_context():
        prof = db.session.get(Instructor, instructor)
        apply_action(
            [discussion["comment"]],
            Action.TRASH,
            actor="prof",
            instructor=prof,
            now=utcnow(),
            notify=None,
        )
    assert "Reported (0)" in moderator.get("/moderation").text


def test_the_same_browser_reports_once(app, client, discussion):
    assert report(client, discussion["comment"], reason="unkind").status_code == 200
    again = report(client, discussion["comment"], reason="off-topic")
    assert again.status_code == 409
    assert "You have already reported this comment" in again.text
    assert [r.reason for r in stored_reports(app)] == [ReportReason.UNKIND]


@pytest.mark.parametrize(
    ("which", "status", "message"),
    [
        ("held", 409, "already waiting for the instructor"),
        ("trashed", 404, "There is no published comment here to report"),
        ("unknown", 404, "There is no published comment here to report"),
    ],
)
def test_what_cannot_be_reported_is_refused_with_a_message(
    app, client, discussion, which, status, message
):
    comment_id = discussion.get(which, 999_999)
    page = client.get(f"/comments/{comment_id}/report")
    assert page.status_code == status
    assert message in page.text
    token = csrf_token_from(client.get(f"/comments/{discussion['comment']}/report").text)
    sent = report(client, comment_id, token=token, reason="unkind")
    assert sent.status_code == status
    assert message in sent.text
    assert stored_reports(app) == []


def test_an_instructor_reply_can_be_reported_but_is_never_held(app, discussion, instructor):
    with app.app_context():
        reply = Comment(
            post_id=discussion["post"],
            author_name="Professor Lee",
            author_email="",
            body="My reply.",
            status=APPROVED,
            instructor_id=instructor,
        )
        db.session.add(reply)
        db.session.commit()
        reply_id = reply.id
    for _ in range(4):
        assert report(app.test_client(), reply_id).status_code == 200
    assert status_of(app, reply_id) is APPROVED
    assert len(stored_reports(app)) == 4


def test_a_missing_csrf_token_stores_nothing(app, client, discussion):
    client.get(f"/comments/{discussion['comment']}/report")
    response = report(client, discussion["comment"], token="", reason="unkind")
    assert response.status_code == 400
    assert "session expired" in response.text
    assert stored_reports(app) == []


def test_a_long_note_is_refused_with_a_message(app, client, discussion):
    response = report(client, discussion["comment"], reason="other", note="x" * 201)
    assert response.status_code == 400
    assert "200 characters or fewer" in response.text
    assert stored_reports(app) == []


@pytest.mark.app_config(RATELIMIT_ENABLED=True, REPORT_RATE_LIMIT="2 per hour")
def test_reports_are_rate_limited_per_browser(app, client, make_post, make_comment):
    post_id = make_post(slug="p")
    comments = [make_comment(post_id) for _ in range(3)]
    assert report(client, comments[0]).status_code == 200
    assert report(client, comments[1]).status_code == 200
    refused = report(client, comments[2])
    assert refused.status_code == 429
    assert "You have sent a lot of reports in a short time" in refused.text
    assert int(refused.headers["Retry-After"]) > 0
    assert len(stored_reports(app)) == 2
    assert report(app.test_client(), comments[2]).status_code == 200  # another browser


@pytest.mark.app_config(RATELIMIT_ENABLED=True, REPORT_ADDRESS_RATE_LIMIT="2 per hour")
def test_reports_are_rate_limited_per_address(app, make_post, make_comment):
    post_id = make_post(slug="p")
    comments = [make_comment(post_id) for _ in range(3)]
    for comment_id in comments[:2]:
        assert report(app.test_client(), comment_id).status_code == 200
    assert report(app.test_client(), comments[2]).status_code == 429


def test_a_get_changes_nothing(app, client, discussion):
    assert client.get(f"/comments/{discussion['comment']}/report").status_code == 200
    assert stored_reports(app) == []


def test_a_post_first_comment_cannot_be_reported_before_posting(
    app, client, make_post, make_comment
):
    post_id = make_post(slug="q", post_first=True)
    comment_id = make_comment(post_id, body="Hidden thoughts.")
    page = client.get(f"/comments/{comment_id}/report")
    assert page.status_code == 404
    assert "Hidden thoughts." not in page.text
    with client.session_transaction() as session:
        session["own_comments"] = [make_comment(post_id, body="Mine.", status=PENDING)]
    assert "Hidden thoughts." in client.get(f"/comments/{comment_id}/report").text


def test_the_reporter_is_never_shown(app, discussion, moderator):
    reader = app.test_client()
    report(reader, discussion["comment"], reason="unkind")
    with reader.session_transaction() as session:
        reporter = session["reporter"]
    stored = stored_reports(app)[0]
    assert stored.reporter_hash != reporter
    queue = moderator.get("/moderation?status=reported").text
    assert reporter not in queue and stored.reporter_hash not in queue


def test_the_reported_view_costs_the_same_queries_with_1_and_30_reported(
    app, make_post, make_comment, moderator
):
    post_id = make_post(slug="busy")

    def queries_with(count: int) -> int:
        with app.app_context():
            for n in range(count):
                comment_id = make_comment(post_id)
                db.session.add(CommentReport(comment_id=comment_id, reporter_hash=f"{count}-{n}"))
            db.session.commit()
        return len(recorded_queries(app, moderator, "/moderation?status=reported&x=1"))

    assert queries_with(1) == queries_with(29)
