"""Flood control that tells students apart (issue 12), with the numbers a class produces.

The app runs with the shipped defaults for the flood interval and the per-address rate limit;
every reader is a browser of its own (a fresh test client: its own signed session) that loads
the post page, then posts the form with that page's CSRF token, all from one IP address.
"""

from __future__ import annotations

import random
import time

import pytest
from flask import Flask

from app.config import DefaultConfig
from app.web.rate_limits import reset_rate_limits

from .conftest import csrf_token_from, stored_comments

DEFAULTS = {
    "COMMENT_FLOOD_SECONDS": DefaultConfig.COMMENT_FLOOD_SECONDS,
    "COMMENT_RATE_LIMIT": DefaultConfig.COMMENT_RATE_LIMIT,
    "RATELIMIT_ENABLED": True,
}
SCHOOL_ADDRESS = "203.0.113.10"


@pytest.fixture
def post_id(app: Flask, make_post) -> int:
    reset_rate_limits(app)
    return make_post(slug="p")


def comment_from_a_new_browser(app: Flask, name: str, email: str, body: str) -> int:
    """Load the post page and post the form, as a browser that has never been here does."""
    browser = app.test_client()
    browser.environ_base["REMOTE_ADDR"] = SCHOOL_ADDRESS
    page = browser.get("/posts/p/")
    form = {
        "csrf_token": csrf_token_from(page.text),
        "body": body,
        "author_name": name,
        "author_email": email,
    }
    return browser.post("/posts/p/comments", data=form).status_code


@pytest.mark.app_config(**DEFAULTS)
def test_the_defaults_let_a_class_behind_one_address_post_in_the_same_minute(app, post_id):
    assert DefaultConfig.COMMENT_FLOOD_SECONDS > 0  # flood control is on, and still lets them in
    started = time.monotonic()
    statuses = [
        comment_from_a_new_browser(
            app, f"Student {n}", f"student{n}@school.example", f"My answer, number {n}."
        )
        for n in range(30)
    ]
    assert time.monotonic() - started < 60
    assert statuses == [302] * 30
    assert len(stored_comments(app)) == 30


@pytest.mark.app_config(**DEFAULTS)
def test_forty_students_fit_under_the_default_address_limit(app, post_id):
    """The issue's promise for the default: 40 different students in the same minute."""
    statuses = [
        comment_from_a_new_browser(app, f"S{n}", f"s{n}@school.example", f"Answer {n}.")
        for n in range(40)
    ]
    assert statuses.count(302) == 40


@pytest.mark.app_config(**DEFAULTS)
def test_one_email_posting_as_fast_as_it_can_gets_one_comment_in(app, post_id):
    # A new browser each time: the email alone gives the sender away.
    statuses = [
        comment_from_a_new_browser(app, "Eager", "eager@school.example", f"Thought {n}.")
        for n in range(30)
    ]
    assert statuses[0] == 302
    assert statuses[1:] == [429] * 29
    assert [c.body for c in stored_comments(app)] == ["Thought 0."]


@pytest.mark.app_config(**DEFAULTS)
def test_one_browser_posting_as_fast_as_it_can_gets_one_comment_in(app, post_id):
    browser = app.test_client()
    statuses = []
    for n in range(30):
        token = csrf_token_from(browser.get("/posts/p/").text)
        form = {
            "csrf_token": token,
            "body": f"Thought {n}.",
            "author_name": f"Name {n}",
            "author_email": f"fresh{n}@example.com",  # a new email each time: the session tells
        }
        statuses.append(browser.post("/posts/p/comments", data=form).status_code)
    assert statuses == [302] + [429] * 29


@pytest.mark.app_config(**DEFAULTS)
def test_the_address_limit_stops_most_of_a_script_with_fresh_sessions_and_random_emails(
    app, post_id
):
    rng = random.Random(12)
    started = time.monotonic()
    statuses = []
    for n in range(200):
        email = f"{rng.randrange(10**9):09d}@mail{rng.randrange(100)}.example"
        statuses.append(comment_from_a_new_browser(app, f"Bot {n}", email, f"Buy now {n}"))
    assert time.monotonic() - started < 60
    accepted = statuses.count(302)
    per_minute = int(DefaultConfig.COMMENT_RATE_LIMIT.split(" per minute")[0])
    assert accepted == per_minute == 60
    assert statuses.count(429) == 140
    assert statuses[:60] == [302] * 60  # the first ones in, then nothing more from there
    assert len(stored_comments(app)) == 60
