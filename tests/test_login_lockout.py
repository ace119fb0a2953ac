"""Password guessing is slowed per address, and nobody can lock the instructor out from theirs.

Five wrong passwords for the instructor's username once locked the username for everyone for
15 minutes, renewable with one try every three minutes (issue 11). Failures now count against
the address they came from, and against the username only from that address.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.models import LoginFailure

from .conftest import INSTRUCTOR_PASSWORD, AuthActions
from .live_server import gunicorn
from .raw_client import RawClient

LOCKED = "Too many failed logins"
ATTACKER, INSTRUCTOR = "198.51.100.7", "203.0.113.5"


def login_from(app, address: str, username: str = "prof", password: str = INSTRUCTOR_PASSWORD):
    """A login from a browser at ``address`` (its own client, so its own session)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return AuthActions(client).login(username, password)


def add_failures(app, address: str, minutes_ago: list[int], username: str = "prof") -> None:
    now = datetime.now(UTC)
    with app.app_context():
        for minutes in minutes_ago:
            db.session.add(
                LoginFailure(
                    username=username,
                    ip_address=address,
                    failed_at=now - timedelta(minutes=minutes),
                )
            )
        db.session.commit()


def test_five_wrong_passwords_from_one_address_do_not_lock_out_the_instructor(app, instructor):
    for _ in range(5):
        assert login_from(app, ATTACKER, password="guess").status_code == 401
    assert LOCKED in login_from(app, ATTACKER).text  # the guesser waits, even with the password
    assert login_from(app, INSTRUCTOR).status_code == 302


def test_a_lockout_renewed_every_three_minutes_does_not_reach_the_instructor(app, instructor):
    add_failures(app, ATTACKER, [12, 9, 6, 3, 0])
    assert login_from(app, ATTACKER).status_code == 429
    assert login_from(app, INSTRUCTOR).status_code == 302


def test_failures_from_many_addresses_do_not_lock_out_the_username(app, instructor):
    for n in range(10):
        add_failures(app, f"198.51.100.{n}", [1, 2, 3, 4, 5])
    assert login_from(app, INSTRUCTOR).status_code == 302


def test_the_instructors_login_leaves_the_guessers_count_alone(app, instructor):
    add_failures(app, ATTACKER, [4, 3, 2, 1])
    assert login_from(app, INSTRUCTOR).status_code == 302
    assert login_from(app, ATTACKER, password="guess").status_code == 401  # the fifth failure
    assert login_from(app, ATTACKER).status_code == 429


def test_an_ipv6_guesser_cannot_escape_by_changing_addresses_within_a_64(app, instructor):
    for n in range(1, 6):
        login_from(app, f"2001:db8:0:1::{n}", password="guess")
    assert login_from(app, "2001:db8:0:1:ffff::9").status_code == 429
    assert login_from(app, "2001:db8:0:2::1").status_code == 302


def test_a_successful_login_clears_its_own_failures(app, instructor):
    add_failures(app, INSTRUCTOR, [3, 2, 1])
    assert login_from(app, INSTRUCTOR).status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(LoginFailure.id))) == 0


@pytest.fixture
def live_instructor(database_uri, instructor):
    """The instructor's account in the test's database, which gunicorn serves."""
    return database_uri


@pytest.mark.slow
def test_gunicorn_a_guesser_on_one_address_does_not_lock_out_another(live_instructor, tmp_path):
    with gunicorn(live_instructor, tmp_path, workers=2) as server:
        guesser = RawClient(server.port, source="127.0.0.2")
        for _ in range(5):
            refused = guesser.submit("/login", "/login", username="prof", password="wrong")
            assert refused.status == 401, refused.text[:300]
        locked = guesser.submit("/login", "/login", username="prof", password=INSTRUCTOR_PASSWORD)
        assert locked.status == 429
        assert LOCKED in locked.text
        teacher = RawClient(server.port, source="127.0.0.3")
        logged_in = teacher.submit(
            "/login", "/login", username="prof", password=INSTRUCTOR_PASSWORD
        )
        assert logged_in.status == 302, logged_in.text[:300]
        assert logged_in.headers["location"] == "/moderation"
        assert teacher.request("GET", "/moderation").status == 200


def test_log_in_says_why_it_refuses_without_a_request(app, instructor):
    from app.classroom.accounts import LoginRefused, log_in

    now = datetime.now(UTC)
    with app.app_context():
        with pytest.raises(LoginRefused) as wrong:
            log_in("prof", "wrong", ATTACKER, now)
        assert (wrong.value.status_code, wrong.value.message) == (
            401,
            "Invalid username or password.",
        )
        for _ in range(4):
            with pytest.raises(LoginRefused):
                log_in("nobody", "wrong", ATTACKER, now)
        with pytest.raises(LoginRefused) as locked:
            log_in("prof", INSTRUCTOR_PASSWORD, ATTACKER, now)
        assert locked.value.status_code == 429
        assert "try again in 15 minutes" in locked.value.message
        assert log_in("prof", INSTRUCTOR_PASSWORD, INSTRUCTOR, now).id == instructor
