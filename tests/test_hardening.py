"""HTTP hardening: security headers, cookies, rate limits and proxy headers."""

from __future__ import annotations

import pytest

from app.web.rate_limits import reset_rate_limits

from .conftest import csrf_token_from, stored_comments


@pytest.fixture
def post_id(make_post):
    return make_post(slug="p")


@pytest.fixture
def limits_on(app):
    """Fresh counters for a test whose app has RATELIMIT_ENABLED."""
    assert app.config["RATELIMIT_ENABLED"]
    reset_rate_limits(app)


@pytest.mark.parametrize(
    "url", ["/", "/posts/p/", "/posts/missing/", "/login", "/static/style.css", "/moderation"]
)
def test_every_response_carries_the_security_headers(client, post_id, url):
    with client.get(url) as response:
        csp = response.headers["Content-Security-Policy"]
        for directive in (
            "default-src 'self'",
            "frame-ancestors 'none'",
            "form-action 'self'",
            "base-uri 'self'",
        ):
            assert directive in csp
        assert "unsafe-inline" not in csp
        assert "http" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "camera=()" in response.headers["Permissions-Policy"]


def test_pages_have_no_inline_script_or_style(client, post_id):
    import re

    html = client.get("/posts/p/").text
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert "<style" not in html
    assert " style=" not in html
    assert not re.search(r"\son[a-z]+=", html)


def test_moderation_pages_are_not_cached(moderator):
    assert moderator.get("/moderation").headers["Cache-Control"] == "private, no-store"


@pytest.mark.app_config(SESSION_COOKIE_SECURE=True)
def test_session_cookie_is_secure_when_configured_for_https(client, post_id, post_comment):
    response = post_comment()
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_max_content_length_is_set(app):
    assert 0 < app.config["MAX_CONTENT_LENGTH"] <= 1024 * 1024


@pytest.mark.app_config(RATELIMIT_ENABLED=True, COMMENT_RATE_LIMIT="3 per minute")
def test_comment_rate_limit_gives_429_with_the_text_kept(
    app, client, post_id, post_comment, limits_on
):
    for n in range(3):
        assert post_comment(body=f"comment {n}").status_code == 302
    response = post_comment(body="the fourth, kept")
    assert response.status_code == 429
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    seconds = int(response.headers["Retry-After"])
    assert f"Please wait {seconds} seconds before posting again." in response.text
    assert "the fourth, kept</textarea>" in response.text
    assert len(stored_comments(app)) == 3


@pytest.mark.app_config(RATELIMIT_ENABLED=True, COMMENT_RATE_LIMIT="2 per minute")
def test_the_comment_limit_counts_each_address_separately(
    app, client, post_id, post_comment, limits_on
):
    for n in range(2):
        assert post_comment(body=f"from the first address {n}").status_code == 302
    assert post_comment(body="one too many").status_code == 429
    client.environ_base["REMOTE_ADDR"] = "198.51.100.7"
    assert post_comment(body="from another address").status_code == 302


@pytest.mark.app_config(RATELIMIT_ENABLED=True, COMMENT_RATE_LIMIT="1 per minute")
def test_reading_pages_does_not_count_against_the_limit(client, post_id, post_comment, limits_on):
    for _ in range(5):
        assert client.get("/posts/p/").status_code == 200
    assert post_comment(body="the only comment").status_code == 302


@pytest.mark.app_config(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute")
def test_login_rate_limit(client, auth, limits_on):
    auth.login(password="wrong1")
    auth.login(password="wrong2")
    response = auth.login()
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert 'value="prof"' in response.text


@pytest.mark.app_config(COMMENT_RATE_LIMIT="1 per minute")
def test_rate_limits_can_be_switched_off(app, client, post_id, post_comment):
    # RATELIMIT_ENABLED is false in the test config, as FLASK_RATELIMIT_ENABLED=false would set it.
    for n in range(3):
        assert post_comment(body=f"comment {n}").status_code == 302


# Proxies: forwarded headers count only from the configured number of hops.


@pytest.mark.app_config(RATELIMIT_ENABLED=True, COMMENT_RATE_LIMIT="1 per minute")
def test_a_faked_forwarded_for_does_not_escape_the_address_limit(app, post_id, limits_on):
    def comment_from_a_fresh_browser(forwarded_for: str, email: str) -> int:
        browser = app.test_client()
        browser.environ_base["HTTP_X_FORWARDED_FOR"] = forwarded_for
        token = csrf_token_from(browser.get("/posts/p/").text)
        form = {"csrf_token": token, "body": email, "author_name": "A", "author_email": email}
        return browser.post("/posts/p/comments", data=form).status_code

    assert comment_from_a_fresh_browser("198.51.100.1", "a@example.com") == 302
    assert comment_from_a_fresh_browser("198.51.100.2", "b@example.com") == 429
    assert stored_comments(app)[0].author_ip == "127.0.0.1"


@pytest.mark.app_config(PROXY_FIX_HOPS=1)
def test_behind_one_proxy_the_last_forwarded_address_is_the_reader(
    app, client, post_id, post_comment
):
    client.environ_base["HTTP_X_FORWARDED_FOR"] = "6.6.6.6, 203.0.113.8"
    post_comment()
    assert stored_comments(app)[0].author_ip == "203.0.113.8"


def test_a_faked_forwarded_for_does_not_escape_the_login_lockout(client, auth):
    for n in range(5):
        client.environ_base["HTTP_X_FORWARDED_FOR"] = f"198.51.100.{n}"
        auth.login(username=f"guess{n}", password="wrong")
    client.environ_base["HTTP_X_FORWARDED_FOR"] = "198.51.100.99"
    assert "Too many failed logins" in auth.login().text


def test_csrf_token_is_needed_even_with_a_valid_session(client, post_id):
    csrf_token_from(client.get("/posts/p/").text)
    response = client.post(
        "/posts/p/comments", data={"body": "x", "author_name": "A", "author_email": "a@example.com"}
    )
    assert response.status_code == 400
