"""The outbox: the instructor's email is stored with the held comment and sent after the reader's
response, by a background sender, through real sockets on 127.0.0.1.

A mail server that hangs never delays a reader; a message that could not be sent stays in the
outbox, is tried again, and leaves when a working server appears; nothing is sent twice.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text, update

from app import create_app
from app.discussion.notifications import ModerationLinks, held_comment_message
from app.discussion.outbox import MailTransport, deliver, mail_sender, queue_message
from app.extensions import db
from app.models import Comment, DiscussionSettings, OutboxMessage, OutboxStatus, utcnow

from .conftest import BASE_TEST_CONFIG, ON_POSTGRES, csrf_token_from, stored_comments
from .live_server import gunicorn
from .mail_servers import (
    hanging_server,
    outbox_rows,
    sender_done,
    smtp_server,
    wait_until,
)
from .raw_client import RawClient

PENDING, SENT, FAILED = OutboxStatus.PENDING, OutboxStatus.SENT, OutboxStatus.FAILED
SITE = "https://blog.example.edu"


@pytest.fixture
def post_id(make_post):
    return make_post(slug="p", title="Target")


def use_mail_server(app, port: int, **config) -> None:
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port, **config)


def timed(call):
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


# Stored with the comment, in one transaction


def test_a_held_comment_and_its_email_are_stored_together(app, post_id, post_comment):
    mail_sender(app).stop()  # as if the process died right after the commit
    assert post_comment(body="Hold me.").status_code == 302
    [comment] = stored_comments(app)
    [message] = outbox_rows(app)
    assert message.status is PENDING and message.attempts == 0
    assert f"/comments/{comment.id}/" in message.message
    assert "Please moderate" in message.subject


def test_an_approved_comment_queues_no_email(app, post_id, make_comment, post_comment):
    make_comment(post_id, author_name="Ada", author_email="ada@example.com")
    assert post_comment(author_name="Ada", author_email="ada@example.com").status_code == 302
    assert outbox_rows(app) == []


@pytest.fixture
def outbox_refuses_rows(app):
    """A trigger that makes the database refuse any outbox row, as a full disk would."""
    with app.app_context():
        if ON_POSTGRES:
            statements = [
                "CREATE FUNCTION refuse_mail() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'no room for mail'; END $$ LANGUAGE plpgsql",
                "CREATE TRIGGER refuse_mail BEFORE INSERT ON outbox_messages "
                "FOR EACH ROW EXECUTE FUNCTION refuse_mail()",
            ]
        else:
            statements = [
                "CREATE TRIGGER refuse_mail BEFORE INSERT ON outbox_messages "
                "BEGIN SELECT RAISE(ABORT, 'no room for mail'); END"
            ]
        for statement in statements:
            db.session.execute(text(statement))
        db.session.commit()
    yield
    with app.app_context():
        db.session.execute(text("DROP TRIGGER refuse_mail" + (" ON outbox_messages" * ON_POSTGRES)))
        if ON_POSTGRES:
            db.session.execute(text("DROP FUNCTION refuse_mail()"))
        db.session.commit()


def test_a_comment_whose_email_cannot_be_stored_is_not_stored_either(
    app, post_id, post_comment, outbox_refuses_rows
):
    response = post_comment(body="All or nothing.")
    assert response.status_code == 503
    assert "We could not save your comment; please try again." in response.text
    assert "All or nothing.</textarea>" in response.text
    assert stored_comments(app) == []
    assert outbox_rows(app) == []


# Sent after the response, whatever the mail server does


def test_a_mail_server_that_hangs_never_delays_the_reader_and_the_mail_goes_out_later(
    app, client, post_id, post_comment, caplog
):
    with hanging_server() as hanging:
        use_mail_server(app, hanging.port, MAIL_TIMEOUT_SECONDS=2, MAIL_RETRY_SECONDS=0.5)
        response, elapsed = timed(lambda: post_comment(body="Sent while the server hangs."))
        assert response.status_code == 302
        assert elapsed < 1.0, elapsed  # the reader never waits for the mail server
        assert stored_comments(app)[-1].body == "Sent while the server hangs."
        # The sender did call, and the server said nothing: the attempt fails after its timeout.
        assert wait_until(lambda: hanging.connections)
        assert client.get("/posts/p/").status_code == 200  # the site answers meanwhile
        [failed] = wait_until(lambda: [m for m in outbox_rows(app) if m.last_error])
        assert failed.status is PENDING and failed.attempts == 1
        assert "timed out" in failed.last_error
        assert "Could not send the notification" in caplog.text
        port = hanging.port
    with smtp_server(port) as working:  # the mail server is back, at the same address
        assert wait_until(lambda: working.received, timeout=20)
        [message] = working.received
        [row] = wait_until(lambda: [m for m in outbox_rows(app) if m.status is SENT])
    assert row.attempts >= 2 and row.sent_at is not None and row.locked_until is None
    assert "Please moderate" in message["Subject"]
    body = message.get_content()
    assert "> Sent while the server hangs." in body
    assert f"Approve it: {app.config['SITE_URL']}/moderation/email/" in body


def test_a_refusing_mail_server_leaves_the_message_for_send_mail(
    app, post_id, post_comment, runner
):
    with smtp_server() as probe:  # a port that nothing listens on, once this block ends
        port = probe.port
    use_mail_server(app, port, MAIL_MAX_ATTEMPTS=1)
    assert post_comment(body="Kept for later.").status_code == 302
    [failed] = wait_until(lambda: [m for m in outbox_rows(app) if m.status is FAILED])
    assert failed.attempts == 1 and "refused" in failed.last_error.lower()
    sender_done(app)
    with smtp_server(port) as working:
        result = runner.invoke(args=["send-mail"])
        assert result.exit_code == 0, result.output
        assert "Sent 1 message." in result.output
        [message] = working.received
    assert "> Kept for later." in message.get_content()
    assert [m.status for m in outbox_rows(app)] == [SENT]
    assert "nothing to send" in runner.invoke(args=["send-mail"]).output


def test_send_mail_says_what_it_could_not_send(app, post_id, post_comment, runner):
    mail_sender(app).stop()
    post_comment(body="Nobody is listening.")
    with smtp_server() as probe:
        port = probe.port
    use_mail_server(app, port)
    result = runner.invoke(args=["send-mail"])
    assert result.exit_code == 1
    assert "1 message could not be sent and stay in the outbox" in result.output
    [row] = outbox_rows(app)
    assert row.status is PENDING and row.attempts == 1


def test_a_message_left_by_a_process_that_died_goes_out_with_the_next_one(
    app, database_uri, post_id, post_comment
):
    with app.app_context():  # one email per held comment: this test is about delivery
        db.session.add(DiscussionSettings(id=1, digest_minutes=0))
        db.session.commit()
    mail_sender(app).stop()  # this process "dies" after committing
    post_comment(body="Left behind.")
    # Another worker, on the same database and outbox folder.
    other = create_app({**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_uri})
    other.instance_path = app.instance_path
    try:
        reader = other.test_client()
        page = reader.get("/posts/p/")
        reader.post(
            "/posts/p/comments",
            data={"csrf_token": csrf_token_from(page.text), "body": "The next one.",
                  "author_name": "Bo", "author_email": "bo@example.com"},
        )  # fmt: skip
        sender_done(other)
    finally:
        mail_sender(other).stop()
        with other.app_context():
            db.engine.dispose()
    assert [m.status for m in outbox_rows(app)] == [SENT, SENT]
    files = sorted((Path(app.instance_path) / "outbox").glob("*.eml"))
    assert len(files) == 2


def test_a_claim_left_by_a_sender_that_died_expires(app, post_id, post_comment):
    mail_sender(app).stop()
    post_comment(body="Claimed, then abandoned.")
    transport = MailTransport.from_config(app.config, app.instance_path)
    with app.app_context():
        held_until = utcnow() + timedelta(minutes=5)
        db.session.execute(update(OutboxMessage).values(locked_until=held_until, attempts=1))
        db.session.commit()
        assert deliver(transport, due_only=False) == (0, 0)  # still someone else's
        db.session.execute(update(OutboxMessage).values(locked_until=utcnow()))  # it expired
        db.session.commit()
        assert deliver(transport) == (1, 0)
    [row] = outbox_rows(app)
    assert row.status is SENT and row.attempts == 2


def test_a_sender_waits_for_another_senders_claim_instead_of_spinning(app, post_id, post_comment):
    from app.discussion.outbox import next_due

    mail_sender(app).stop()
    post_comment(body="Held by another sender.")
    now = datetime.now(UTC)
    with app.app_context():
        assert next_due() <= now  # due now
        db.session.execute(update(OutboxMessage).values(locked_until=now + timedelta(seconds=30)))
        db.session.commit()
        due = next_due()
    assert timedelta(seconds=29) < due - now <= timedelta(seconds=30)


def test_three_workers_senders_at_once_send_each_message_once(
    app, database_uri, post_id, make_comment
):
    mail_sender(app).stop()  # the senders here are the three "workers" below
    comment_ids = [make_comment(post_id, body=f"Comment {n}") for n in range(45)]
    with app.app_context():
        for comment_id in comment_ids:
            comment = db.session.get(Comment, comment_id)
            links = ModerationLinks(queue=SITE, approve=SITE, spam=SITE, trash=SITE, comment=SITE)
            message = held_comment_message(
                comment, links, to_address="prof@example.edu", from_address="blog@example.edu",
                blog_title="Blog", now=comment.created_at,
            )  # fmt: skip
            queue_message(message, comment.created_at)
        db.session.commit()
    with smtp_server() as working:
        config = {**BASE_TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database_uri,
                  "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": working.port}  # fmt: skip
        workers = [create_app(config) for _ in range(3)]
        try:
            for worker in workers:
                mail_sender(worker).wake()
            assert wait_until(lambda: len(working.received) >= 45)
            assert wait_until(lambda: {m.status for m in outbox_rows(app)} == {SENT})
            time.sleep(0.2)  # a duplicate, if there were one, would have arrived by now
        finally:
            for worker in workers:
                mail_sender(worker).stop()
                with worker.app_context():
                    db.engine.dispose()
        bodies = [m.get_content() for m in working.received]
    assert len(bodies) == 45 == len(set(bodies))
    assert {(m.status, m.attempts) for m in outbox_rows(app)} == {(SENT, 1)}


# Against gunicorn: one worker serves readers while its sender waits on a hanging server


@pytest.mark.slow
def test_gunicorn_serves_readers_while_its_sender_waits_on_a_hanging_mail_server(
    database_uri, post_id, tmp_path, app
):
    with app.app_context():  # one email per held comment: this test is about delivery
        db.session.add(DiscussionSettings(id=1, digest_minutes=0))
        db.session.commit()
    with hanging_server() as hanging:
        config = {"MAIL_SERVER": '"127.0.0.1"', "MAIL_PORT": str(hanging.port),
                  "MAIL_TIMEOUT_SECONDS": "3", "MAIL_RETRY_SECONDS": "3"}  # fmt: skip
        with gunicorn(database_uri, tmp_path, workers=1, **config) as server:
            reader = RawClient(server.port)
            fields = {"body": "Held under gunicorn.", "author_name": "Cy",
                      "author_email": "cy@example.com"}  # fmt: skip
            posted, elapsed = timed(
                lambda: reader.submit("/posts/p/", "/posts/p/comments", **fields)
            )
            assert posted.status == 302, posted.text[:300]
            assert elapsed < 1.5, elapsed
            assert wait_until(lambda: hanging.connections)  # the sender now waits on it
            page, elapsed = timed(lambda: RawClient(server.port).request("GET", "/posts/p/"))
            assert page.status == 200 and elapsed < 1.5, elapsed  # the one worker still serves
            assert [c.body for c in stored_comments(app)] == ["Held under gunicorn."]
            assert wait_until(lambda: [m for m in outbox_rows(app) if m.last_error], timeout=20)
        port = hanging.port
    # That worker is gone; its message waits in the outbox for its retry time.
    [row] = outbox_rows(app)
    assert row.status is PENDING and row.locked_until is None
    with smtp_server(port) as working:
        config = {"MAIL_SERVER": '"127.0.0.1"', "MAIL_PORT": str(port)}
        with gunicorn(
            database_uri, tmp_path, workers=1, COMMENT_FLOOD_SECONDS="0", **config
        ) as server:
            posted = RawClient(server.port).submit(
                "/posts/p/", "/posts/p/comments", body="A second one, later.",
                author_name="Di", author_email="di@example.com",
            )  # fmt: skip
            assert posted.status == 302, posted.text[:300]
            assert wait_until(lambda: len(working.received) == 2, timeout=20)
            # Received, then marked sent: wait for the mark before the worker is stopped.
            assert wait_until(lambda: {m.status for m in outbox_rows(app)} == {SENT}, timeout=20)
    bodies = [m.get_content() for m in working.received]
    assert sum("> Held under gunicorn." in b for b in bodies) == 1
