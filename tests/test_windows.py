"""Assignment windows: the rule at its boundaries, the form it shows, late marks, the cached page
as time passes, and the instructor's screen that sets them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app import create_app
from app.discussion.windows import (
    CLOSES_BEFORE_DUE,
    CLOSES_BEFORE_OPENS,
    DUE_BEFORE_OPENS,
    AssignmentWindow,
    UnusableLocalTime,
    WindowState,
    from_local,
    is_late,
    window_problems,
    window_state,
)
from app.extensions import db
from app.models import Post

from .conftest import BASE_TEST_CONFIG, csrf_token_from, form_post, stored_comments

OPENS = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DUE = datetime(2026, 3, 5, 17, 0, tzinfo=UTC)
CLOSES = datetime(2026, 3, 7, 17, 0, tzinfo=UTC)
WINDOW = AssignmentWindow(OPENS, DUE, CLOSES)
SECOND = timedelta(seconds=1)


def page_text(response) -> str:
    """What a reader reads: the page without its tags."""
    return re.sub(r"<[^>]+>", "", response.text)


def state_at(now, window=WINDOW, *, comments_open=True, close_after_days=None):
    return window_state(
        window,
        comments_open=comments_open,
        published_at=datetime(2016, 3, 1, tzinfo=UTC),
        close_after_days=close_after_days,
        now=now,
    )


# The rule, without a request


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (OPENS - SECOND, WindowState.NOT_YET_OPEN),
        (OPENS, WindowState.OPEN),
        (DUE - SECOND, WindowState.OPEN),
        (DUE + SECOND, WindowState.OPEN),  # late, but taken
        (CLOSES, WindowState.OPEN),  # the closing time itself is inside
        (CLOSES + SECOND, WindowState.WINDOW_CLOSED),
    ],
)
def test_the_window_state_at_its_boundaries(now, expected):
    assert state_at(now) is expected


def test_the_posts_switch_closes_it_whatever_the_window():
    assert state_at(OPENS - SECOND, comments_open=False) is WindowState.CLOSED
    assert state_at(DUE, comments_open=False) is WindowState.CLOSED


def test_the_sites_age_limit_applies_only_to_posts_without_a_window():
    # The post is from 2016: a 30-day limit would never let its 2026 window open.
    assert state_at(DUE, close_after_days=30) is WindowState.OPEN
    assert state_at(DUE, AssignmentWindow(), close_after_days=30) is WindowState.CLOSED
    assert state_at(DUE, AssignmentWindow()) is WindowState.OPEN


def test_each_end_is_optional():
    assert state_at(OPENS - SECOND, AssignmentWindow(due_at=DUE)) is WindowState.OPEN
    assert state_at(CLOSES + SECOND, AssignmentWindow(opens_at=OPENS)) is WindowState.OPEN
    only_close = AssignmentWindow(closes_at=CLOSES)
    assert state_at(CLOSES + SECOND, only_close) is WindowState.WINDOW_CLOSED


@pytest.mark.parametrize(
    ("submitted", "late"),
    [(DUE - SECOND, False), (DUE, False), (DUE + SECOND, True)],
)
def test_a_comment_is_late_only_after_the_due_time(submitted, late):
    assert is_late(DUE, submitted) is late
    assert is_late(None, submitted) is False


@pytest.mark.parametrize(
    ("window", "problems"),
    [
        (WINDOW, {}),
        (AssignmentWindow(), {}),
        (AssignmentWindow(OPENS, OPENS, OPENS), {}),
        (AssignmentWindow(DUE, OPENS, CLOSES), {"due_at": DUE_BEFORE_OPENS}),
        (AssignmentWindow(OPENS, CLOSES, DUE), {"closes_at": CLOSES_BEFORE_DUE}),
        (AssignmentWindow(DUE, None, OPENS), {"closes_at": CLOSES_BEFORE_OPENS}),
        (
            AssignmentWindow(CLOSES, DUE, OPENS),
            {"due_at": DUE_BEFORE_OPENS, "closes_at": CLOSES_BEFORE_DUE},
        ),
    ],
)
def test_contradicting_dates_are_named_by_field(window, problems):
    assert window_problems(window) == problems


def test_local_times_become_utc_and_a_skipped_time_is_refused():
    paris = ZoneInfo("Europe/Paris")
    assert from_local(datetime(2026, 3, 3, 9, 0), paris) == datetime(2026, 3, 3, 8, 0, tzinfo=UTC)
    assert from_local(datetime(2026, 7, 3, 9, 0), paris) == datetime(2026, 7, 3, 7, 0, tzinfo=UTC)
    with pytest.raises(UnusableLocalTime, match="the clocks skip it"):
        from_local(datetime(2026, 3, 29, 2, 30), paris)
    # 02:30 happens twice on the last Sunday of October: the first one (summer time) is taken.
    assert from_local(datetime(2026, 10, 25, 2, 30), paris) == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )


def test_a_misspelt_site_time_zone_stops_the_app_at_start():
    with pytest.raises(ValueError, match="is not a time zone name"):
        create_app({**BASE_TEST_CONFIG, "SITE_TIMEZONE": "Europe/Pariss"})


# The post page and the submission, as time passes


@pytest.fixture
def windowed(make_post):
    return make_post(slug="w", title="Windowed", opens_at=OPENS, due_at=DUE, closes_at=CLOSES)


@pytest.fixture
def clock(monkeypatch):
    """Set the time the blog's views see."""

    def set_to(moment: datetime) -> None:
        monkeypatch.setattr("app.blog.views.utcnow", lambda: moment)

    return set_to


def submit(client, body, *, email="ada@example.com"):
    token = csrf_token_from(client.get("/posts/p/").text)
    return client.post(
        "/posts/w/comments",
        data={"csrf_token": token, "body": body, "author_name": "Ada", "author_email": email},
    )


def test_before_it_opens_the_form_says_when_and_takes_nothing(
    app, client, windowed, make_post, clock
):
    make_post(slug="p")  # an open post, for a CSRF token
    clock(OPENS - SECOND)
    html = page_text(client.get("/posts/w/"))
    assert "Comments open on March 2, 2026 at 9:00 am UTC." in html
    assert "Post Comment" not in html

    response = submit(client, "Too early, but I wrote it carefully.")
    assert response.status_code == 403
    assert "Comments on this post are not open yet." in response.text
    assert "Too early, but I wrote it carefully." in response.text  # kept, to copy
    assert stored_comments(app) == []


def test_after_it_closes_the_form_is_closed_with_a_message(app, client, windowed, make_post, clock):
    make_post(slug="p")
    clock(CLOSES + SECOND)
    html = page_text(client.get("/posts/w/"))
    assert "Comments closed on March 7, 2026 at 5:00 pm UTC." in html
    assert "Post Comment" not in html
    response = submit(client, "Too late.")
    assert response.status_code == 403
    assert "Comments are closed." in response.text
    assert stored_comments(app) == []


@pytest.mark.app_config(SITE_TIMEZONE="Europe/Paris")
def test_the_message_speaks_the_sites_time_zone(client, windowed, clock):
    clock(OPENS - SECOND)
    assert "Comments open on March 2, 2026 at 10:00 am CET." in page_text(client.get("/posts/w/"))


def test_the_cached_page_follows_the_clock_without_any_change_stored(client, windowed, clock):
    """A window opening or closing changes no row: the cached page must still change."""
    clock(OPENS - SECOND)
    assert "Comments open on" in client.get("/posts/w/").text
    clock(OPENS)
    html = client.get("/posts/w/").text
    assert "Post Comment" in html and "Comments open on" not in html
    clock(CLOSES + SECOND)
    html = client.get("/posts/w/").text
    assert "Comments closed on" in html and "Post Comment" not in html


def test_comments_one_second_either_side_of_due_are_taken_and_only_the_second_is_late(
    app, client, windowed, make_post, clock, moderator_client
):
    make_post(slug="p")
    clock(DUE - SECOND)
    assert submit(client, "Just in time.").status_code == 302
    clock(DUE + SECOND)
    assert submit(client, "Just too late.", email="bo@example.com").status_code == 302
    comments = stored_comments(app)
    assert [c.created_at for c in comments] == [DUE - SECOND, DUE + SECOND]

    queue = moderator_client.get("/moderation?status=all").text
    on_time = queue[queue.index("Just in time.") - 3000 : queue.index("Just in time.")]
    late = queue[queue.index("Just too late.") - 3000 : queue.index("Just too late.")]
    assert "badge-late" in late.split('class="mod-comment')[-1]
    assert "badge-late" not in on_time.split('class="mod-comment')[-1]
    # Readers never see "late", the author included.
    assert "badge-late" not in client.get("/posts/w/").text


def test_a_comments_time_is_when_it_was_submitted_not_approved(
    app, client, windowed, make_post, clock, moderator_client
):
    make_post(slug="p")
    clock(DUE - SECOND)
    submit(client, "Held for moderation, on time.")
    [comment] = stored_comments(app)
    form_post(moderator_client, f"/moderation/comments/{comment.id}/approve", {"next": "/"})
    [approved] = stored_comments(app)
    assert approved.status.value == "approved"
    assert approved.created_at == DUE - SECOND
    assert "badge-late" not in moderator_client.get("/moderation?status=all").text


@pytest.fixture
def moderator_client(app, auth):
    """A second client, logged in as the instructor, beside the reader's ``client``."""
    from .conftest import AuthActions

    instructor = app.test_client()
    assert AuthActions(instructor).login().status_code == 302
    return instructor


# The instructor's screen


def stored_window(app, post_id):
    with app.app_context():
        post = db.session.get(Post, post_id)
        return post.opens_at, post.due_at, post.closes_at


@pytest.mark.app_config(SITE_TIMEZONE="Europe/Paris")
def test_the_instructor_sets_a_window_in_the_sites_time_zone(app, moderator, make_post):
    post_id = make_post(slug="p")
    page = moderator.get(f"/class/posts/{post_id}/window")
    assert "times in Europe/Paris" in page.text
    response = form_post(
        moderator,
        f"/class/posts/{post_id}/window",
        {"opens_at": "2026-03-02T09:00", "due_at": "2026-03-05T17:00", "closes_at": ""},
        page=f"/class/posts/{post_id}/window",
    )
    assert response.status_code == 302
    assert stored_window(app, post_id) == (
        datetime(2026, 3, 2, 8, 0, tzinfo=UTC),
        datetime(2026, 3, 5, 16, 0, tzinfo=UTC),
        None,
    )
    again = moderator.get(f"/class/posts/{post_id}/window").text
    assert 'value="2026-03-05T17:00"' in again  # shown as it was typed


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"opens_at": "2026-03-05T09:00", "due_at": "2026-03-02T09:00"},
            "The due time is before the opening time",
        ),
        (
            {"due_at": "2026-03-05T09:00", "closes_at": "2026-03-04T09:00"},
            "The closing time is before the due time",
        ),
        ({"due_at": "next Tuesday"}, "Enter a date and time, such as 2026-03-03 17:00."),
        ({"due_at": "2026-02-30T09:00"}, "Enter a date and time"),
        # Year 1 and year 9999 would overflow when turned into UTC.
        ({"opens_at": "0001-01-01T00:00"}, "Choose a date between 1900 and 2200."),
        ({"closes_at": "9999-12-31T23:59"}, "Choose a date between 1900 and 2200."),
    ],
)
@pytest.mark.app_config(SITE_TIMEZONE="America/New_York")
def test_contradicting_or_unreadable_dates_are_refused_with_the_reason(
    app, moderator, make_post, fields, message
):
    post_id = make_post(slug="p")
    url = f"/class/posts/{post_id}/window"
    response = form_post(moderator, url, fields, page=url)
    assert response.status_code == 400
    assert message in response.text
    assert stored_window(app, post_id) == (None, None, None)


@pytest.mark.app_config(SITE_TIMEZONE="Europe/Paris")
def test_a_time_the_clocks_skip_is_refused(app, moderator, make_post):
    post_id = make_post(slug="p")
    url = f"/class/posts/{post_id}/window"
    response = form_post(moderator, url, {"due_at": "2026-03-29T02:30"}, page=url)
    assert response.status_code == 400
    assert "does not exist in Europe/Paris" in response.text


def test_the_window_screen_is_linked_from_the_settings_page(moderator, make_post):
    post_id = make_post(slug="p")
    assert f'href="/class/posts/{post_id}/window"' in moderator.get("/moderation/settings").text


def test_saving_a_window_renews_the_cached_page(app, client, moderator, make_post, clock):
    post_id = make_post(slug="p")
    clock(datetime(2026, 3, 1, tzinfo=UTC))
    assert "Post Comment" in client.get("/posts/p/").text
    url = f"/class/posts/{post_id}/window"
    form_post(moderator, url, {"opens_at": "2026-03-02T09:00"}, page=url)
    assert "Comments open on March 2, 2026" in page_text(client.get("/posts/p/"))
