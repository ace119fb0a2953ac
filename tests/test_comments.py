"""Readers leave replies: the form, the rules it applies, and every refusal keeping the text."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest
from markupsafe import escape

from app.discussion.discussion_settings import load_settings
from app.extensions import db
from app.models import CommentStatus

from .conftest import count_queries, csrf_token_from, send_comment, stored_comments

HELD = "Your comment is awaiting moderation."


@pytest.fixture
def post_id(make_post):
    return make_post(slug="p", title="The Post")


def set_rules(app, **values):
    with app.app_context():
        settings = load_settings()
        for key, value in values.items():
            setattr(settings, key, value)
        db.session.add(settings)
        db.session.commit()


# The form itself


def test_form_has_the_labels_in_order_tied_to_their_fields(client, post_id):
    html = client.get("/posts/p/").text
    assert "Leave a Reply" in html
    labels = [
        '<label for="body">Comment',
        '<label for="author_name">Name',
        '<label for="author_email">Email',
        '<label for="author_url">Website',
        '<label for="remember">Save my name, email, and website in this browser for the next '
        "time I comment.</label>",
    ]
    positions = [html.index(label) for label in labels]
    assert positions == sorted(positions)
    assert "<textarea" in html and 'id="body"' in html
    assert "Your email address will not be published." in html
    assert '<button type="submit" id="submit">Post Comment</button>' in html
    assert html.count('<span class="required" aria-hidden="true">*</span>') >= 4


def test_required_fields_are_marked_and_website_is_not(client, post_id):
    html = client.get("/posts/p/").text
    website_label = html[html.index('<label for="author_url">') :].split("</label>")[0]
    assert "required" not in website_label
    name_label = html[html.index('<label for="author_name">') :].split("</label>")[0]
    assert "*" in name_label


# Submitting and the held comment


def test_a_new_readers_comment_is_held_and_only_they_see_it(app, client, post_id, post_comment):
    response = post_comment(body="My first reply.")
    assert response.status_code == 302
    [comment] = stored_comments(app)
    assert response.headers["Location"] == f"/posts/p/#comment-{comment.id}"
    assert comment.status is CommentStatus.PENDING

    own_view = client.get("/posts/p/").text
    assert "My first reply." in own_view
    assert HELD in own_view
    assert f'id="comment-{comment.id}"' in own_view

    stranger = app.test_client().get("/posts/p/").text
    assert "My first reply." not in stranger
    assert HELD not in stranger
    assert "No thoughts yet" in stranger


def test_the_held_comment_is_tied_to_the_browser_not_the_ip(app, client, post_id, post_comment):
    post_comment(body="Tied to my cookie.")
    same_ip_other_browser = app.test_client().get(
        "/posts/p/", environ_base={"REMOTE_ADDR": "127.0.0.1"}
    )
    assert "Tied to my cookie." not in same_ip_other_browser.text


def test_an_author_with_an_approved_comment_is_approved_at_once(
    app, client, post_id, make_comment, post_comment
):
    make_comment(post_id, author_name="Ada", author_email="ada@example.com")
    response = post_comment(body="Second time around.", follow=True)
    assert response.status_code == 200
    assert "Second time around." in app.test_client().get("/posts/p/").text
    assert stored_comments(app)[-1].status is CommentStatus.APPROVED


def test_stored_comment_keeps_ip_user_agent_and_details(app, client, post_id, post_comment):
    client.environ_base.update(
        {"REMOTE_ADDR": "198.51.100.7", "HTTP_USER_AGENT": "TestBrowser/1.0"}
    )
    post_comment(author_url="https://ada.example/blog")
    comment = stored_comments(app)[0]
    assert (comment.author_ip, comment.user_agent) == ("198.51.100.7", "TestBrowser/1.0")
    assert (comment.author_name, comment.author_email, comment.author_url) == (
        "Ada",
        "ada@example.com",
        "https://ada.example/blog",
    )
    assert comment.created_at.tzinfo is not None


def test_a_comment_with_three_links_is_held_even_for_a_known_author(
    app, post_id, make_comment, post_comment
):
    make_comment(post_id, author_name="Ada", author_email="ada@example.com")
    post_comment(body="See http://a.example http://b.example and https://c.example")
    assert stored_comments(app)[-1].status is CommentStatus.PENDING


def test_manual_approval_setting_holds_everyone(app, post_id, make_comment, post_comment):
    make_comment(post_id, author_name="Ada", author_email="ada@example.com")
    set_rules(app, manual_approval=True)
    post_comment()
    assert stored_comments(app)[-1].status is CommentStatus.PENDING


def test_moderation_and_disallowed_words(app, post_id, make_comment, post_comment):
    make_comment(post_id, author_name="Ada", author_email="ada@example.com")
    set_rules(app, moderation_words="essay mill", disallowed_words="casino")
    post_comment(body="Buy from our Essay Mill")
    post_comment(body="Win at the casino")
    statuses = [c.status for c in stored_comments(app)[-2:]]
    assert statuses == [CommentStatus.PENDING, CommentStatus.SPAM]


def test_spam_is_silent_and_shown_to_nobody(app, client, post_id, post_comment):
    response = post_comment(body="Totally legit", homepage_confirm="http://spam.example")
    assert response.status_code == 302
    assert stored_comments(app)[-1].status is CommentStatus.SPAM
    page = client.get("/posts/p/").text
    assert "Totally legit" not in page
    assert HELD not in page


# Remembered details


def test_ticked_checkbox_remembers_details_for_a_year(client, post_id, post_comment):
    response = post_comment(remember="y", author_url="https://ada.example")
    cookies = response.headers.getlist("Set-Cookie")
    author_cookie = next(c for c in cookies if c.startswith("comment_author=Ada"))
    assert "Max-Age=31536000" in author_cookie
    assert "HttpOnly" in author_cookie
    html = client.get("/posts/p/").text
    assert 'value="Ada"' in html
    assert 'value="ada@example.com"' in html
    assert 'value="https://ada.example"' in html
    assert 'checked id="remember"' in html


def test_unticked_checkbox_forgets_details(client, post_id, post_comment):
    post_comment(remember="y")
    client.application.config["COMMENT_FLOOD_SECONDS"] = 0
    post_comment(body="Another one")
    html = client.get("/posts/p/").text
    assert 'value="Ada"' not in html
    assert client.get_cookie("comment_author") is None


# Threaded replies


def test_reply_link_renders_the_form_as_a_reply_without_javascript(client, post_id, make_comment):
    parent = make_comment(post_id, author_name="Ada")
    html = client.get("/posts/p/").text
    # Relative to the post page itself (shorter on a page with a thousand replies).
    href = re.search(r'class="comment-reply-link"[^>]*href="([^"]+)"', html).group(1)
    assert urljoin("http://localhost/posts/p/", href) == (
        f"http://localhost/posts/p/?replytocom={parent}#respond"
    )
    assert 'aria-label="Reply to Ada"' in html
    reply_page = client.get(f"/posts/p/?replytocom={parent}").text
    assert 'Leave a Reply to <span class="reply-to-name">Ada</span>' in reply_page
    assert "Cancel reply" in reply_page
    assert f'id="comment_parent" name="parent_id" type="hidden" value="{parent}"' in reply_page


def test_a_reply_nests_under_its_parent_and_counts(
    app, client, post_id, make_comment, post_comment
):
    parent = make_comment(post_id, author_name="Ada")
    make_comment(post_id, author_name="Bo", author_email="bo@example.com")
    post_comment(
        parent_id=str(parent), author_name="Bo", author_email="bo@example.com", body="Replying"
    )
    reply = stored_comments(app)[-1]
    assert reply.parent_id == parent
    assert reply.status is CommentStatus.APPROVED
    html = client.get("/posts/p/").text
    parent_block = html[html.index(f'id="comment-{parent}"') :]
    assert parent_block.index('<ol class="children">') < parent_block.index("Replying")
    assert "3 thoughts on “The Post”" in html


def test_replies_deeper_than_five_levels_attach_at_the_fifth(app, client, post_id, make_comment):
    ids = [make_comment(post_id)]
    for _ in range(6):
        ids.append(make_comment(post_id, parent_id=ids[-1]))
    html = client.get("/posts/p/").text
    assert html.count('<ol class="children">') == 4
    assert 'class="comment depth-5"' in html
    assert "depth-6" not in html
    assert "7 thoughts on" in html


@pytest.mark.parametrize("which", ["pending", "other-post", "missing", "garbage"])
def test_replying_to_an_unavailable_comment_is_refused_and_keeps_the_text(
    app, client, post_id, make_post, make_comment, post_comment, which
):
    other_post = make_post(slug="other")
    parents = {
        "pending": make_comment(post_id, status=CommentStatus.PENDING),
        "other-post": make_comment(other_post),
        "missing": 99_999,
        "garbage": "1 OR 1=1",
    }
    before = len(stored_comments(app))
    response = post_comment(parent_id=str(parents[which]), body="My careful reply")
    assert response.status_code == 400
    assert "The comment you are replying to is not available" in response.text
    assert "My careful reply</textarea>" in response.text
    assert len(stored_comments(app)) == before


def test_a_reply_link_to_a_held_comment_shows_the_plain_form(client, post_id, make_comment):
    held = make_comment(post_id, status=CommentStatus.PENDING, author_name="Secret Sam")
    html = client.get(f"/posts/p/?replytocom={held}").text
    assert "Secret Sam" not in html
    assert ">Leave a Reply</h2>" in html


# Closed comments


def test_closed_post_shows_comments_are_closed_and_refuses(app, client, make_post, post_comment):
    make_post(slug="closed", comments_open=False)
    html = client.get("/posts/closed/").text
    assert "Comments are closed." in html
    assert "Post Comment" not in html
    # A tab opened before the post closed still holds a valid token.
    make_post(slug="open")
    token = csrf_token_from(client.get("/posts/open/").text)
    response = send_comment(
        client, "closed", token, body="Let me in", author_name="Ada", author_email="ada@example.com"
    )
    assert response.status_code == 403
    assert "Comments are closed." in response.text
    assert stored_comments(app) == []


def test_comments_close_on_old_posts_when_configured(app, client, make_post, post_comment):
    from datetime import UTC, datetime

    make_post(slug="old", published_at=datetime(2001, 1, 1, tzinfo=UTC))
    set_rules(app, close_after_days=30)
    assert "Comments are closed." in client.get("/posts/old/").text


# Refusals keep the text and say why


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"body": ""}, "Please type your comment."),
        ({"body": "   \n\t  "}, "Please type your comment."),
        ({"author_name": ""}, "Please enter your name."),
        ({"author_name": "   "}, "Please enter your name."),
        ({"author_email": ""}, "Please enter your email address."),
        ({"author_email": "not-an-email"}, "An email address needs an @"),
        ({"author_email": "ada@"}, "This email address has no domain after the @"),
        ({"author_email": "@example.com"}, "This email address has nothing before the @."),
        ({"author_email": "ada@exa mple.com"}, "Please enter a valid email address."),
        ({"author_url": "JavaScript:alert(1)"}, "starts with http:// or https://"),
        ({"author_url": "data:text/html,hi"}, "starts with http:// or https://"),
        ({"author_url": "javascript:alert(1)"}, "starts with http:// or https://"),
        ({"author_url": "ftp://files.example"}, "starts with http:// or https://"),
        ({"author_url": "http://"}, "starts with http:// or https://"),
        ({"body": "x" * 65_526}, "at most 65,525 characters"),
        ({"author_name": "n" * 246}, "at most 245 characters"),
        ({"author_email": "e" * 90 + "@example.com"}, "at most 100 characters"),
        ({"author_url": "https://example.com/" + "u" * 190}, "at most 200 characters"),
    ],
)
def test_invalid_input_is_refused_with_the_reason_and_the_text_kept(
    app, post_id, post_comment, fields, message
):
    data = {"body": "Keep this text, please.", **fields}
    response = post_comment(**data)
    assert response.status_code == 400
    assert message in response.text
    assert 'class="field-error"' in response.text
    if data["body"].strip() and len(data["body"]) < 100:
        assert f"{data['body']}</textarea>" in response.text
    assert stored_comments(app) == []


def test_control_characters_are_stripped_but_newlines_and_tabs_kept(app, post_id, post_comment):
    post_comment(body="a\x00b\x07c\r\nd\te\x1b", author_name="Ad\x00a\nLovelace")
    comment = stored_comments(app)[0]
    assert comment.body == "abc\nd\te"
    assert comment.author_name == "Ada Lovelace"


@pytest.mark.parametrize("token", ["", "not-a-token"])
def test_expired_or_missing_csrf_token_keeps_the_text(app, client, post_id, token):
    client.get("/posts/p/")
    response = send_comment(
        client,
        "p",
        token,
        body="Written in a stale tab",
        author_name="Ada",
        author_email="ada@example.com",
    )
    assert response.status_code == 400
    assert "Your session expired; please submit again." in response.text
    assert "Written in a stale tab</textarea>" in response.text
    assert stored_comments(app) == []
    # The re-rendered form carries a fresh token that works.
    retry = send_comment(
        client,
        "p",
        csrf_token_from(response.text),
        body="Written in a stale tab",
        author_name="Ada",
        author_email="ada@example.com",
    )
    assert retry.status_code == 302


def test_a_session_that_ended_is_treated_like_an_expired_token(app, client, post_id):
    token = csrf_token_from(client.get("/posts/p/").text)
    fresh_browser = app.test_client()
    response = send_comment(
        fresh_browser,
        "p",
        token,
        body="Session gone",
        author_name="Ada",
        author_email="ada@example.com",
    )
    assert response.status_code == 400
    assert "Your session expired" in response.text


@pytest.mark.app_config(COMMENT_FLOOD_SECONDS=15)
def test_flood_control_follows_the_browser_when_the_email_changes(app, post_id, post_comment):
    assert post_comment(body="first").status_code == 302
    response = post_comment(body="second, too soon", author_email="other@example.com")
    assert response.status_code == 429
    assert re.search(r"Please wait 1[45] seconds before posting again\.", response.text)
    assert response.headers["Retry-After"] in ("14", "15")
    assert "second, too soon</textarea>" in response.text
    assert len(stored_comments(app)) == 1


@pytest.mark.app_config(COMMENT_FLOOD_SECONDS=15)
def test_flood_control_does_not_hold_up_another_student_at_the_same_address(
    app, client, post_id, post_comment
):
    assert post_comment(body="first").status_code == 302
    classmate = app.test_client()  # same 127.0.0.1, own browser, own email
    token = csrf_token_from(classmate.get("/posts/p/").text)
    response = send_comment(
        classmate, "p", token, body="Mine", author_name="Bo", author_email="bo@example.com"
    )
    assert response.status_code == 302
    assert len(stored_comments(app)) == 2


@pytest.mark.app_config(COMMENT_FLOOD_SECONDS=15)
def test_flood_control_follows_the_email_across_ips(app, client, post_id, post_comment):
    post_comment(body="first")
    client.environ_base["REMOTE_ADDR"] = "203.0.113.50"
    assert post_comment(body="second").status_code == 429


@pytest.mark.app_config(COMMENT_FLOOD_SECONDS=0)
def test_flood_control_can_be_switched_off(app, post_id, post_comment):
    assert post_comment(body="first").status_code == 302
    assert post_comment(body="second").status_code == 302


@pytest.mark.app_config(COMMENT_FLOOD_SECONDS=0)
def test_duplicate_comment_is_refused(app, post_id, post_comment):
    post_comment(body="Same words")
    response = post_comment(body="Same words", author_email="new@example.com")
    assert response.status_code == 409
    assert "You have already posted this comment here, so it was not posted again." in (
        response.text
    )
    assert "Same words</textarea>" in response.text
    assert len(stored_comments(app)) == 1


def test_a_comment_on_an_unknown_post_gets_a_404_with_its_text_and_the_reason(
    client, post_id, post_comment
):
    token = csrf_token_from(client.get("/posts/p/").text)
    response = client.post(
        "/posts/no-such-post/comments",
        data={"csrf_token": token, "body": "Words to keep.", "author_name": "A"},
    )
    assert response.status_code == 404
    assert "your comment was not posted" in response.text
    assert "Words to keep.</textarea>" in response.text


def test_a_comment_sent_to_a_posts_old_address_reaches_the_post(app, client, make_post):
    from app.models import OldSlug

    post_id = make_post(slug="new-name")
    with app.app_context():
        db.session.add(OldSlug(slug="old-name", post_id=post_id))
        db.session.commit()
    token = csrf_token_from(client.get("/posts/new-name/").text)
    response = send_comment(
        client, "old-name", token, body="Still here.", author_name="A", author_email="a@b.org"
    )
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/posts/new-name/#comment-")
    assert [c.body for c in stored_comments(app)] == ["Still here."]


@pytest.mark.app_config(MAX_CONTENT_LENGTH=1024)
def test_a_body_over_the_size_limit_gets_a_friendly_413(client, post_id, post_comment):
    response = post_comment(body="x" * 5000)
    assert response.status_code == 413
    assert "more than this blog accepts" in response.text


def test_a_get_of_the_form_address_goes_to_the_form(client, post_id):
    response = client.get("/posts/p/comments")
    assert response.status_code == 302
    assert response.headers["Location"] == "/posts/p/#respond"
    assert client.get("/posts/p/comments", follow_redirects=True).status_code == 200


def test_the_form_posts_to_an_address_that_lands_back_at_the_form(client, post_id):
    assert 'action="/posts/p/comments#respond"' in client.get("/posts/p/").text


def test_a_post_without_a_csrf_token_stores_nothing(app, client, post_id):
    client.post(
        "/posts/p/comments", data={"body": "x", "author_name": "A", "author_email": "a@example.com"}
    )
    assert stored_comments(app) == []


# Rendering reader text


XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    "</textarea><script>alert(1)</script>",
    "' onmouseover='alert(1)",
]


@pytest.mark.parametrize("payload", XSS)
def test_xss_payloads_in_every_field_are_rendered_inert(
    app, client, post_id, make_comment, post_comment, payload
):
    make_comment(post_id, author_name=payload, author_email="x@example.com", body=payload)
    post_comment(body=payload, author_name=payload)
    for html in (client.get("/posts/p/").text, post_comment(body=payload, author_email="bad").text):
        assert payload not in html or payload == "javascript:alert(1)"
        assert str(escape(payload)) in html
        assert "<script>alert(1)" not in html
        assert "onerror=alert(1)>" not in html


def test_bare_links_become_nofollow_links_and_text_is_escaped(client, post_id, make_comment):
    make_comment(post_id, body="Read https://example.org/a?b=1&c=2. <b>Bold</b>")
    html = client.get("/posts/p/").text
    assert (
        '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc">https://example.org/a?b=1&amp;c=2</a>.'
        in html
    )
    assert "&lt;b&gt;Bold&lt;/b&gt;" in html


def test_a_stored_website_that_is_not_http_is_never_a_link(client, post_id, make_comment):
    make_comment(post_id, author_name="Mallory", author_url="javascript:alert(1)")
    html = client.get("/posts/p/").text
    assert 'href="javascript' not in html
    assert "Mallory" in html


@pytest.mark.parametrize(
    "text",
    ["Привет, товарищи! Хрущёв", "😀🎉 emoji 👩🏽‍🎓", "مرحبا بالعالم", "שלום עולם", "混合 text ñ"],
)
def test_unicode_is_stored_and_shown_exactly(app, client, post_id, post_comment, text):
    post_comment(body=text, author_name=text[:10])
    comment = stored_comments(app)[0]
    assert comment.body == text
    assert comment.author_name == text[:10]
    assert str(escape(text)) in client.get("/posts/p/").text


def test_post_page_reads_a_fixed_number_of_queries(app, client, post_id, make_comment):
    first = make_comment(post_id)
    baseline = count_queries(app, client, "/posts/p/")
    for _ in range(20):
        make_comment(post_id, parent_id=first)
    assert count_queries(app, client, "/posts/p/") == baseline
    assert baseline == 3  # the post, its visible comments, the discussion settings


# Refusals land at the form: a summary of every problem, each linked to its field.

SUMMARY = re.compile(r'<div class="error-summary" id="error-summary".*?</div>', re.S)


def test_a_refused_form_lists_each_problem_as_a_link_to_its_field(client, post_id, post_comment):
    response = post_comment(body="Kept words.", author_name="", author_email="no-at-sign")
    assert response.status_code == 400
    summary = SUMMARY.search(response.text).group(0)
    assert 'tabindex="-1"' in summary
    assert '<a href="#author_name">Please enter your name.</a>' in summary
    assert '<a href="#author_email">' in summary
    assert "#body" not in summary  # the comment itself was fine
    assert 'aria-invalid="true" aria-describedby="author_name-error"' in response.text or (
        'aria-describedby="author_name-error" aria-invalid="true"' in response.text
    )
    assert "Kept words.</textarea>" in response.text
    assert response.text.index("error-summary") < response.text.index('id="commentform"')
    assert "error-summary.js" in response.text


def test_a_refusal_for_the_whole_form_is_in_the_summary_in_words(client, post_id, post_comment):
    post_comment(body="Said once.")
    response = post_comment(body="Said once.")  # a reload of the page that posted it
    summary = SUMMARY.search(response.text).group(0)
    assert "You have already posted this comment here, so it was not posted again." in summary


def test_a_comment_on_a_closed_post_keeps_its_text_under_the_summary(client, make_post):
    make_post(slug="closed", comments_open=False)
    make_post(slug="open")  # a closed post has no form: the token comes from a tab left open
    token = csrf_token_from(client.get("/posts/open/").text)
    response = send_comment(
        client, "closed", token, body="Too late?", author_name="A", author_email="a@b.org"
    )
    assert response.status_code == 403
    assert "Comments are closed." in SUMMARY.search(response.text).group(0)
    assert "Too late?</textarea>" in response.text


def test_an_ordinary_page_has_no_error_summary(client, post_id):
    html = client.get("/posts/p/").text
    assert "error-summary" not in html


# Confirmation where the reader looks: inside the comment the page lands on.


def comment_item(html: str, location: str) -> str:
    comment_id = location.rsplit("#comment-", 1)[1]
    match = re.search(rf'<li id="comment-{comment_id}".*?</article>', html, re.S)
    assert match, "the comment the page lands on is not on it"
    return match.group(0)


def test_a_held_comment_lands_with_its_preview_notice_inside_it(client, post_id, post_comment):
    response = post_comment(body="Held words.")
    page = client.get(response.headers["Location"])
    item = comment_item(page.text, response.headers["Location"])
    assert (
        "Your comment is awaiting moderation. This is a preview; only you can see it until the "
        "instructor approves it." in item
    )
    assert 'class="flashes"' not in page.text  # not at the top of the page, out of view


def test_a_published_comment_lands_with_the_thanks_inside_it_once(
    client, post_id, post_comment, make_comment
):
    make_comment(post_id, author_name="Ada", author_email="ada@example.com")  # approved before
    response = post_comment(body="Published at once.")
    location = response.headers["Location"]
    item = comment_item(client.get(location).text, location)
    assert "Thank you! Your comment is published." in item
    assert 'role="status"' in item
    again = client.get(location).text  # a later visit: the comment, no more thanks
    assert "Thank you! Your comment is published." not in again
    assert "Published at once." in again


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("www.example.com", "https://www.example.com"),
        ("example.com/blog", "https://example.com/blog"),
        ("  example.com:8080/me ", "https://example.com:8080/me"),
        ("http://old.example", "http://old.example"),
        ("https://ada.example/blog", "https://ada.example/blog"),
    ],
)
def test_a_website_is_taken_as_people_type_it(app, post_id, post_comment, typed, stored):
    assert post_comment(author_url=typed).status_code == 302
    assert stored_comments(app)[0].author_url == stored


def test_the_website_field_does_not_make_the_browser_refuse_a_bare_address(client, post_id):
    field = re.search(r'<input[^>]*id="author_url"[^>]*>', client.get("/posts/p/").text).group(0)
    assert 'type="text"' in field
    assert 'inputmode="url"' in field


# Before posting, a first-time reader learns that the instructor reads their comment first.


def save_review_settings(app, *, manual: bool, prior: bool) -> None:
    from app.discussion.discussion_settings import save_settings

    with app.app_context():
        save_settings(
            manual_approval=manual,
            require_prior_approval=prior,
            max_links=2,
            moderation_words="",
            disallowed_words="",
            close_after_days=None,
            notify_email=None,
            comments_per_page=None,
            newest_comments_first=False,
            digest_minutes=15,
        )


FIRST_REVIEWED = "Your first comment is reviewed by the instructor before it appears"
EVERY_REVIEWED = "Comments are reviewed by the instructor before they appear."


def test_the_form_says_what_the_instructor_reviews_as_the_settings_change(app, client, post_id):
    assert FIRST_REVIEWED in client.get("/posts/p/").text  # the defaults, before any save
    save_review_settings(app, manual=True, prior=True)
    page = client.get("/posts/p/").text  # the cached page follows the settings
    assert EVERY_REVIEWED in page and FIRST_REVIEWED not in page
    save_review_settings(app, manual=False, prior=False)
    page = client.get("/posts/p/").text
    assert "reviewed by the instructor" not in page


def test_a_remembered_reader_is_not_told_again_about_their_first_comment(
    client, post_id, post_comment
):
    post_comment(remember="y")
    page = client.get("/posts/p/").text
    assert 'value="Ada"' in page
    assert FIRST_REVIEWED not in page


def test_the_instructor_is_not_told_about_review(moderator, post_id):
    assert "reviewed by the instructor" not in moderator.get("/posts/p/").text


# A remembered reader's details are folded away; the instructor has none to type.


def test_a_remembered_reader_sees_commenting_as_with_the_fields_folded(
    client, post_id, post_comment
):
    post_comment(remember="y", author_name="Ada Byron")
    page = client.get("/posts/p/").text
    details = re.search(r'<details class="comment-author-details">.*?</details>', page, re.S)
    assert details, "the fields are not folded"
    assert "<summary>Commenting as <b>Ada Byron</b> · " in details.group(0)
    assert '<span class="change-link">Change</span></summary>' in details.group(0)
    assert 'id="author_email"' in details.group(0)  # inside, still sent with the form
    assert '<details class="comment-author-details" open' not in page


def test_an_email_without_an_at_gets_one_message_not_two(client, post_id, post_comment):
    response = post_comment(author_email="ada.example.com")
    assert response.text.count('id="author_email-error"') == 1
    assert "Please enter a valid email address." not in response.text


def test_a_refused_remembered_reader_sees_the_field_that_needs_them(client, post_id, post_comment):
    post_comment(remember="y")
    response = post_comment(remember="y", author_email="ada@")
    assert "comment-author-details" not in response.text
    assert 'aria-invalid="true"' in response.text


def test_a_new_reader_sees_the_fields_unfolded(client, post_id):
    assert "<details" not in client.get("/posts/p/").text


def test_the_logged_in_instructor_comments_as_their_display_name_without_fields(
    app, moderator, post_id
):
    page = moderator.get("/posts/p/").text
    assert "Logged in as <b>Professor Lee</b>." in page
    assert ">Log out?</button>" in page
    assert 'id="author_name"' not in page and 'id="author_email"' not in page
    token = csrf_token_from(page)
    response = moderator.post("/posts/p/comments", data={"csrf_token": token, "body": "Noted."})
    assert response.status_code == 302
    comment = stored_comments(app)[0]
    assert (comment.author_name, comment.author_email, comment.status) == (
        "Professor Lee",
        "",
        CommentStatus.APPROVED,
    )


def test_the_summary_lists_problems_in_the_order_of_the_page(client, post_id, post_comment):
    response = post_comment(body="", author_name="")
    summary = SUMMARY.search(response.text).group(0)
    assert summary.index('href="#body"') < summary.index('href="#author_name"')


def test_each_comment_shows_a_lasting_link_that_leads_back_to_it(client, post_id, make_comment):
    comment_id = make_comment(post_id, author_name="Ada")
    html = client.get("/posts/p/").text
    assert (
        f'<a href="/comments/{comment_id}/" aria-label="Link to this comment by Ada">Link</a>'
        in html
    )
    location = client.get(f"/comments/{comment_id}/").headers["Location"]
    assert location == f"/posts/p/#comment-{comment_id}"
