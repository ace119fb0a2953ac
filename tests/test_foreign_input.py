"""Inputs nobody here wrote (issue 11): digits from other scripts, Host headers that are not
ours, ``next`` links in pages, and comments as long as the form allows in any script.

Every one of them once gave a 500, a lost comment or a link to somewhere else; each test here
failed before its fix.
"""

from __future__ import annotations

import http.client
import re
from html.parser import HTMLParser

import pytest

from app.models import CommentStatus
from app.web.redirects import safe_next

from .conftest import csrf_token_from, form_post, stored_comments
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


@pytest.mark.slow
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


# ``next`` links printed in pages

EVIL_NEXT = ["javascript:alert(1)", "JavaScript:alert(document.cookie)", "https://evil.example/",
             "//evil.example", "/\\evil.example", " //evil.example", "data:text/html,hi"]  # fmt: skip


class LinkCollector(HTMLParser):
    """Every link target a page holds: <a href> and the ``next`` a form sends back."""

    def __init__(self) -> None:
        super().__init__()
        self.targets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "a":
            self.targets.append(values.get("href") or "")
        if tag == "input" and values.get("name") == "next":
            self.targets.append(values.get("value") or "")


def off_site_targets(html: str) -> list[str]:
    collector = LinkCollector()
    collector.feed(html)
    return [
        target
        for target in collector.targets
        if target and not target.startswith("#") and safe_next(target, "refused") != target
    ]


@pytest.mark.parametrize("target", EVIL_NEXT)
def test_the_edit_page_links_back_only_to_our_own_pages(
    app, moderator, post_id, make_comment, target
):
    held = make_comment(post_id, status=CommentStatus.PENDING)
    page = moderator.get(f"/moderation/comments/{held}/edit", query_string={"next": target})
    assert page.status_code == 200
    assert off_site_targets(page.text) == []
    assert '<a href="/moderation">Cancel</a>' in page.text
    refused = moderator.post(
        f"/moderation/comments/{held}/edit",
        data={"csrf_token": csrf_token_from(page.text), "body": "", "author_name": "A",
              "author_email": "a@example.com", "next": target},
    )  # fmt: skip
    assert refused.status_code == 400
    assert off_site_targets(refused.text) == []


def test_the_edit_page_keeps_a_next_path_of_ours(moderator, post_id, make_comment):
    held = make_comment(post_id, status=CommentStatus.PENDING)
    page = moderator.get(
        f"/moderation/comments/{held}/edit", query_string={"next": "/moderation?status=spam"}
    )
    assert '<a href="/moderation?status=spam">Cancel</a>' in page.text


@pytest.mark.parametrize("target", EVIL_NEXT)
def test_confirmation_and_reply_pages_link_back_only_to_our_own_pages(
    moderator, post_id, make_comment, target
):
    held = make_comment(post_id, status=CommentStatus.PENDING)
    spam = make_comment(post_id, status=CommentStatus.SPAM)
    pages = [
        form_post(moderator, f"/moderation/comments/{spam}/delete", {"next": target}),
        form_post(
            moderator, "/moderation/bulk", {"action": "delete", "ids": [spam], "next": target}
        ),
        form_post(moderator, "/moderation/empty/spam", {"next": target}),
        form_post(moderator, f"/moderation/comments/{held}/reply", {"body": "", "next": target}),
    ]
    for page in pages:
        assert page.status_code in (200, 400)
        assert "<form" in page.text
        assert off_site_targets(page.text) == []


# Comments as long as the form allows, in any script

MAXLENGTH = re.compile(r'<textarea[^>]*\bmaxlength="(\d+)"')
# Each character is at most 4 bytes of UTF-8, and URL-encoding sends each byte as "%XX".
WORST_URLENCODED_BYTES_PER_CHARACTER = 4 * 3
# Field names, the CSRF token, the hidden fields and the "&" and "=" between them.
FORM_OVERHEAD = 4096


def textarea_maxlength(html: str) -> int:
    return int(MAXLENGTH.search(html).group(1))


@pytest.mark.parametrize("character", ["中", "𝄞", "é"])  # 3, 4 and 2 bytes of UTF-8
@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_a_comment_at_the_textareas_maxlength_in_any_script_is_stored(
    app, client, post_id, character, content_type
):
    page = client.get("/posts/p/").text
    body = character * textarea_maxlength(page)
    response = client.post(
        "/posts/p/comments",
        data={"csrf_token": csrf_token_from(page), "body": body, "author_name": "名前" * 100,
              "author_email": "reader@example.com", "author_url": ""},
        content_type=content_type,
    )  # fmt: skip
    assert response.status_code == 302, response.text[:500]
    assert stored_comments(app)[-1].body == body


FORM_PAGES = ["/posts/p/", "/moderation/comments/{id}/edit", "/moderation/settings"]


@pytest.mark.parametrize("url", FORM_PAGES)
def test_every_form_a_browser_can_fill_fits_the_request_limits(
    app, moderator, post_id, make_comment, url
):
    """The browser stops each field at its maxlength; whatever it then sends must be accepted."""
    html = moderator.get(url.format(id=make_comment(post_id))).text
    fields = re.findall(r"<(?:textarea|input)\b[^>]*>", html)
    typed = [f for f in fields if not re.search(r'type="(hidden|checkbox|number)"', f)]
    numbers = [f for f in fields if 'type="number"' in f]  # digits only, kept short by min/max
    assert typed
    without_limit = [f for f in typed if "maxlength=" not in f]
    assert without_limit == []  # so the browser, not a 413, tells the reader "too long"
    longest = [int(re.search(r'maxlength="(\d+)"', f).group(1)) for f in typed]
    characters = sum(longest) + 20 * len(numbers)
    worst = WORST_URLENCODED_BYTES_PER_CHARACTER * characters + FORM_OVERHEAD
    assert app.config["MAX_CONTENT_LENGTH"] >= worst
    # A multipart form is held field by field: its largest field, as raw UTF-8.
    assert app.config["MAX_FORM_MEMORY_SIZE"] >= 4 * max(longest)


@pytest.mark.app_config(MAX_CONTENT_LENGTH=1024)
def test_a_body_over_the_limit_is_still_a_friendly_413(client, post_id, post_comment):
    response = post_comment(body="x" * 5000)
    assert response.status_code == 413
    assert "more than this blog accepts" in response.text


@pytest.mark.parametrize("target", EVIL_NEXT)
def test_the_login_page_carries_only_our_own_next(client, target):
    page = client.get("/login", query_string={"next": target})
    assert page.status_code == 200
    assert off_site_targets(page.text) == []
