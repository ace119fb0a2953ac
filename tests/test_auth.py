"""Instructor accounts: the CLI, logging in and out, lockout and safe redirects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.classroom.accounts import lockout_remaining
from app.extensions import db
from app.models import Instructor, LoginFailure
from app.web.redirects import safe_next

from .conftest import INSTRUCTOR_PASSWORD, csrf_token_from, stored_comments


def test_create_instructor_with_option_stores_only_a_scrypt_hash(app, runner):
    result = runner.invoke(args=["create-instructor", "ada", "--password", "s3cret-pass"])
    assert result.exit_code == 0, result.output
    assert "Created instructor 'ada'" in result.output
    with app.app_context():
        account = db.session.scalars(db.select(Instructor)).one()
        assert account.password_hash.startswith("scrypt:")
        assert "s3cret-pass" not in account.password_hash
        assert account.check_password("s3cret-pass")


def test_create_instructor_prompts_twice_when_no_password_is_given(app, runner):
    result = runner.invoke(args=["create-instructor", "ada"], input="typed-pass\ntyped-pass\n")
    assert result.exit_code == 0, result.output
    assert "Password: " in result.output
    assert "Repeat for confirmation: " in result.output
    assert "typed-pass" not in result.output
    with app.app_context():
        assert db.session.scalars(db.select(Instructor)).one().check_password("typed-pass")


def test_create_instructor_again_changes_the_password(app, runner):
    runner.invoke(args=["create-instructor", "ada", "--password", "first-pass"])
    result = runner.invoke(args=["create-instructor", "ada", "--password", "second-pass"])
    assert "Changed the password of instructor 'ada'" in result.output
    with app.app_context():
        account = db.session.scalars(db.select(Instructor)).one()
        assert account.check_password("second-pass")
        assert not account.check_password("first-pass")


def test_create_instructor_refuses_a_short_password(app, runner):
    result = runner.invoke(args=["create-instructor", "ada", "--password", "short"])
    assert result.exit_code != 0
    assert "at least 8 characters" in result.output


def test_login_page_has_the_labels_and_button(client):
    html = client.get("/login").text
    assert '<label for="username">Username' in html
    assert '<label for="password">Password' in html
    assert ">Log in</button>" in html


def test_login_and_logout(client, auth):
    response = auth.login()
    assert response.status_code == 302
    assert response.headers["Location"] == "/moderation"
    assert "Log out" in client.get("/").text
    assert client.get("/moderation").status_code == 200
    assert auth.logout().status_code == 302
    assert client.get("/moderation").status_code == 302


def test_logout_needs_a_post_with_a_csrf_token(client, auth):
    auth.login()
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/moderation").status_code == 200


@pytest.mark.parametrize(
    ("username", "password"), [("prof", "wrong password"), ("nobody", INSTRUCTOR_PASSWORD)]
)
def test_wrong_credentials_say_the_same_words(client, auth, username, password):
    response = auth.login(username, password)
    assert response.status_code == 401
    assert "Invalid username or password." in response.text
    assert f'value="{username}"' in response.text
    assert client.get("/moderation").status_code == 302


def test_session_cookie_is_httponly_and_samesite_lax(client, auth):
    response = auth.login()
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_five_failures_lock_out_the_username(app, client, auth):
    for _ in range(5):
        auth.login(password="wrong")
    response = auth.login()  # even the right password waits
    assert response.status_code == 429
    assert "Too many failed logins; try again in 15 minutes." in response.text
    assert client.get("/moderation").status_code == 302


def test_five_failures_from_one_ip_lock_out_other_usernames(app, client, auth):
    for n in range(5):
        auth.login(username=f"guess{n}", password="wrong")
    assert "Too many failed logins" in auth.login().text


def test_lockout_ends_after_fifteen_minutes(app, client, auth):
    past = datetime.now(UTC) - timedelta(minutes=16)
    with app.app_context():
        for _ in range(5):
            db.session.add(LoginFailure(username="prof", ip_address="127.0.0.1", failed_at=past))
        db.session.commit()
    assert auth.login().status_code == 302


def test_lockout_arithmetic():
    now = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    four = [now - timedelta(minutes=m) for m in (1, 2, 3, 4)]
    assert lockout_remaining(four, now) is None
    five = [*four, now - timedelta(minutes=10)]
    assert lockout_remaining(five, now) == timedelta(minutes=5)
    old = [now - timedelta(minutes=20)] * 5
    assert lockout_remaining(old, now) is None


def test_a_successful_login_clears_the_username_failures(app, client, auth):
    for _ in range(3):
        auth.login(password="wrong")
    auth.login()
    with app.app_context():
        assert (
            db.session.scalar(db.select(db.func.count(LoginFailure.id)).filter_by(username="prof"))
            == 0
        )


@pytest.mark.parametrize("target", ["/moderation?status=spam", "/posts/p/#comment-3"])
def test_next_returns_to_a_path_on_this_site(client, auth, target):
    response = auth.login(next=target)
    assert response.headers["Location"] == target


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example/",
        "https:evil.example",
        "/\\evil.example",
        "\\\\evil.example",
        "http:/evil.example",
        "%2F%2Fevil.example",
        "/%09/evil.example".replace("%09", "\t"),
        "javascript:alert(1)",
        "evil.example",
    ],
)
def test_next_never_leaves_the_site(client, auth, target):
    response = auth.login(next=target)
    location = response.headers["Location"]
    assert location == "/moderation"


def test_safe_next_function():
    assert safe_next("/a?b=c", "/x") == "/a?b=c"
    assert safe_next("//a", "/x") == "/x"
    assert safe_next(None, "/x") == "/x"


def test_anonymous_visit_to_moderation_goes_to_login_with_next(client):
    response = client.get("/moderation?status=spam")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_login_form_with_expired_token_keeps_username(client, auth):
    response = client.post(
        "/login", data={"csrf_token": "stale", "username": "prof", "password": "x"}
    )
    assert response.status_code == 400
    assert "Your session expired; please log in again." in response.text
    assert 'value="prof"' in response.text
    token = csrf_token_from(response.text)
    ok = client.post(
        "/login", data={"csrf_token": token, "username": "prof", "password": INSTRUCTOR_PASSWORD}
    )
    assert ok.status_code == 302


# The instructor's account page: the display name readers see, and the password.


def save_account(client, **fields):
    token = csrf_token_from(client.get("/account").text)
    data = {"display_name": "Professor Lee", "current_password": "", "new_password": "",
            "confirm_password": "", **fields}  # fmt: skip
    return client.post("/account", data={"csrf_token": token, **data})


def test_the_account_page_is_for_the_logged_in_instructor(client, instructor):
    response = client.get("/account")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_new_display_name_signs_the_instructors_next_comment(app, moderator, make_post):
    make_post(slug="p")
    assert 'value="Professor Lee"' in moderator.get("/account").text
    assert save_account(moderator, display_name="Dr. Amara Lee").status_code == 302
    page = moderator.get("/posts/p/").text
    assert "Logged in as <b>Dr. Amara Lee</b>." in page
    token = csrf_token_from(page)
    moderator.post("/posts/p/comments", data={"csrf_token": token, "body": "Signed."})
    assert stored_comments(app)[0].author_name == "Dr. Amara Lee"


def test_the_password_changes_only_with_the_current_one(client, auth, moderator):
    refused = save_account(moderator, new_password="a new secret", confirm_password="a new secret")
    assert refused.status_code == 400
    assert "Your current password is not right" in refused.text
    saved = save_account(
        moderator,
        current_password=INSTRUCTOR_PASSWORD,
        new_password="a new secret",
        confirm_password="a new secret",
    )
    assert saved.status_code == 302
    auth.logout()
    assert auth.login(password=INSTRUCTOR_PASSWORD).status_code == 401  # the old one is gone
    assert auth.login(password="a new secret").status_code == 302


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"display_name": " "}, "Please enter the name readers see."),
        ({"new_password": "short", "confirm_password": "short"}, "at least 8 characters"),
        ({"new_password": "long enough", "confirm_password": "different"}, "are not the same"),
    ],
)
def test_account_changes_are_checked(moderator, fields, message):
    response = save_account(moderator, **fields)
    assert response.status_code == 400
    assert message in response.text
    assert 'id="error-summary"' in response.text
