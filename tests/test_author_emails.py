"""Emails to a comment's author after posting: "published" and "<Name> replied", only to an
author who asked, once each, and unsubscribing from them (RFC 8058 one-click, and a page)."""

from __future__ import annotations

import email
import email.policy
import re
from email.header import decode_header, make_header
from email.message import Message
from urllib.parse import urlsplit

import pytest

from app.discussion.email_links import make_token
from app.discussion.moderation import Action
from app.discussion.unsubscribe import make_unsubscribe_token
from app.extensions import db
from app.models import Comment, CommentStatus, DiscussionSettings, EmailOptOut

from .conftest import csrf_token_from, form_post, recorded_queries, stored_comments
from .mail_servers import outbox_rows, sender_done, smtp_server, wait_until
from .test_notifications import body_of, emails

PENDING, APPROVED = CommentStatus.PENDING, CommentStatus.APPROVED
SITE = "https://blog.example.edu/classblog"
INSTRUCTOR_ADDRESS = "instructor@localhost"  # where held notices go without a setting
PUBLISHED = "Your comment on “Target” is published"
pytestmark = pytest.mark.app_config(SITE_URL=SITE)


@pytest.fixture
def post_id(make_post):
    return make_post(slug="p", title="Target")


def to(app, address: str) -> list[Message]:
    """The emails written to ``address``, oldest first."""
    return [m for m in emails(app) if m["To"] == address]


def subject_of(message: Message) -> str:
    """The Subject as a mail client shows it (non-ASCII is sent as encoded-words)."""
    return str(make_header(decode_header(message["Subject"])))


def subjects(app, address: str) -> list[str]:
    return [subject_of(m).removeprefix("[Class Blog] ") for m in to(app, address)]


def post_as(app, name: str, email: str, **fields: str):
    """A reader in their own browser: GET the post page, then send the form."""
    browser = app.test_client()
    page = browser.get("/posts/p/")
    data = {
        "csrf_token": csrf_token_from(page.text),
        "body": f"Thoughts from {name}.",
        "author_name": name,
        "author_email": email,
        **fields,
    }
    response = browser.post("/posts/p/comments", data=data)
    assert response.status_code == 302, response.text
    return browser


def comment_by(app, email: str) -> Comment:
    return [c for c in stored_comments(app) if c.author_email == email][-1]


def act(client, comment_id: int, action: str):
    return form_post(client, f"/moderation/comments/{comment_id}/{action}", {"next": "/moderation"})


def approve_by_email_link(app, comment_id: int) -> None:
    """The instructor's one-click Approve link, used from a browser with no login."""
    token = make_token(app.config["SECRET_KEY"], comment_id, Action.APPROVE)
    browser = app.test_client()
    page = browser.get(f"/moderation/email/{token}")
    done = browser.post(
        f"/moderation/email/{token}", data={"csrf_token": csrf_token_from(page.text)}
    )
    assert done.status_code == 200


def unsubscribe_url(app, comment_id: int) -> str:
    """The unsubscribe link's path, as the emails carry it (on SITE_URL)."""
    with app.app_context():
        token = make_unsubscribe_token(
            app.config["SECRET_KEY"], db.session.get_one(Comment, comment_id)
        )
    return f"/unsubscribe/{token}"


# Approval: one email, whichever way the comment is published


def test_approving_in_the_queue_sends_one_email_with_the_comments_address(
    app, moderator, post_id, make_comment
):
    held = make_comment(post_id, status=PENDING, notify_author=True, author_email="ada@example.com")
    act(moderator, held, "approve")
    (message,) = to(app, "ada@example.com")
    assert subject_of(message) == f"[Class Blog] {PUBLISHED}"
    assert f"{SITE}/comments/{held}/" in body_of(message)
    # Unapproved and approved again: the author was told already.
    act(moderator, held, "unapprove")
    act(moderator, held, "approve")
    assert subjects(app, "ada@example.com") == [PUBLISHED]
    assert stored_comments(app)[0].published_email_sent_at is not None


def test_bulk_approve_writes_to_each_author_who_asked_and_nobody_else(
    app, moderator, post_id, make_comment
):
    asked = [
        make_comment(post_id, status=PENDING, notify_author=True, author_email=f"a{n}@example.com")
        for n in range(2)
    ]
    silent = make_comment(post_id, status=PENDING, author_email="quiet@example.com")
    form_post(moderator, "/moderation/bulk", {"action": "approve", "ids": [*asked, silent]})
    assert sorted(m["To"] for m in emails(app)) == ["a0@example.com", "a1@example.com"]
    assert all(subject_of(m) == f"[Class Blog] {PUBLISHED}" for m in emails(app))


def test_bulk_approval_emails_cost_a_few_statements_per_comment(
    app, moderator, post_id, make_comment
):
    """The opt-out lookup must not flush each comment's change (and the page versions) on its
    own: 20 comments cost 3-4 statements each (lookup, outbox row, status, history)."""

    def statements_to_approve(count: int) -> int:
        ids = [make_comment(post_id, status=PENDING, notify_author=True) for _ in range(count)]
        sender_done(app)
        token = csrf_token_from(moderator.get("/moderation").text)
        form = {"csrf_token": token, "action": "approve", "ids": ids}
        return len(recorded_queries(app, moderator, "/moderation/bulk", form=form))

    five, twenty = statements_to_approve(5), statements_to_approve(20)
    assert twenty - five <= 15 * 4, (five, twenty)
    assert len(outbox_rows(app)) == 25


def test_the_instructors_email_link_approves_and_tells_the_author(app, post_id, make_comment):
    held = make_comment(post_id, status=PENDING, notify_author=True, author_email="ada@example.com")
    approve_by_email_link(app, held)
    assert subjects(app, "ada@example.com") == [PUBLISHED]


def test_a_comment_published_at_posting_gets_only_the_posting_email(
    app, moderator, post_id, make_comment
):
    make_comment(post_id, author_name="Ada", author_email="ada@example.com")  # approved before
    post_as(app, "Ada", "ada@example.com", notify_me="y")
    comment = comment_by(app, "ada@example.com")
    assert comment.status is APPROVED
    # Trashed and restored: still nothing new to say.
    act(moderator, comment.id, "trash")
    act(moderator, comment.id, "restore")
    assert subjects(app, "ada@example.com") == ["Your comment on “Target”"]
    assert "It is published" in body_of(to(app, "ada@example.com")[0])


def test_the_instructors_reply_publishes_and_answers(app, moderator, post_id, make_comment):
    held = make_comment(post_id, status=PENDING, notify_author=True, author_email="ada@example.com")
    form_post(moderator, f"/moderation/comments/{held}/reply", {"body": "Good point.\nSee p. 4."})
    assert subjects(app, "ada@example.com") == [
        PUBLISHED,
        "Professor Lee replied to your comment on “Target”",
    ]
    text = body_of(to(app, "ada@example.com")[1])
    assert "> Good point.\n> See p. 4." in text  # quoted, line by line
    reply = stored_comments(app)[-1]
    assert f"{SITE}/comments/{reply.id}/" in text
    assert reply.reply_email_sent_at is not None


def test_the_instructor_replying_from_the_post_page_is_announced(
    app, client, auth, post_id, make_comment
):
    parent = make_comment(post_id, notify_author=True, author_email="ada@example.com")
    auth.login()
    page = client.get("/posts/p/")
    client.post(
        "/posts/p/comments",
        data={"csrf_token": csrf_token_from(page.text), "body": "Yes.", "parent_id": str(parent)},
    )
    assert subjects(app, "ada@example.com") == ["Professor Lee replied to your comment on “Target”"]


# Replies by readers: as the author chose


@pytest.mark.parametrize(("choice", "told"), [("anyone", True), ("instructor", False)])
def test_a_readers_reply_is_announced_only_to_an_author_who_chose_anyone(
    app, post_id, make_comment, choice, told
):
    post_as(app, "Ada", "ada@example.com", notify_me="y", replies_from=choice)
    make_comment(post_id, author_name="Bob", author_email="bob@example.com")  # Bob passes
    with app.app_context():
        ada = db.session.scalar(db.select(Comment).filter_by(author_email="ada@example.com"))
        ada.status = APPROVED
        db.session.commit()
        ada_id = ada.id
    post_as(app, "Bob", "bob@example.com", parent_id=str(ada_id), body="I disagree.")
    assert comment_by(app, "bob@example.com").status is APPROVED
    replies = [s for s in subjects(app, "ada@example.com") if "replied" in s]
    assert replies == (["Bob replied to your comment on “Target”"] if told else [])


def test_an_authors_own_reply_is_not_announced_to_them(app, moderator, post_id, make_comment):
    parent = make_comment(
        post_id,
        author_name="Ada",
        author_email="ada@example.com",
        notify_author=True,
        notify_replies_from_anyone=True,
    )
    # The same address in other clothes is still the same author.
    post_as(app, "Ada again", "ADA@example.com", parent_id=str(parent), body="Adding to mine.")
    reply = stored_comments(app)[-1]
    assert reply.parent_id == parent
    if reply.status is PENDING:
        act(moderator, reply.id, "approve")
    assert to(app, "ada@example.com") == []


def test_a_held_reply_is_announced_when_approved_and_once(app, moderator, post_id, make_comment):
    parent = make_comment(
        post_id, author_email="ada@example.com", notify_author=True, notify_replies_from_anyone=True
    )
    post_as(app, "Bob", "bob@example.com", parent_id=str(parent), notify_me="y")
    reply = comment_by(app, "bob@example.com")
    assert reply.status is PENDING
    assert to(app, "ada@example.com") == []  # held: nobody but the instructor knows yet
    act(moderator, reply.id, "spam")
    act(moderator, reply.id, "not-spam")
    assert to(app, "ada@example.com") == []
    act(moderator, reply.id, "approve")
    act(moderator, reply.id, "unapprove")
    act(moderator, reply.id, "approve")
    assert subjects(app, "ada@example.com") == ["Bob replied to your comment on “Target”"]
    # Bob asked too: his own comment's publication.
    assert subjects(app, "bob@example.com") == ["Your comment on “Target”", PUBLISHED]


def test_a_reply_to_a_comment_in_the_trash_is_not_announced(app, moderator, post_id, make_comment):
    parent = make_comment(post_id, notify_author=True, notify_replies_from_anyone=True)
    reply = make_comment(post_id, status=PENDING, parent_id=parent)
    act(moderator, parent, "trash")
    act(moderator, reply, "approve")
    assert [m["To"] for m in emails(app)] == []


# The headers and the body's last line


def test_every_author_email_carries_a_one_click_unsubscribe(app, post_id):
    post_as(app, "Ada", "ada@example.com", notify_me="y")
    (message,) = to(app, "ada@example.com")
    header = message["List-Unsubscribe"]  # as sent: a plain <URL>, no encoded-words
    assert header.startswith("<") and header.endswith(">")
    url = header[1:-1]
    parts = urlsplit(url)
    assert parts.scheme in ("http", "https")
    assert url.startswith(f"{SITE}/unsubscribe/")
    assert str(message["List-Unsubscribe-Post"]) == "List-Unsubscribe=One-Click"
    assert body_of(message).rstrip().endswith(url)
    # The link works as printed (the path under SITE_URL's path is ours).
    path = parts.path.removeprefix("/classblog")
    assert app.test_client().get(path).status_code == 200


def test_the_unsubscribe_headers_reach_a_real_mail_server_intact(app, post_id):
    """The sender parses the stored message again before SMTP: nothing may fold the address
    into encoded-words on the way (a mail client would not find it)."""
    with smtp_server() as server:
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
        post_as(app, "Ada", "ada@example.com", notify_me="y")
        wait_until(lambda: [m for m in server.received if m["To"] == "ada@example.com"])
    [raw] = [r for r in server.raw if b"To: ada@example.com" in r]
    # As sent (compat32 leaves header values as they came): "<URL>", no encoded-words, unfolded.
    headers = email.message_from_bytes(raw)
    header = headers["List-Unsubscribe"]
    assert re.fullmatch(rf"<{re.escape(SITE)}/unsubscribe/[\w.-]+>", header), header
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message.get_content().rstrip().endswith(header[1:-1])


# Unsubscribing


def test_a_mail_clients_one_click_post_needs_no_cookie_or_csrf_token(
    app, moderator, post_id, make_comment
):
    held = make_comment(post_id, status=PENDING, notify_author=True, author_email="ada@example.com")
    mail_client = app.test_client()  # no session, no CSRF token: as RFC 8058 describes
    response = mail_client.post(unsubscribe_url(app, held), data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "You are unsubscribed" in response.text
    assert stored_comments(app)[0].notify_author is False
    act(moderator, held, "approve")
    assert to(app, "ada@example.com") == []
    # A mail client that tries again is told it is done, not refused.
    again = mail_client.post(unsubscribe_url(app, held), data={"List-Unsubscribe": "One-Click"})
    assert again.status_code == 200
    assert "You are already unsubscribed" in again.text


def test_the_page_says_what_it_stops_and_its_button_works_once(app, post_id, make_comment):
    comment = make_comment(post_id, notify_author=True, author_email="ada@example.com")
    browser = app.test_client()
    url = unsubscribe_url(app, comment)
    page = browser.get(url)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private, no-store"
    assert "noindex" in page.headers["X-Robots-Tag"]
    assert '<meta name="robots" content="noindex, nofollow">' in page.text
    assert "when it is published, and when" in page.text
    assert "the instructor replies" in page.text
    assert "Stop all emails from this blog to ada@example.com" in page.text
    assert stored_comments(app)[0].notify_author is True  # a GET changes nothing
    done = browser.post(url, data={"csrf_token": csrf_token_from(page.text), "scope": "comment"})
    assert done.status_code == 200
    assert "No more emails will be sent about your comment on “Target”" in done.text
    assert stored_comments(app)[0].notify_author is False
    later = browser.get(url)
    assert later.status_code == 200
    assert "You are already unsubscribed" in later.text
    assert "Stop emails about this comment" not in later.text
    assert "Stop all emails from this blog" in later.text  # the wider choice is still there


def test_a_stale_page_asks_again_and_stops_nothing(app, post_id, make_comment):
    comment = make_comment(post_id, notify_author=True, author_email="ada@example.com")
    browser = app.test_client()
    response = browser.post(
        unsubscribe_url(app, comment), data={"csrf_token": "stale", "scope": "address"}
    )
    assert response.status_code == 400
    assert "press the button again" in response.text
    assert stored_comments(app)[0].notify_author is True


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"),
        lambda token: token[: len(token) // 2],
        lambda token: "nonsense",
    ],
)
def test_a_tampered_link_is_not_valid_and_changes_nothing(app, post_id, make_comment, mangle):
    comment = make_comment(post_id, notify_author=True, author_email="ada@example.com")
    token = unsubscribe_url(app, comment).removeprefix("/unsubscribe/")
    browser = app.test_client()
    assert browser.get(f"/unsubscribe/{mangle(token)}").status_code == 404
    response = browser.post(f"/unsubscribe/{mangle(token)}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 404
    assert "not valid" in response.text
    assert stored_comments(app)[0].notify_author is True


def test_other_signed_links_do_not_unsubscribe(app, post_id, make_comment):
    comment = make_comment(post_id, notify_author=True)
    approve = make_token(app.config["SECRET_KEY"], comment, Action.APPROVE)
    assert app.test_client().post(f"/unsubscribe/{approve}").status_code == 404
    assert stored_comments(app)[0].notify_author is True


def test_a_link_for_an_address_the_comment_no_longer_has_is_not_valid(
    app, moderator, post_id, make_comment
):
    comment = make_comment(post_id, notify_author=True, author_email="old@example.com")
    url = unsubscribe_url(app, comment)
    with app.app_context():
        db.session.get_one(Comment, comment).author_email = "new@example.com"
        db.session.commit()
    assert app.test_client().post(url).status_code == 404
    assert stored_comments(app)[0].notify_author is True


def test_stopping_every_email_to_an_address_covers_its_other_comments(
    app, moderator, post_id, make_comment
):
    first = make_comment(post_id, notify_author=True, author_email="Ada@Example.com")
    second = make_comment(
        post_id, status=PENDING, notify_author=True, author_email="ada@example.com "
    )
    browser = app.test_client()
    url = unsubscribe_url(app, first)
    page = browser.get(url)
    done = browser.post(url, data={"csrf_token": csrf_token_from(page.text), "scope": "address"})
    assert "No more emails from this blog will be sent to" in done.text
    with app.app_context():
        assert db.session.scalars(db.select(EmailOptOut.address)).all() == ["ada@example.com"]
    act(moderator, second, "approve")  # another comment, the address spelt otherwise
    assert [m["To"] for m in emails(app)] == []
    assert "You are already unsubscribed" in browser.get(unsubscribe_url(app, second)).text


def test_the_address_wide_choice_needs_the_pages_csrf_token(app, post_id, make_comment):
    """Without the page's token, a POST is a mail client's one-click: this comment only."""
    comment = make_comment(post_id, notify_author=True, author_email="ada@example.com")
    app.test_client().post(unsubscribe_url(app, comment), data={"scope": "address"})
    assert stored_comments(app)[0].notify_author is False
    with app.app_context():
        assert db.session.scalars(db.select(EmailOptOut)).all() == []


# The reply form


def test_the_form_offers_the_choice_of_whose_replies_without_a_script(app, client, post_id):
    page = client.get("/posts/p/").text
    assert "Email me about this comment" in page
    assert "Tell me about replies from:" in page
    assert re.search(
        r'<input[^>]*checked[^>]*value="instructor"|<input[^>]*value="instructor"[^>]*checked', page
    )
    assert 'value="anyone"' in page


def test_the_choice_is_stored_only_with_the_box_ticked(app, post_id):
    post_as(app, "Ada", "ada@example.com", replies_from="anyone")
    post_as(app, "Bob", "bob@example.com", notify_me="y", replies_from="anyone")
    post_as(app, "Cy", "cy@example.com", notify_me="y")  # a form from before the choice
    ada, bob, cy = stored_comments(app)
    assert (ada.notify_author, ada.notify_replies_from_anyone) == (False, False)
    assert (bob.notify_author, bob.notify_replies_from_anyone) == (True, True)
    assert (cy.notify_author, cy.notify_replies_from_anyone) == (True, False)


def test_a_forged_choice_is_refused_with_the_text_kept(app, client, post_comment, post_id):
    response = post_comment(notify_me="y", replies_from="everyone-ever", body="Keep me.")
    assert response.status_code == 400
    assert "Not a valid choice" in response.text
    assert "Keep me.</textarea>" in response.text
    assert stored_comments(app) == []


# Nobody who did not ask is ever written to


def test_a_busy_discussion_writes_only_to_authors_who_asked(app, moderator, post_id, make_comment):
    with app.app_context():  # one email per held comment: no digest waiting for its time
        db.session.add(DiscussionSettings(id=1, digest_minutes=0))
        db.session.commit()
    # Readers, some asking (one for anyone's replies), some not; all held as first comments.
    asking = {"ada@example.com": "anyone", "bob@example.com": "instructor"}
    for name, address in [("Ada", "ada@example.com"), ("Bob", "bob@example.com")]:
        post_as(app, name, address, notify_me="y", replies_from=asking[address])
    for name in ("Cy", "Di", "Ed"):
        post_as(app, name, f"{name.lower()}@example.com", replies_from="anyone")
    ids = {c.author_email: c.id for c in stored_comments(app)}
    # Ada and Cy approved together, Bob by the email link, Di by the instructor's reply.
    form_post(
        moderator,
        "/moderation/bulk",
        {"action": "approve", "ids": [ids["ada@example.com"], ids["cy@example.com"]]},
    )
    approve_by_email_link(app, ids["bob@example.com"])
    form_post(moderator, f"/moderation/comments/{ids['di@example.com']}/reply", {"body": "Yes!"})
    form_post(moderator, f"/moderation/comments/{ids['bob@example.com']}/reply", {"body": "Hm."})
    # Readers answer each other: approved at once now that each has an approved comment.
    post_as(app, "Cy", "cy@example.com", parent_id=str(ids["ada@example.com"]), body="To Ada.")
    post_as(app, "Ada", "ada@example.com", parent_id=str(ids["bob@example.com"]), body="Bob!")
    post_as(app, "Ada", "ada@example.com", parent_id=str(ids["ada@example.com"]), body="Me.")
    post_as(app, "Bob", "bob@example.com", parent_id=str(ids["di@example.com"]), body="Di?")
    # Fay asks, and is approved later; Ed's held comment goes to the Trash.
    post_as(app, "Fay", "fay@example.com", notify_me="y", replies_from="anyone")
    act(moderator, ids["ed@example.com"], "trash")
    # Bob leaves the whole blog; Ada's next emails still go.
    with app.app_context():
        bob_token = make_unsubscribe_token(
            app.config["SECRET_KEY"], db.session.get_one(Comment, ids["bob@example.com"])
        )
    browser = app.test_client()
    page = browser.get(f"/unsubscribe/{bob_token}")
    browser.post(
        f"/unsubscribe/{bob_token}",
        data={"csrf_token": csrf_token_from(page.text), "scope": "address"},
    )
    form_post(moderator, f"/moderation/comments/{ids['bob@example.com']}/reply", {"body": "Bye."})
    form_post(moderator, f"/moderation/comments/{ids['ada@example.com']}/reply", {"body": "Hi."})
    fay = comment_by(app, "fay@example.com").id
    form_post(moderator, "/moderation/bulk", {"action": "approve", "ids": [fay]})

    sent = emails(app)
    assert len(sent) == len(outbox_rows(app))  # every queued message was written
    allowed = {"ada@example.com", "bob@example.com", "fay@example.com", INSTRUCTOR_ADDRESS}
    assert {m["To"] for m in sent} <= allowed
    bob_stopped_at = next(
        i for i, m in enumerate(sent) if m["To"] == "bob@example.com" and "Hm." in body_of(m)
    )
    assert all(m["To"] != "bob@example.com" for m in sent[bob_stopped_at + 1 :])
    # What each one who asked was told, in order.
    assert subjects(app, "ada@example.com") == [
        "Your comment on “Target”",
        PUBLISHED,
        "Cy replied to your comment on “Target”",  # she chose anyone; her own reply is not news
        "Professor Lee replied to your comment on “Target”",
    ]
    assert subjects(app, "bob@example.com") == [
        "Your comment on “Target”",
        PUBLISHED,
        "Professor Lee replied to your comment on “Target”",  # not Ada's: instructor only
    ]
    assert subjects(app, "fay@example.com") == ["Your comment on “Target”", PUBLISHED]


def test_in_privacy_mode_a_reply_email_names_the_replier_as_readers_see_them(
    app, moderator, post_id, make_comment
):
    from app.discussion.discussion_settings import load_settings
    from app.extensions import db

    with app.app_context():
        settings = load_settings()
        settings.privacy_mode = True
        db.session.add(settings)
        db.session.commit()
    parent = make_comment(
        post_id, author_email="ada@example.com", notify_author=True, notify_replies_from_anyone=True
    )
    post_as(app, "Bob Brewster", "bob@example.com", parent_id=str(parent), body="Agreed.")
    act(moderator, comment_by(app, "bob@example.com").id, "approve")
    (message,) = to(app, "ada@example.com")
    assert subject_of(message).endswith("] Bob B. replied to your comment on “Target”")
    assert "Brewster" not in message.as_string()
