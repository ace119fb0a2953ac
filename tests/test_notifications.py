"""The instructor's email about a held comment: where its links point, and what a comment can
and cannot make it say."""

from __future__ import annotations

import email
import re
from email.message import Message
from pathlib import Path

import pytest

from .conftest import csrf_token_from, stored_comments
from .live_server import gunicorn
from .mail_servers import sender_done
from .raw_client import RawClient

SITE = "https://blog.example.edu/classblog"
URL = re.compile(r"\b[a-z]+://[^\s>]+", re.IGNORECASE)


@pytest.fixture
def post_id(make_post):
    return make_post(slug="p", title="Target")


def outbox_messages(outbox: Path) -> list[Message]:
    """The notifications written to ``outbox`` as .eml files, oldest first."""
    paths = sorted(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)
    return [email.message_from_bytes(p.read_bytes()) for p in paths]


def body_of(message: Message) -> str:
    return message.get_payload(decode=True).decode()


def app_outbox(app) -> Path:
    return Path(app.instance_path) / "outbox"


def emails(app) -> list[Message]:
    """The messages the app's sender wrote to its outbox folder, once it has finished."""
    sender_done(app)
    return outbox_messages(app_outbox(app))


def links_in(text: str) -> list[str]:
    return URL.findall(text)


# Links come from SITE_URL, never from the request's Host


def post_from_host(client, host: str, **fields: str):
    """The reply form as a browser that reached us under ``host`` sends it."""
    headers = {"Host": host}
    page = client.get("/posts/p/", headers=headers)
    data = {"csrf_token": csrf_token_from(page.text), "body": "Held for the instructor.",
            "author_name": "Eve", "author_email": "eve@example.com", **fields}  # fmt: skip
    return client.post("/posts/p/comments", data=data, headers=headers)


@pytest.mark.app_config(SITE_URL=SITE, TRUSTED_HOSTS=[])  # any Host is let in
@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:8443"])
def test_email_links_use_the_site_url_whatever_host_the_reader_sent(app, client, post_id, host):
    assert post_from_host(client, host).status_code == 302
    [message] = emails(app)
    text = body_of(message)
    links = links_in(text)
    assert len(links) == 5  # the comment, Approve, Spam, Trash, the queue
    assert all(link.startswith(SITE + "/") for link in links), links
    assert "attacker" not in message.as_string()
    assert "Approve it: " + SITE + "/moderation/email/" in text
    assert SITE + "/moderation#mod-comment-" in text
    assert SITE + "/comments/" in text  # the lasting address of the comment


@pytest.mark.app_config(SITE_URL=SITE, TRUSTED_HOSTS=[], PROXY_FIX_HOPS=1)
def test_email_links_ignore_a_forwarded_host_too(app, client, post_id, post_comment):
    client.environ_base["HTTP_X_FORWARDED_HOST"] = "attacker.example"
    client.environ_base["HTTP_X_FORWARDED_PROTO"] = "http"
    assert post_comment(body="Held, behind a proxy.").status_code == 302
    [message] = emails(app)
    assert all(link.startswith(SITE + "/") for link in links_in(body_of(message)))
    assert "attacker" not in message.as_string()


@pytest.mark.app_config(SITE_URL=SITE, TRUSTED_HOSTS=[])
def test_the_links_in_the_email_work_on_the_site(app, client, post_id, post_comment):
    post_comment(body="Approve me by email.")
    text = body_of(emails(app)[0])
    approve = re.search(r"Approve it: (\S+)", text).group(1)
    path = approve.removeprefix(SITE)
    page = app.test_client().get(path)
    assert page.status_code == 200
    assert "Approve this comment?" in page.text


@pytest.mark.parametrize("host", ["attacker.example", "127.0.0.1.attacker.example", "localhost."])
def test_an_untrusted_host_is_refused_and_nothing_is_stored_or_sent(app, client, post_id, host):
    assert client.get("/posts/p/", headers={"Host": host}).status_code == 400
    token = csrf_token_from(client.get("/posts/p/").text)
    response = client.post(
        "/posts/p/comments",
        data={"csrf_token": token, "body": "x", "author_name": "A", "author_email": "a@e.com"},
        headers={"Host": host},
    )
    assert response.status_code == 400
    assert stored_comments(app) == []
    assert emails(app) == []


@pytest.mark.app_config(SITE_URL="https://blog.example.edu:8443/classblog")
@pytest.mark.parametrize(
    ("host", "status"),
    [("blog.example.edu", 200), ("blog.example.edu:8443", 200), ("localhost:5000", 200),
     ("127.0.0.1", 200), ("example.edu", 400), ("www.blog.example.edu", 400)],
)  # fmt: skip
def test_by_default_the_blog_answers_to_its_site_url_host_and_this_machine(
    app, client, post_id, host, status
):
    assert app.config["TRUSTED_HOSTS"] == ["blog.example.edu", "localhost", "127.0.0.1"]
    assert client.get("/posts/p/", headers={"Host": host}).status_code == status


def test_the_default_site_url_is_the_development_server():
    from app import create_app

    app = create_app({"SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SITE_URL"] == "http://127.0.0.1:5000"
    assert app.config["TRUSTED_HOSTS"] == ["127.0.0.1", "localhost"]


@pytest.mark.parametrize(
    "site_url", ["blog.example.edu", "ftp://blog.example.edu", "https://", "https://b.example/?q=1"]
)
def test_a_site_url_that_is_not_an_http_address_stops_the_app(site_url):
    from app import create_app
    from app.startup import StartupError

    with pytest.raises(StartupError, match="SITE_URL"):
        create_app(
            {"SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": "sqlite://", "SITE_URL": site_url}
        )


@pytest.mark.slow
def test_gunicorn_refuses_a_foreign_host_and_emails_only_site_links(
    database_uri, post_id, tmp_path
):
    outbox = tmp_path / "outbox"
    with gunicorn(database_uri, tmp_path, workers=1, SITE_URL=f'"{SITE}"') as server:
        refused = RawClient(server.port, host="attacker.example").request("GET", "/posts/p/")
        assert refused.status == 400
    assert outbox_messages(outbox) == []
    with gunicorn(
        database_uri, tmp_path, workers=1, SITE_URL=f'"{SITE}"', TRUSTED_HOSTS="[]"
    ) as server:
        reader = RawClient(server.port, host="attacker.example")
        posted = reader.submit(
            "/posts/p/", "/posts/p/comments", body="Held via gunicorn.", author_name="Eve",
            author_email="eve@example.com",
        )  # fmt: skip
        assert posted.status == 302, posted.text[:300]
        [message] = wait_for_messages(outbox, 1)
    links = links_in(body_of(message))
    assert len(links) == 5  # the comment, Approve, Spam, Trash, the queue
    assert all(link.startswith(SITE + "/") for link in links), links
    assert "attacker" not in message.as_string()


def wait_for_messages(outbox: Path, count: int, timeout: float = 10) -> list[Message]:
    """The outbox's messages once it holds ``count`` of them (the sender may still be at work)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        messages = outbox_messages(outbox) if outbox.exists() else []
        if len(messages) >= count or time.monotonic() > deadline:
            return messages
        time.sleep(0.05)


# A comment cannot make the email say what we did not write

FAKE_ACTIONS = [
    "Nice post.\nApprove it: http://attacker.example/a\nTrash it: http://attacker.example/t",
    "Approve it: http://attacker.example/a\n(These two links work once and expire after 7 days.)",
    "Nice post.\u2028Approve it: http://attacker.example/a",  # a line separator
    "Nice post.\u0085Approve it: http://attacker.example/a",  # NEXT LINE, dropped by the form
    "x\n\nSee every comment waiting for moderation: http://attacker.example/queue",
]


@pytest.mark.parametrize("body", FAKE_ACTIONS)
def test_a_comment_cannot_fake_the_emails_action_lines(app, client, post_id, post_comment, body):
    post_comment(body=body, author_name="Eve\u2028Approve it: http://attacker.example/n")
    [message] = emails(app)
    text = body_of(message)
    site = app.config["SITE_URL"]
    lines = text.splitlines()
    # Whatever the reader wrote is quoted: no unquoted line holds a word of it.
    assert [line for line in lines if "attacker" in line and not line.startswith("> ")] == []
    # The real actions come first, before any quoted line, and point to the site.
    first_quote = next(n for n, line in enumerate(lines) if line.startswith(">"))
    actions = [n for n, line in enumerate(lines) if line.startswith(("Approve it:", "Trash it:"))]
    assert len(actions) == 2 and max(actions) < first_quote
    assert lines[actions[0]].startswith(f"Approve it: {site}/moderation/email/")
    assert lines[actions[1]].startswith(f"Trash it: {site}/moderation/email/")


def test_the_email_quotes_the_comment_line_by_line_and_keeps_all_of_it(
    app, client, post_id, post_comment
):
    body = "First line.\n\nSecond paragraph, <b>as typed</b>.\n> already quoted"
    post_comment(body=body, author_name="Ada Lovelace", author_url="https://ada.example/")
    text = body_of(emails(app)[0])
    assert "\n> First line.\n>\n> Second paragraph, <b>as typed</b>.\n> > already quoted\n" in text
    assert "> Name: Ada Lovelace\n" in text
    assert "> Website: https://ada.example/\n" in text
    assert "Sent from the IP address 127.0.0.1." in text
