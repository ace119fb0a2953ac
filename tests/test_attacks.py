"""Attacks: XSS in every field and URL, SQL injection, CSRF, forged access, open redirects and
leaks of held comments' private details."""

from __future__ import annotations

import email
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from app.config import DefaultConfig
from app.extensions import db
from app.models import Comment, CommentStatus, Post

from .conftest import csrf_token_from, form_post, stored_comments
from .mail_servers import sender_done

XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '"><script>alert(1)</script>',
    "'><script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '<img src="javascript:alert(1)">',
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    "<iframe src=javascript:alert(1)></iframe>",
    '<a href="javascript:alert(1)">x</a>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=alert(1)>",
    "<marquee onstart=alert(1)>",
    "<object data=javascript:alert(1)>",
    "<embed src=javascript:alert(1)>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<base href=//evil.example/>",
    "<link rel=stylesheet href=//evil.example/x.css>",
    "<style>@import'//evil.example/x.css';</style>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    '" onmouseover="alert(1)',
    "' onmouseover='alert(1)",
    "`><img src=x onerror=alert(1)>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<!--<img src=--><img src=x onerror=alert(1)//>",
    "<form action=//evil.example><button>go</button></form>",
    'https://example.org/"><script>alert(1)</script>',
    "http://x.example/<img src=x onerror=alert(1)>",
    "{{7*7}}<%= 7*7 %>${7*7}",
]
# Elements our pages never contain: if one shows up, a payload got through.
FOREIGN_ELEMENTS = {"iframe", "object", "embed", "base", "svg", "math", "style", "img", "video",
                    "source", "marquee", "frame", "frameset", "applet"}  # fmt: skip
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "data", "content")

# Hundreds of payloads through every form: part of `make test`, not of `make test-fast`.
pytestmark = pytest.mark.slow


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


OWN_SITE_URL = DefaultConfig.SITE_URL + "/"


def injected_markup(html: str) -> list[str]:
    """Markup in ``html`` that we did not write: foreign elements, event handlers, script URLs,
    scripts or stylesheets from anywhere but /static (feed links only to our own paths), a second
    <body>, a redirecting <meta>."""
    collector = TagCollector()
    collector.feed(html)
    problems = []
    for tag, attrs in collector.tags:
        if tag in FOREIGN_ELEMENTS:
            problems.append(f"<{tag}>")
        problems += [f"{tag} {name}=" for name in attrs if name.startswith("on")]
        for name in URL_ATTRIBUTES:
            value = (attrs.get(name) or "").strip().lower()
            if value.startswith(("javascript:", "data:", "vbscript:")):
                problems.append(f"{tag} {name}={value}")
        source = attrs.get("src") or attrs.get("href") or ""
        # Our feeds' autodiscovery links point at our own paths; anything else comes from /static.
        own_feed = attrs.get("rel") == "alternate" and source.startswith("/") and source[1:2] != "/"
        # The canonical address is the page's own, on SITE_URL (the default in the tests).
        own_address = attrs.get("rel") == "canonical" and source.startswith(OWN_SITE_URL)
        if tag in ("script", "link") and not (
            source.startswith("/static/") or own_feed or own_address
        ):
            problems.append(f"<{tag}> from elsewhere")
        if tag == "meta" and "http-equiv" in attrs:
            problems.append("<meta http-equiv>")
        if tag == "form" and not (attrs.get("action") or "/").startswith("/"):
            problems.append(f"<form action={attrs.get('action')}>")
    if sum(1 for tag, _ in collector.tags if tag == "body") > 1:
        problems.append("a second <body>")
    return problems


@pytest.fixture
def post_id(make_post):
    return make_post(slug="p", title="Target")


def outbox_messages(app) -> list[email.message.Message]:
    sender_done(app)  # the emails are written after the responses, by the app's sender
    outbox = Path(app.instance_path) / "outbox"
    return (
        [email.message_from_bytes(p.read_bytes()) for p in sorted(outbox.glob("*.eml"))]
        if outbox.exists()
        else []
    )


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_xss_never_comes_back_unescaped(
    app, client, moderator, post_id, make_comment, payload, runner, tmp_path
):
    reader = app.test_client()
    page = reader.get("/posts/p/")
    # Every field of the reader's form (email and website will be refused: that page counts too).
    for fields in (
        {"body": payload, "author_name": payload, "author_email": "x@example.com"},
        {"body": payload, "author_name": "N", "author_email": payload, "author_url": payload},
    ):
        response = reader.post(
            "/posts/p/comments", data={"csrf_token": csrf_token_from(page.text), **fields}
        )
        assert not injected_markup(response.text), response.text
    held = stored_comments(app)[-1].id
    # The instructor's forms: edit, reply, settings, and the search box.
    make_comment(
        post_id, body=payload, author_name=payload, author_url="https://ok.example/" + payload[:20]
    )
    moderator.post(
        f"/moderation/comments/{held}/edit",
        data={"csrf_token": csrf_token_from(moderator.get("/moderation").text), "body": payload + " edited",
              "author_name": payload, "author_email": "bad" + payload, "author_url": payload},
    )  # fmt: skip
    form_post(moderator, f"/moderation/comments/{held}/reply", {"body": payload})
    settings = moderator.post(
        "/moderation/settings",
        data={"csrf_token": csrf_token_from(moderator.get("/moderation/settings").text), "max_links": "2",
              "moderation_words": payload, "disallowed_words": payload, "notify_email": payload},
    )  # fmt: skip
    login = app.test_client().post(
        "/login", data={"username": payload, "password": payload, "next": payload}
    )
    pages = [
        settings.text,
        login.text,
        reader.get("/posts/p/").text,
        app.test_client().get("/posts/p/").text,
        moderator.get("/posts/p/").text,
        moderator.get("/moderation?status=all").text,
        moderator.get("/moderation", query_string={"q": payload, "status": payload}).text,
        moderator.get(f"/moderation/comments/{held}/edit").text,
        reader.get("/posts/p/", query_string={"replytocom": payload}).text,
        reader.get("/login", query_string={"next": payload}).text,
        reader.get("/posts/" + payload.replace("/", "%2F") + "/").text,
        reader.get("/", query_string={"page": payload}).text,
    ]
    for html in pages:
        assert not injected_markup(html), html[:2000]
    # The email is plain text only: nothing in it is rendered as HTML.
    for message in outbox_messages(app):
        assert message.get_content_type() == "text/plain"
        assert not message.is_multipart()
    # The export escapes markup characters, and still holds the exact text.
    export = tmp_path / "export.json"
    runner.invoke(args=["export", str(export)])
    raw = export.read_text(encoding="utf-8")
    assert "<" not in raw and ">" not in raw
    assert payload in {c["body"] for c in json.loads(raw)["tables"]["comments"]}


SQL_INJECTIONS = [
    "' OR '1'='1",
    "'; DROP TABLE comments; --",
    '" OR ""="',
    "1; DELETE FROM posts",
    "admin'--",
    "' UNION SELECT password_hash, username FROM instructors --",
    "%' AND 1=1 --",
    "\\'; SELECT pg_sleep(5); --",
    "Robert'); DROP TABLE students;--",
    "_%_%",
]


@pytest.mark.parametrize("payload", SQL_INJECTIONS)
def test_sql_injection_strings_are_stored_verbatim_and_break_nothing(
    app, client, moderator, post_id, post_comment, payload
):
    # From a reader's browser: the logged-in instructor's comments are signed with their account.
    reader = app.test_client()
    token = csrf_token_from(reader.get("/posts/p/").text)
    form = {"body": payload, "author_name": payload[:245], "author_email": "sql@example.com"}
    response = reader.post("/posts/p/comments", data={"csrf_token": token, **form})
    assert response.status_code == 302
    comment = stored_comments(app)[-1]
    assert (comment.body, comment.author_name) == (payload, payload[:245])
    assert (
        moderator.get("/moderation", query_string={"q": payload, "status": "all"}).status_code
        == 200
    )
    assert (
        app.test_client()
        .post("/login", data={"username": payload, "password": payload})
        .status_code
        == 400
    )
    assert client.get("/posts/p/", query_string={"replytocom": payload}).status_code == 200
    search = moderator.get("/moderation", query_string={"q": "zzz-no-match", "status": "all"}).text
    assert "No comments match" in search
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Post.id))) == 1
        assert db.session.scalar(db.select(db.func.count(Comment.id))) == 1


def state_changing_rules(app):
    return [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods]


def concrete_url(rule, comment_id: int, post_id: int) -> str:
    """The rule's path with real values for its variables."""
    values = {"slug": "p", "comment_id": comment_id, "post_id": post_id, "action_name": "approve",
              "status_name": "spam", "token": "t", "student_id": 1}  # fmt: skip
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda match: str(values[match.group(1)]), rule.rule)


def snapshot(app):
    with app.app_context():
        return [
            (c.id, c.status, c.body)
            for c in db.session.scalars(db.select(Comment).order_by(Comment.id))
        ]


def test_every_state_changing_route_refuses_get_and_posts_without_a_csrf_token(
    app, moderator, post_id, make_comment
):
    comment = make_comment(post_id, status=CommentStatus.PENDING)
    make_comment(post_id, status=CommentStatus.SPAM)
    rules = state_changing_rules(app)
    assert len(rules) >= 12
    before = snapshot(app)
    # A path may have its page (a GET rule) beside its form's POST rule, as the editor's do.
    pages = {r.rule for r in app.url_map.iter_rules() if "GET" in r.methods}
    for rule in rules:
        url = concrete_url(rule, comment, post_id)
        if rule.endpoint == "blog.create":  # a GET of the form's address opens the form
            assert moderator.get(url).headers["Location"].endswith("#respond"), url
        elif rule.rule not in pages:
            assert moderator.get(url).status_code == 405, url
        response = moderator.post(url, data={"confirmed": "yes", "action": "trash", "ids": [comment],
                                             "body": "forged", "author_name": "f", "author_email": "f@example.com",
                                             "open": "no", "max_links": "7"})  # fmt: skip
        # An author's pages answer a link that is not valid, or a comment this browser did not
        # post, with a 404 before reading the form (test_author_edits checks their CSRF token);
        # unsubscribing takes no CSRF token (RFC 8058 one-click): its signed link is the proof.
        refused = (400, 404, 410) if rule.endpoint.startswith("my_comment.") else (400, 410)
        assert response.status_code in refused, (url, response.status_code)
    assert snapshot(app) == before
    with app.app_context():
        assert db.session.get(Post, post_id).comments_open is True


def test_every_moderation_route_refuses_anonymous_users_and_readers(
    app, client, post_id, make_comment, post_comment
):
    comment = make_comment(post_id, status=CommentStatus.PENDING)
    post_comment(body="I am a reader with a session")
    token = csrf_token_from(client.get("/posts/p/").text)
    before = snapshot(app)
    rules = [
        r
        for r in app.url_map.iter_rules()
        if r.rule.startswith(("/moderation", "/class")) and r.endpoint != "moderation.email_action"
    ]
    assert len(rules) >= 9
    for rule in rules:
        url = concrete_url(rule, comment, post_id)
        for method in sorted(rule.methods & {"GET", "POST"}):
            response = client.open(
                url,
                method=method,
                data={"csrf_token": token, "confirmed": "yes"} if method == "POST" else None,
            )
            assert response.status_code == 302, (method, url)
            assert response.headers["Location"].startswith("/login?next=")
    assert snapshot(app) == before


@pytest.mark.parametrize(
    "target",
    ["//evil.example", "https:evil.example", "/\\evil.example", "%2F%2Fevil.example", "/%2F/evil.example",
     "https%3A%2F%2Fevil.example", "\\/evil.example", "/\t/evil.example", "http://localhost.evil.example/",
     "///evil.example", " //evil.example", "javascript:alert(1)//"],
)  # fmt: skip
def test_open_redirect_attempts_stay_on_the_site(
    app, auth, client, moderator, post_id, make_comment, target
):
    from urllib.parse import urlsplit

    comment = make_comment(post_id, status=CommentStatus.PENDING)
    after_action = form_post(moderator, f"/moderation/comments/{comment}/approve", {"next": target})
    auth.logout()
    after_login = auth.login(next=target)
    for response in (after_action, after_login):
        location = response.headers["Location"]
        parts = urlsplit(location)
        assert parts.scheme == "" and parts.netloc == "", location
        assert location.startswith("/") and not location.startswith("//")
        assert "evil" not in location or location.startswith("/%2F/evil")


def test_held_comments_private_details_appear_in_no_public_response(
    app, client, post_id, make_comment
):
    held = make_comment(
        post_id,
        status=CommentStatus.PENDING,
        author_email="secret-held@example.com",
        author_ip="10.77.66.55",
        body="held body text",
    )
    make_comment(
        post_id,
        status=CommentStatus.SPAM,
        author_email="secret-spam@example.com",
        author_ip="10.77.66.56",
    )
    visible = make_comment(
        post_id, author_email="visible-author@example.com", author_ip="10.77.66.57"
    )
    urls = ["/", "/posts/p/", f"/posts/p/?replytocom={held}", f"/posts/p/?replytocom={visible}", "/login",
            "/posts/nope/", "/moderation", "/moderation?status=pending", f"/moderation/comments/{held}/edit",
            "/moderation/settings", "/static/style.css"]  # fmt: skip
    for url in urls:
        for browser in (client, app.test_client()):
            with browser.get(url, follow_redirects=True) as response:
                text = response.get_data(as_text=True)
            for secret in ("secret-held@example.com", "10.77.66.55", "held body text", "secret-spam@example.com",
                           "10.77.66.56", "visible-author@example.com", "10.77.66.57"):  # fmt: skip
                assert secret not in text, (url, secret)
