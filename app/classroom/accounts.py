"""Instructor accounts: creating them, checking passwords, and slowing down guessing."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import or_
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import Instructor, LoginFailure
from ..text import positive_id

MIN_PASSWORD_LENGTH = 8
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(minutes=15)
# Checked when the username is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a real password", method="scrypt")


class AccountError(ValueError):
    """A refused account change, with a message for the person at the keyboard."""


def save_instructor(
    username: str, password: str, display_name: str | None = None
) -> tuple[Instructor, bool]:
    """Create the instructor, or change an existing one's password; returns (instructor, created).

    Refuses an empty or over-long username and a password shorter than 8 characters.
    """
    username = username.strip()
    if not username or len(username) > 64:
        raise AccountError("A username must be 1 to 64 characters.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"A password must be at least {MIN_PASSWORD_LENGTH} characters.")
    instructor = db.session.scalar(db.select(Instructor).filter_by(username=username))
    created = instructor is None
    if instructor is None:
        instructor = Instructor(username=username, display_name=display_name or username)
        db.session.add(instructor)
    elif display_name:
        instructor.display_name = display_name
    instructor.set_password(password)
    db.session.commit()
    return instructor, created


def lockout_remaining(failures: Sequence[datetime], now: datetime) -> timedelta | None:
    """How long until another try is allowed, given recent failures; None when not locked out.

    Five failures within fifteen minutes lock out until the oldest of them is fifteen minutes old.
    """
    recent = sorted(t for t in failures if now - t < FAILURE_WINDOW)
    if len(recent) < MAX_FAILURES:
        return None
    return recent[-MAX_FAILURES] + FAILURE_WINDOW - now


def minutes_to_wait(remaining: timedelta) -> int:
    return max(1, math.ceil(remaining.total_seconds() / 60))


def recent_failures(
    username: str, ip_address: str, now: datetime
) -> tuple[list[datetime], list[datetime]]:
    """Failure times in the window for this username and for this IP address."""
    rows = db.session.execute(
        db.select(LoginFailure.username, LoginFailure.ip_address, LoginFailure.failed_at).where(
            LoginFailure.failed_at > now - FAILURE_WINDOW,
            or_(LoginFailure.username == username, LoginFailure.ip_address == ip_address),
        )
    ).all()
    by_name = [row.failed_at for row in rows if row.username == username]
    by_ip = [row.failed_at for row in rows if row.ip_address == ip_address]
    return by_name, by_ip


def login_lockout(username: str, ip_address: str, now: datetime) -> timedelta | None:
    """The longer wait of the username's and the IP address's lockouts, if either applies."""
    by_name, by_ip = recent_failures(username, ip_address, now)
    waits = [w for w in (lockout_remaining(by_name, now), lockout_remaining(by_ip, now)) if w]
    return max(waits) if waits else None


def authenticate(username: str, password: str, ip_address: str, now: datetime) -> Instructor | None:
    """The instructor for these credentials, or None.

    Failures are recorded for the lockout; a success clears that username's failures.
    """
    username = username.strip()[:64]
    instructor = db.session.scalar(db.select(Instructor).filter_by(username=username))
    if instructor is None:
        check_password_hash(_DUMMY_HASH, password)
    elif instructor.check_password(password):
        db.session.execute(db.delete(LoginFailure).filter_by(username=username))
        db.session.commit()
        return instructor
    db.session.add(LoginFailure(username=username, ip_address=ip_address, failed_at=now))
    db.session.execute(db.delete(LoginFailure).where(LoginFailure.failed_at < now - FAILURE_WINDOW))
    db.session.commit()
    return None


def load_instructor(user_id: str) -> Instructor | None:
    """Flask-Login's user loader: the instructor whose id the session holds, if any."""
    instructor_id = positive_id(user_id)
    return None if instructor_id is None else db.session.get(Instructor, instructor_id)
