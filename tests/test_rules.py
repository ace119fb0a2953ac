"""The discussion rules, as plain functions: no request, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.discussion.rules import (
    CommentDraft,
    Rules,
    comments_are_open,
    decide_status,
    first_match,
    is_flood,
    parse_word_list,
    seconds_to_wait,
)
from app.models import CommentStatus

DRAFT = CommentDraft(
    body="An ordinary reply.",
    author_name="Ada",
    author_email="ada@example.com",
    author_url="https://ada.example",
    author_ip="203.0.113.9",
    user_agent="Mozilla/5.0",
)
NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


DEFAULT_RULES = Rules()


def verdict(draft=DRAFT, rules=DEFAULT_RULES, *, approved_before=True, honeypot=False):
    return decide_status(
        draft, rules, author_has_approved_comment=approved_before, honeypot_filled=honeypot
    )


def test_a_known_author_is_approved():
    assert verdict().status is CommentStatus.APPROVED


def test_a_new_author_is_held_until_they_have_an_approved_comment():
    result = verdict(approved_before=False)
    assert result.status is CommentStatus.PENDING
    assert result.reason == "First comment from this author"


@pytest.mark.parametrize(
    ("rules", "body", "reason"),
    [
        (Rules(manual_approval=True), "Fine.", "Manual approval is on"),
        (Rules(), "See http://a.example and http://b.example and http://c.example", "3 links"),
        (
            Rules(moderation_words=("essay writing",)),
            "Cheap Essay Writing!",
            "Contains “essay writing”",
        ),
    ],
)
def test_the_reason_a_comment_is_held_is_worded_for_the_instructor(rules, body, reason):
    result = verdict(CommentDraft(body=body, author_name="A", author_email="a@example.com"), rules)
    assert (result.status, result.reason) == (CommentStatus.PENDING, reason)


def test_prior_approval_can_be_switched_off():
    rules = Rules(require_prior_approval=False)
    assert verdict(rules=rules, approved_before=False).status is CommentStatus.APPROVED


def test_manual_approval_holds_everyone():
    result = verdict(rules=Rules(manual_approval=True))
    assert result.status is CommentStatus.PENDING
    assert result.held


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ("one link https://a.example/x", CommentStatus.APPROVED),
        ("two https://a.example and http://b.example", CommentStatus.PENDING),
        ("three http://a.example http://b.example http://c.example", CommentStatus.PENDING),
    ],
)
def test_two_or_more_links_are_held_even_for_known_authors(body, status):
    draft = CommentDraft(body=body, author_name="Ada", author_email="ada@example.com")
    assert verdict(draft).status is status


def test_link_limit_zero_switches_the_check_off():
    draft = CommentDraft(
        body="http://a.example http://b.example", author_name="A", author_email="a@x.org"
    )
    assert verdict(draft, Rules(max_links=0)).status is CommentStatus.APPROVED


@pytest.mark.parametrize(
    "field",
    ["body", "author_name", "author_email", "author_url", "author_ip", "user_agent"],
)
def test_moderation_words_hold_and_disallowed_words_spam_in_every_field(field):
    values = {
        "body": "text",
        "author_name": "name",
        "author_email": "e@example.com",
        "author_url": "",
        "author_ip": "",
        "user_agent": "",
    }
    values[field] = "contains CASINO inside"
    draft = CommentDraft(**values)
    held = verdict(draft, Rules(moderation_words=("casino",)))
    assert held.status is CommentStatus.PENDING
    assert "casino" in held.reason
    spam = verdict(draft, Rules(disallowed_words=("Casino",)))
    assert spam.status is CommentStatus.SPAM


def test_disallowed_words_win_over_manual_approval_and_links():
    rules = Rules(manual_approval=True, disallowed_words=("ordinary",))
    assert verdict(rules=rules).status is CommentStatus.SPAM


def test_a_filled_honeypot_is_spam():
    assert verdict(honeypot=True).status is CommentStatus.SPAM


def test_word_lists_are_one_entry_per_line_and_ignore_blank_lines():
    assert parse_word_list("casino\n\n  cheap pills \r\n") == ("casino", "cheap pills")
    assert first_match((), ["anything"]) is None
    assert first_match(("",), ["anything"]) is None


def test_comments_close_by_switch_or_by_age():
    published = NOW - timedelta(days=30)
    assert comments_are_open(True, published, Rules().close_after_days, NOW)
    assert not comments_are_open(False, published, None, NOW)
    assert comments_are_open(True, published, 30, NOW)
    assert not comments_are_open(True, published, 29, NOW)


@pytest.mark.parametrize(
    ("seconds_ago", "flood_seconds", "expected"),
    [(5, 15, True), (15, 15, False), (60, 15, False), (1, 0, False), (None, 15, False)],
)
def test_flood_window(seconds_ago, flood_seconds, expected):
    last = None if seconds_ago is None else NOW - timedelta(seconds=seconds_ago)
    assert is_flood(last, NOW, flood_seconds) is expected


@pytest.mark.parametrize(
    ("seconds_ago", "flood_seconds", "wait"),
    [
        ([3], 15, 12),
        ([2.5], 15, 13),  # rounded up: waiting the seconds shown is always enough
        ([14.9], 15, 1),
        ([15], 15, 0),
        ([40, 3], 15, 12),  # the latest sign of the reader counts
        ([None, 10], 15, 5),
        ([None, None], 15, 0),
        ([1], 0, 0),
    ],
)
def test_seconds_to_wait(seconds_ago, flood_seconds, wait):
    times = [None if s is None else NOW - timedelta(seconds=s) for s in seconds_ago]
    assert seconds_to_wait(times, NOW, flood_seconds) == wait


def test_the_instructors_own_comment_is_published_whatever_the_rules():
    rules = Rules(manual_approval=True, disallowed_words=("ordinary",))
    result = decide_status(
        DRAFT, rules, author_has_approved_comment=False, written_by_instructor=True
    )
    assert result.status is CommentStatus.APPROVED


def test_stored_defaults_are_the_rules_defaults(app):
    from app.discussion.discussion_settings import load_rules

    with app.app_context():
        assert load_rules() == Rules()
