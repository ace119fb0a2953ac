"""Inputs nobody here wrote (issue 11): digits from other scripts, Host headers that are not
ours, ``next`` links in pages, and comments as long as the form allows in any script.

Every one of them once gave a 500, a lost comment or a link to somewhere else; each test here
failed before its fix.
"""

from __future__ import annotations

import http.client

import pytest

from app.models import CommentStatus

from .conftest import form_post, stored_comments
from .live_server import gunicorn

BAD_PARENT = "The comment you are replying to is not available"

# str.isdigit() says yes to each of these; int() refuses the first two and reads the third as 3.
UNICODE_DIGITS = ["²", "①", "٣", "𝟙", "1²"]


@pytest.fixture
def post_id(make_post):
    return make_post(slug="p", title="Target")


# Digits from other scripts


@pytest.mark.parametrize("value", UNICODE_DIGITS)
def test_a_reply_link_with_unicode_digits_shows_the_page(client, post_id, value):
    response = client.get("/posts/p/", query_string={"replytocom": value})
    assert response.status_code == 200
    assert BAD_PARENT in response.text
    assert "Leave a Reply" in response.text


@pytest.mark.parametrize("value", UNICODE_DIGITS)
def test_a_reply_to_unicode_digits_gives_the_reader_their_text_back(
    app, client, post_id, post_comment, value
):
    response = post_comment(body="My words, kept.", parent_id=value)
    assert response.status_code == 400
    assert BAD_PARENT in response.text
    assert "My words, kept.</textarea>" in response.text
    assert stored_comments(app) == []


def test_a_reply_to_an_ascii_id_still_works(app, client, post_id, make_comment, post_comment):
    parent = make_comment(post_id)
    assert post_comment(body="An answer.", parent_id=str(parent)).status_code == 302
    assert stored_comments(app)[-1].parent_id == parent


@pytest.mark.parametrize("value", UNICODE_DIGITS)
def test_bulk_actions_skip_ids_in_unicode_digits(app, moderator, post_id, make_comment, value):
    held = make_comment(post_id, status=CommentStatus.PENDING)
    response = form_post(
        moderator, "/moderation/bulk", {"action": "approve", "ids": [value, str(held)]}
    )
    assert response.status_code == 302
    assert "1 comment approved." in moderator.get("/moderation").text
    assert [c.status for c in stored_comments(app)] == [CommentStatus.APPROVED]


def test_bulk_action_with_only_unicode_digits_selects_nothing(moderator, post_id):
    response = form_post(moderator, "/moderation/bulk", {"action": "approve", "ids": "²"})
    assert response.status_code == 302
    assert "No comments were selected" in moderator.get("/moderation").text


def test_text_positive_id():
    from app.text import positive_id

    assert positive_id("42") == 42
    assert positive_id(" 42 ") is None
    for text in ("", "0", "-1", "+1", "1.0", "1e3", "²", "٣", "99999999999", None):
        assert positive_id(text) is None, text
    assert positive_id("2147483647") == 2_147_483_647
    assert positive_id("2147483648") is None


# Host headers that are not ours

# "a..b" has an empty label and a 64-character label is too long: neither can be IDNA-encoded.
BAD_HOSTS = ["a..b", "a" * 64 + ".example", "a..b:5000"]
HOST_URLS = [("GET", "/"), ("GET", "/posts/p/"), ("GET", "/login"), ("GET", "/moderation"),
             ("GET", "/static/style.css"), ("GET", "/nowhere"), ("POST", "/posts/p/comments"),
             ("POST", "/login")]  # fmt: skip


@pytest.mark.parametrize("host", BAD_HOSTS)
@pytest.mark.parametrize(("method", "url"), HOST_URLS)
def test_a_host_that_cannot_be_encoded_gets_a_plain_400(
    app, client, post_id, caplog, host, method, url
):
    response = client.open(url, method=method, headers={"Host": host})
    assert response.status_code == 400
    assert "Bad Request" in response.text
    assert "host" in response.text.lower()
    assert response.headers["Content-Security-Policy"]
    assert [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")] == []


def raw_get(port: int, path: str, host: str) -> tuple[int, str]:
    """A GET with this exact Host header, the way any client on the network could send it."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": host})
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def test_gunicorn_answers_a_host_it_cannot_encode_with_400_and_no_traceback(
    database_uri, post_id, tmp_path
):
    with gunicorn(database_uri, tmp_path, workers=1) as server:
        for host in BAD_HOSTS:
            for path in ("/", "/posts/p/", "/login"):
                status, text = raw_get(server.port, path, host)
                assert status == 400, (host, path, text[:300])
                assert "Bad Request" in text
        assert raw_get(server.port, "/posts/p/", f"127.0.0.1:{server.port}")[0] == 200
        log = server.log_path.read_text()
    assert "Traceback" not in log
    assert "Exception on" not in log
