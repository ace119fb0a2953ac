"""Commenters' addresses are kept only as long as they are needed, then erased.

A comment's IP address and browser (user agent) help against spam and flooding while the
comment is fresh; after the instructor's "keep IP addresses for N days" (30 by default) they are
erased (set to ""), the comment itself untouched. The same purge drops failed logins (the
lockout looks back 15 minutes) and delivered notification emails (they quote the commenter's
address and IP) once they are that old.

It runs by ``flask --app app purge-addresses`` and, without anyone thinking of it, once a day
inside the app: before a request, at most once an hour per server process, a short-lived thread
calls ``run_daily_purge``, which claims the day in the ``scheduled_runs`` table with one
conditional UPDATE, so however many workers check, one of them runs it each (UTC) day. The
purge is idempotent anyway: running it twice erases nothing twice. Nothing personal is logged,
only counts.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from typing import NamedTuple

from flask import Flask
from sqlalchemy import delete, or_, update
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Comment, LoginFailure, OutboxMessage, OutboxStatus, ScheduledRun, utcnow
from .discussion_settings import load_settings

log = logging.getLogger(__name__)

PURGE_JOB = "purge-addresses"
# The login lockout looks back 15 minutes (classroom.accounts.FAILURE_WINDOW); a day is ample.
LOGIN_FAILURES_KEPT = timedelta(days=1)
PURGER_KEY = "classblog.daily_purge"


class PurgeResult(NamedTuple):
    comments: int  # comments whose IP address and browser were erased
    login_failures: int  # failed logins deleted
    sent_messages: int  # delivered notification emails deleted
    days: int  # the retention it applied


def purge_addresses(now: datetime, days: int | None = None) -> PurgeResult:
    """Erase the IP address and browser of every comment older than ``days`` (default: the
    discussion setting) at ``now``, and delete the failed logins and delivered notification
    emails that old; commits. A comment exactly ``days`` old keeps its address until later."""
    result = _purge(now, load_settings().address_retention_days if days is None else days)
    db.session.commit()
    return result


def _purge(now: datetime, days: int) -> PurgeResult:
    days = max(days, 1)  # the settings form refuses less; an imported 0 still keeps a day
    cutoff = now - timedelta(days=days)
    stale = (Comment.created_at < cutoff, or_(Comment.author_ip != "", Comment.user_agent != ""))
    comments = 0
    # Looked for first: the UPDATE moves the queue's cache version even when it changes nothing.
    if db.session.scalar(db.select(Comment.id).where(*stale).limit(1)) is not None:
        comments = db.session.execute(
            update(Comment)
            .where(*stale)
            .values(author_ip="", user_agent="")
            # No public page shows an address (the queue's version moves by itself).
            .execution_options(changes_pages=frozenset(), synchronize_session=False)
        ).rowcount
    failures = db.session.execute(
        delete(LoginFailure).where(LoginFailure.failed_at < now - LOGIN_FAILURES_KEPT)
    ).rowcount
    sent = db.session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.status == OutboxStatus.SENT, OutboxMessage.sent_at < cutoff
        )
    ).rowcount
    return PurgeResult(comments, failures, sent, days)


def run_daily_purge(now: datetime) -> PurgeResult | None:
    """The purge, if nobody has run it yet on ``now``'s (UTC) day: claimed and done in one
    transaction, so of several processes asking at once exactly one runs it. None if it had
    already run today."""
    if not claim_day(PURGE_JOB, now):
        return None
    result = _purge(now, load_settings().address_retention_days)
    db.session.commit()
    # Counts only: nothing personal goes to the log.
    log.info(
        "Daily purge: erased the IP addresses of %d comment(s) older than %d days; deleted %d "
        "failed login(s) and %d sent email(s)",
        result.comments,
        result.days,
        result.login_failures,
        result.sent_messages,
    )
    return result


def claim_day(name: str, now: datetime) -> bool:
    """Record ``now`` as job ``name``'s last run, if it last ran before ``now``'s UTC day;
    whether this caller got it (then the caller commits). One conditional UPDATE: a second
    process waits on the first's row lock and then finds the day taken."""
    start_of_day = datetime.combine(now.astimezone(UTC).date(), clock_time(), UTC)
    table = ScheduledRun.__table__
    claimed = db.session.execute(
        update(table)
        .where(table.c.name == name, table.c.last_run_at < start_of_day)
        .values(last_run_at=now)
    ).rowcount
    if claimed:
        return True
    exists = db.session.scalar(db.select(table.c.name).where(table.c.name == name))
    if exists is not None:
        db.session.rollback()
        return False
    try:  # the very first run: whoever inserts the row has the day
        db.session.add(ScheduledRun(name=name, last_run_at=now))
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


class DailyPurge:
    """One application's trigger for the daily purge in this process: before a request, at most
    every ``PURGE_CHECK_SECONDS`` (0: never; use the command from cron instead), a short thread
    asks ``run_daily_purge``. The request never waits for it."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._next_check = 0.0  # time.monotonic(): the first request checks
        self.thread: threading.Thread | None = None

    def poke(self) -> None:
        """Start the check if it is due (a clock read otherwise: this runs on every request)."""
        interval = self.app.config.get("PURGE_CHECK_SECONDS") or 0
        now = time.monotonic()
        if interval <= 0 or now < self._next_check:
            return
        with self._lock:
            if now < self._next_check:
                return
            self._next_check = now + interval
            self.thread = threading.Thread(target=self._run, name="daily-purge", daemon=True)
            self.thread.start()

    def _run(self) -> None:
        try:
            with self.app.app_context():
                run_daily_purge(utcnow())
        except Exception:  # the database away, say: the next check tries again
            log.exception("The daily purge of addresses failed; it will be tried again")

    def join(self, timeout: float | None = None) -> None:
        """Wait for a check under way (tests, and an orderly shutdown)."""
        thread = self.thread
        if thread is not None:
            thread.join(timeout)


def daily_purge(app: Flask) -> DailyPurge:
    return app.extensions[PURGER_KEY]


def init_daily_purge(app: Flask) -> None:
    """Give the application its daily purge, checked before requests."""
    purger = app.extensions[PURGER_KEY] = DailyPurge(app)
    app.before_request(purger.poke)
