"""Commenters' IP addresses and browsers are kept N days, then erased: by the command and by the
app's own daily run, which runs once a day however many processes ask."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from html import unescape

import pytest

from app.classroom.accounts import FAILURE_WINDOW
from app.discussion.page_versions import moderation_version
from app.discussion.retention import (
    LOGIN_FAILURES_KEPT,
    daily_purge,
    purge_addresses,
    run_daily_purge,
)
from app.extensions import db
from app.models import (
    DiscussionSettings,
    LoginFailure,
    OutboxMessage,
    OutboxStatus,
    Post,
    ScheduledRun,
    utcnow,
)
from tests.conftest import csrf_token_from, stored_comments

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
IP, BROWSER = "203.0.113.77", "Mozilla/5.0 (X11; Linux x86_64) Firefox/145.0"


@pytest.fixture
def post_id(make_post) -> int:
    return make_post(slug="p")


def aged(make_comment, post_id: int, age: timedelta, now: datetime = NOW, **fields) -> int:
    """A comment written ``age`` before ``now``, with an IP address and a browser."""
    values = {"author_ip": IP, "user_agent": BROWSER, "created_at": now - age, **fields}
    return make_comment(post_id, **values)


def addresses(app) -> dict[int, tuple[str, str]]:
    return {c.id: (c.author_ip, c.user_agent) for c in stored_comments(app)}


def test_only_comments_older_than_the_window_are_erased(app, make_comment, post_id):
    young = aged(make_comment, post_id, timedelta(days=29))
    exactly = aged(make_comment, post_id, timedelta(days=30))
    old = aged(make_comment, post_id, timedelta(days=31))
    with app.app_context():
        result = purge_addresses(NOW)
    assert (result.comments, result.days) == (1, 30)
    assert addresses(app) == {young: (IP, BROWSER), exactly: (IP, BROWSER), old: ("", "")}
    erased = next(c for c in stored_comments(app) if c.id == old)
    # Only the addresses: the comment, its author and its email stay.
    assert (erased.body, erased.author_email) == ("Comment number 3.", "reader3@example.com")
    # A second run finds nothing left to erase.
    with app.app_context():
        assert purge_addresses(NOW).comments == 0


def test_a_comment_with_only_a_browser_left_is_erased_too(app, make_comment, post_id):
    only_browser = aged(make_comment, post_id, timedelta(days=40), author_ip="")
    with app.app_context():
        assert purge_addresses(NOW).comments == 1
    assert addresses(app) == {only_browser: ("", "")}


def test_the_window_is_the_instructors_setting(app, make_comment, post_id):
    with app.app_context():
        db.session.add(DiscussionSettings(id=1, address_retention_days=7))
        db.session.commit()
    kept = aged(make_comment, post_id, timedelta(days=6))
    gone = aged(make_comment, post_id, timedelta(days=8))
    with app.app_context():
        assert purge_addresses(NOW).days == 7
    assert addresses(app) == {kept: (IP, BROWSER), gone: ("", "")}


def test_the_purge_moves_the_queues_version_and_no_page(app, make_comment, post_id):
    """A bulk UPDATE of comments says which pages it changes (none: no public page shows an
    address), so it is not refused as an unversioned write, and the queue, which shows the
    IP address, is rendered again."""
    aged(make_comment, post_id, timedelta(days=31))
    with app.app_context():
        page_version = db.session.get(Post, post_id).page_version
        queue_version = moderation_version()
        purge_addresses(NOW)
        assert db.session.get(Post, post_id).page_version == page_version
        assert moderation_version() > queue_version
        # With nothing left to erase, the cached queue stays as it is.
        queue_version = moderation_version()
        purge_addresses(NOW)
        assert moderation_version() == queue_version


def test_old_login_failures_and_sent_emails_go_too(app, make_comment, post_id):
    assert LOGIN_FAILURES_KEPT >= FAILURE_WINDOW  # the lockout still sees what it needs
    with app.app_context():
        for minutes in (5, 60 * 25):
            db.session.add(
                LoginFailure(
                    username="prof", ip_address=IP, failed_at=NOW - timedelta(minutes=minutes)
                )
            )
        for status, days in [
            (OutboxStatus.SENT, 31),
            (OutboxStatus.SENT, 2),
            (OutboxStatus.FAILED, 31),
        ]:
            db.session.add(
                OutboxMessage(
                    to_address="prof@example.com",
                    subject="Held",
                    message=f"Sent from the IP address {IP}.",
                    status=status,
                    created_at=NOW - timedelta(days=days),
                    sent_at=NOW - timedelta(days=days) if status is OutboxStatus.SENT else None,
                )
            )
        db.session.commit()
        result = purge_addresses(NOW)
        assert (result.login_failures, result.sent_messages) == (1, 1)
        failures = db.session.scalars(db.select(LoginFailure.failed_at)).all()
        assert failures == [NOW - timedelta(minutes=5)]
        left = db.session.execute(db.select(OutboxMessage.status, OutboxMessage.sent_at)).all()
        # The one still to be delivered stays, however old.
        assert sorted(left) == [
            (OutboxStatus.FAILED, None),
            (OutboxStatus.SENT, NOW - timedelta(days=2)),
        ]


def test_the_command_prints_what_it_erased(app, runner, make_comment, post_id):
    now = utcnow()
    aged(make_comment, post_id, timedelta(days=30, minutes=-5), now)  # not yet 30 days old
    aged(make_comment, post_id, timedelta(days=31), now)
    aged(make_comment, post_id, timedelta(days=300), now)
    result = runner.invoke(args=["purge-addresses"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Erased the IP addresses and browsers of 2 comments older than 30 days; "
        "deleted 0 failed logins and 0 sent emails.\n"
    )
    assert sorted(addresses(app).values()) == [("", ""), ("", ""), (IP, BROWSER)]
    again = runner.invoke(args=["purge-addresses"])
    assert "of 0 comments older than 30 days" in again.output


def test_the_command_takes_a_number_of_days(app, runner, make_comment, post_id):
    aged(make_comment, post_id, timedelta(days=3), utcnow())
    result = runner.invoke(args=["purge-addresses", "--days", "2"])
    assert "1 comment older than 2 days" in result.output
    for bad in ("0", "-3", "many"):
        refused = runner.invoke(args=["purge-addresses", "--days", bad])
        assert refused.exit_code == 2
        assert "Invalid value for '--days'" in refused.output


def test_the_daily_run_runs_once_a_day(app, make_comment, post_id):
    first = aged(make_comment, post_id, timedelta(days=31))
    # 30 days old at NOW, 30 days and 3 hours a little later: old enough then, but the day's
    # run is done, so it waits for tomorrow's.
    later = aged(make_comment, post_id, timedelta(days=30))
    with app.app_context():
        assert run_daily_purge(NOW).comments == 1
        assert run_daily_purge(NOW + timedelta(hours=3)) is None
    assert addresses(app)[later] == (IP, BROWSER)
    with app.app_context():
        tomorrow = run_daily_purge(NOW + timedelta(days=1))
        assert tomorrow is not None and tomorrow.comments == 1
        assert run_daily_purge(NOW + timedelta(days=1, hours=1)) is None
        last_run = db.session.get(ScheduledRun, "purge-addresses").last_run_at
        assert last_run == NOW + timedelta(days=1)
    assert addresses(app) == {first: ("", ""), later: ("", "")}


def test_the_day_is_the_utc_day(app):
    """Claimed per calendar day (UTC), so the run does not creep an hour later each day."""
    late_evening = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    with app.app_context():
        assert run_daily_purge(late_evening) is not None
        assert run_daily_purge(late_evening + timedelta(minutes=20)) is None  # 23:50
        assert run_daily_purge(late_evening + timedelta(hours=1)) is not None  # 00:30


def test_the_log_holds_counts_and_nothing_personal(app, make_comment, post_id, caplog):
    aged(make_comment, post_id, timedelta(days=31))
    with caplog.at_level(logging.INFO, logger="app.discussion.retention"), app.app_context():
        run_daily_purge(NOW)
    assert "erased the IP addresses of 1 comment(s) older than 30 days" in caplog.text
    for personal in (IP, BROWSER, "reader1", "Reader 1"):
        assert personal not in caplog.text


@pytest.mark.app_config(PURGE_CHECK_SECONDS=3600)
def test_the_app_runs_the_purge_itself(app, client, make_comment, post_id):
    """Before a request, at most once an hour per process, a thread runs the day's purge; the
    request does not wait for it."""
    old = aged(make_comment, post_id, timedelta(days=31), utcnow())
    assert client.get("/").status_code == 200
    purger = daily_purge(app)
    first_thread = purger.thread
    purger.join(timeout=30)
    assert addresses(app)[old] == ("", "")
    assert client.get("/posts/p/").status_code == 200
    assert purger.thread is first_thread  # checked an hour later, not on every request
    with app.app_context():
        assert db.session.get(ScheduledRun, "purge-addresses") is not None


def test_without_checks_the_app_leaves_it_to_cron(app, client, make_comment, post_id):
    """PURGE_CHECK_SECONDS is 0 in the tests' configuration: no thread."""
    old = aged(make_comment, post_id, timedelta(days=31), utcnow())
    client.get("/")
    assert daily_purge(app).thread is None
    assert addresses(app)[old] == (IP, BROWSER)


def test_the_queue_says_an_erased_address_is_not_kept(app, moderator, make_comment, post_id):
    aged(make_comment, post_id, timedelta(days=31), utcnow(), author_name="Old Reader")
    aged(make_comment, post_id, timedelta(days=1), utcnow(), author_name="New Reader")
    before = unescape(moderator.get("/moderation?status=approved").text)
    assert before.count(f"IP {IP}") == 2
    moderator.application.test_cli_runner().invoke(args=["purge-addresses"])
    after = unescape(moderator.get("/moderation?status=approved").text)
    assert after.count(f"IP {IP}") == 1
    assert "IP not kept" in after
    assert "IP unknown" not in after and "IP  " not in after


SETTINGS = "/moderation/settings"


def test_the_setting_is_saved(app, moderator):
    page = unescape(moderator.get(SETTINGS).text)
    assert "Keep commenters' IP addresses for this many days" in page
    assert 'value="30"' in page
    data = {"csrf_token": csrf_token_from(page), "max_links": "2", "digest_minutes": "15"}
    response = moderator.post(SETTINGS, data=data | {"address_retention_days": "90"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(DiscussionSettings, 1).address_retention_days == 90


@pytest.mark.parametrize("bad", ["0", "-1", "3651", "thirty", "", "1.5"])
def test_a_bad_number_of_days_is_refused_and_nothing_saved(app, moderator, bad):
    page = moderator.get(SETTINGS).text
    data = {
        "csrf_token": csrf_token_from(page),
        "max_links": "5",  # a change that must not be saved either
        "digest_minutes": "15",
        "address_retention_days": bad,
    }
    refused = moderator.post(SETTINGS, data=data)
    assert refused.status_code == 400
    text = unescape(refused.text)
    assert "Enter a number of days from 1 to 3,650." in text or "Not a valid integer" in text
    with app.app_context():
        assert db.session.get(DiscussionSettings, 1) is None  # nothing stored, defaults hold
