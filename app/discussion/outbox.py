"""The outbox: emails stored with the change they tell about, and sent after the response.

A notification is an ``OutboxMessage`` row added in the same transaction as the held comment, so
it exists exactly when the comment does. When that transaction commits, this process's sender
thread is woken; it sends every message that is due, by SMTP or, without ``MAIL_SERVER``, as an
.eml file in ``OUTBOX_DIR``, and marks it sent, or records the error and when to try again
(``MAIL_RETRY_SECONDS``, doubling up to an hour, ``MAIL_MAX_ATTEMPTS`` times). So a mail server
that refuses or hangs never delays or fails a reader's request, and a message is never lost to a
busy or dying process: its row waits in the database until it is sent. ``flask send-mail`` sends
whatever is left, failed messages included.

Several processes (gunicorn workers) may each run a sender: a message is claimed by one
statement that also sets ``locked_until``, so only one of them sends it. A sender that dies
mid-send leaves its claim to expire; the message is then due again.
"""

from __future__ import annotations

import email
import email.policy
import logging
import os
import smtplib
import ssl
import threading
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any, NamedTuple

from flask import Flask, current_app, has_app_context
from sqlalchemy import case, event, or_, select, update
from sqlalchemy.orm import Session

from ..extensions import db
from ..models import OutboxMessage, OutboxStatus, utcnow

log = logging.getLogger(__name__)

PENDING, SENT, FAILED = OutboxStatus.PENDING, OutboxStatus.SENT, OutboxStatus.FAILED
# How many messages one statement claims; the rest wait for the next round.
BATCH = 20
# The longest wait between two retries, however many attempts failed before.
MAX_RETRY_DELAY = timedelta(hours=1)
SENDER_KEY = "mail_sender"
QUEUED_KEY = "outbox_queued"


@dataclass(frozen=True)
class MailTransport:
    """How messages leave, from the ``MAIL_*`` and ``OUTBOX_DIR`` configuration."""

    server: str | None
    port: int
    use_tls: bool
    username: str | None
    password: str | None
    timeout: float
    outbox_dir: Path
    retry_seconds: float
    max_attempts: int

    @classmethod
    def from_config(cls, config: Mapping[str, Any], instance_path: str) -> MailTransport:
        return cls(
            server=config.get("MAIL_SERVER") or None,
            port=int(config.get("MAIL_PORT", 25)),
            use_tls=bool(config.get("MAIL_USE_TLS")),
            username=config.get("MAIL_USERNAME") or None,
            password=config.get("MAIL_PASSWORD") or None,
            timeout=float(config.get("MAIL_TIMEOUT_SECONDS", 5)),
            outbox_dir=Path(config.get("OUTBOX_DIR") or Path(instance_path) / "outbox"),
            retry_seconds=float(config.get("MAIL_RETRY_SECONDS", 60)),
            max_attempts=int(config.get("MAIL_MAX_ATTEMPTS", 10)),
        )

    @property
    def lease(self) -> timedelta:
        """How long a claim lasts: enough for every step of a slow SMTP conversation."""
        return timedelta(seconds=max(60.0, 10 * self.timeout))

    def retry_delay(self, attempts: int) -> timedelta:
        """The wait before the next try after ``attempts`` failed ones: doubling, up to an hour."""
        seconds = self.retry_seconds * 2 ** min(attempts - 1, 20)
        return min(timedelta(seconds=seconds), MAX_RETRY_DELAY)


def queue_message(message: EmailMessage, now: datetime) -> OutboxMessage:
    """Add ``message`` to the outbox in the caller's transaction; it is sent after the commit."""
    row = OutboxMessage(
        to_address=str(message["To"])[:254],
        subject=str(message["Subject"])[:255],
        message=message.as_string(),
        created_at=now,
        next_attempt_at=now,
    )
    db.session.add(row)
    return row


class Claimed(NamedTuple):
    id: int
    message: str
    attempts: int
    created_at: datetime


def claim(
    now: datetime, lease_until: datetime, *, due_only: bool, skip: Collection[int] = ()
) -> list[Claimed]:
    """Take up to ``BATCH`` messages no other sender holds, in one statement, and commit.

    ``due_only``: pending messages whose time has come (the sender); otherwise every message
    not yet sent, failed ones included (``flask send-mail``). ``skip``: ids tried already.
    """
    table = OutboxMessage.__table__
    wanted = (
        (table.c.status == PENDING) & (table.c.next_attempt_at <= now)
        if due_only
        else table.c.status != SENT
    )
    if skip:
        wanted = wanted & table.c.id.not_in(list(skip))
    free = or_(table.c.locked_until.is_(None), table.c.locked_until <= now)
    candidates = (
        select(table.c.id).where(wanted, free).order_by(table.c.next_attempt_at).limit(BATCH)
    )
    claimed = db.session.execute(
        update(table)
        # The conditions again: on PostgreSQL they are checked anew on a row another sender
        # has just claimed, which then is skipped.
        .where(table.c.id.in_(candidates.scalar_subquery()), wanted, free)
        .values(locked_until=lease_until, attempts=table.c.attempts + 1)
        .returning(table.c.id, table.c.message, table.c.attempts, table.c.created_at)
    ).all()
    db.session.commit()
    return [Claimed(*row) for row in claimed]


# Read back as it was written: a header line up to RFC 5322's 998 characters is sent as it is.
# At the default 78, sending refolded a long List-Unsubscribe address into encoded-words,
# which mail clients do not read as an address.
AS_STORED = email.policy.default.clone(max_line_length=998)


def send(claimed: Claimed, transport: MailTransport) -> None:
    """Send one message by SMTP, or write it to the outbox folder; raises on failure."""
    if transport.server:
        message = email.message_from_string(claimed.message, policy=AS_STORED)
        with smtplib.SMTP(transport.server, transport.port, timeout=transport.timeout) as smtp:
            if transport.use_tls:
                smtp.starttls(context=ssl.create_default_context())
            if transport.username:
                smtp.login(transport.username, transport.password or "")
            smtp.send_message(message)
        log.info("Sent notification %s", claimed.id)
        return
    transport.outbox_dir.mkdir(parents=True, exist_ok=True)
    # Named by the row: trying again after a crash rewrites the same file, never a second one.
    path = transport.outbox_dir / f"{claimed.created_at:%Y%m%d-%H%M%S}-{claimed.id:08d}.eml"
    # Written aside and renamed, so whoever reads *.eml never sees half a message.
    partial = path.with_suffix(".partial")
    partial.write_text(claimed.message, encoding="ascii")
    partial.replace(path)
    log.info("No MAIL_SERVER configured; notification written to %s\n%s", path, claimed.message)


def record(
    claimed: Claimed, transport: MailTransport, error: Exception | None, now: datetime
) -> None:
    """Mark a message sent, or note the failure and when to try again (or that we gave up)."""
    values: dict[str, Any] = {"locked_until": None}
    if error is None:
        values.update(status=SENT, sent_at=now, last_error="")
    else:
        reason = f"{type(error).__name__}: {error}"[:500]
        values["last_error"] = reason
        if claimed.attempts >= transport.max_attempts:
            values["status"] = FAILED
            log.error(
                "Could not send the notification %s (attempt %d, giving up; "
                "`flask --app app send-mail` tries again): %s",
                claimed.id,
                claimed.attempts,
                reason,
            )
        else:
            retry_at = now + transport.retry_delay(claimed.attempts)
            values.update(status=PENDING, next_attempt_at=retry_at)
            log.error(
                "Could not send the notification %s (attempt %d; trying again at %s): %s",
                claimed.id,
                claimed.attempts,
                f"{retry_at:%H:%M:%S} UTC",
                reason,
            )
    db.session.execute(
        update(OutboxMessage.__table__)
        .where(OutboxMessage.__table__.c.id == claimed.id)
        .values(**values)
    )
    db.session.commit()


class Delivery(NamedTuple):
    sent: int
    failed: int


def deliver(transport: MailTransport, *, due_only: bool = True) -> Delivery:
    """Send what the outbox holds (due messages, or with ``due_only=False`` every unsent one),
    a batch at a time. Failures are recorded and logged, never raised."""
    sent = failed = 0
    tried: set[int] = set()  # a message that failed is not tried twice in one call
    while True:
        now = utcnow()
        batch = claim(now, now + transport.lease, due_only=due_only, skip=tried)
        tried.update(claimed.id for claimed in batch)
        for claimed in batch:
            error: Exception | None = None
            try:
                send(claimed, transport)
            except Exception as exc:  # whatever it is, it is this message's failure, recorded
                error = exc
            record(claimed, transport, error, utcnow())
            sent, failed = sent + (error is None), failed + (error is not None)
        # A short batch is the end, or another sender took the rest: either way ours are done.
        # (A sender thread looks again at once if a free message is still due: see next_due.)
        if len(batch) < BATCH:
            return Delivery(sent, failed)


def next_due() -> datetime | None:
    """When the earliest pending message can be taken, if any is pending: its next attempt, or
    later if another sender holds it (waking sooner would find nothing to take, again and
    again, until that sender is done)."""
    table = OutboxMessage.__table__
    free_at = case(
        (table.c.locked_until > table.c.next_attempt_at, table.c.locked_until),
        else_=table.c.next_attempt_at,
    )
    return db.session.scalar(select(db.func.min(free_at)).where(table.c.status == PENDING))


class MailSender:
    """One application's background sender in this process.

    The thread starts when woken and ends when nothing is pending; while a failed message waits
    for its retry, it sleeps until then (or until woken again).
    """

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._reset()

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._stopping = False

    def wake(self) -> None:
        """Have the thread look at the outbox now; start it if it is not running."""
        if self._pid != os.getpid():  # a forked child inherits no thread: start afresh
            self._reset()
        with self._lock:
            if self._stopping:
                return
            self._wake.set()
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="mail-sender", daemon=True)
                self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        """Stop the thread for good, after the message it is sending, waiting up to ``timeout``
        seconds; what is pending stays in the outbox."""
        with self._lock:
            self._stopping = True
            self._wake.set()
            thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def wait_until_idle(self, timeout: float) -> bool:
        """Whether the thread has ended, nothing being left pending, within ``timeout`` seconds
        (a thread waiting to retry a failed message is not idle)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return thread is None or not thread.is_alive()

    def _run(self) -> None:
        while True:
            self._wake.clear()
            try:
                with self.app.app_context():
                    transport = MailTransport.from_config(self.app.config, self.app.instance_path)
                    deliver(transport)
                    due = next_due()
                delay = None if due is None else max(0.0, (due - utcnow()).total_seconds())
            except Exception:  # the database away, say: the messages stay; try again later
                log.exception("The mail sender could not reach the outbox; it will try again")
                delay = float(self.app.config.get("MAIL_RETRY_SECONDS", 60))
            with self._lock:
                if self._stopping or (delay is None and not self._wake.is_set()):
                    self._thread = None
                    return
            self._wake.wait(delay)


def mail_sender(app: Flask) -> MailSender:
    """The application's sender in this process."""
    return app.extensions[SENDER_KEY]


def init_mail_sender(app: Flask) -> None:
    """Give the application its sender (started on first use) and wake it after commits that
    queue mail."""
    app.extensions[SENDER_KEY] = MailSender(app)
    if not event.contains(db.session, "after_flush", _note_queued_mail):
        event.listen(db.session, "after_flush", _note_queued_mail)
        event.listen(db.session, "after_commit", _wake_after_commit)
        event.listen(db.session, "after_rollback", _forget_queued_mail)


def _note_queued_mail(session: Session, _flush_context: Any) -> None:
    if any(isinstance(obj, OutboxMessage) for obj in session.new):
        session.info[QUEUED_KEY] = True


def _wake_after_commit(session: Session) -> None:
    # Only now is the message there for the sender (another connection) to see.
    if session.info.pop(QUEUED_KEY, False) and has_app_context():
        sender = current_app.extensions.get(SENDER_KEY)
        if sender is not None:
            sender.wake()


def _forget_queued_mail(session: Session) -> None:
    session.info.pop(QUEUED_KEY, None)
