"""Instructor accounts: creating them, checking passwords, and slowing down guessing."""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Sequence
from datetime import datetime, timedelta

from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..models import Instructor, LoginFailure
from ..text import plural, positive_id

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


MAX_DISPLAY_NAME = 100


def update_account(
    instructor: Instructor, *, display_name: str, current_password: str, new_password: str
) -> None:
    """Change the instructor's display name (the name on their replies, in the admin bar and
    in emails) and, when ``new_password`` is given, their password; commits once.

    Refuses an empty or over-long display name, and a new password without the current one or
    shorter than 8 characters.
    """
    display_name = display_name.strip()
    if not display_name or len(display_name) > MAX_DISPLAY_NAME:
        raise AccountError(f"A display name must be 1 to {MAX_DISPLAY_NAME} characters.")
    if new_password:
        if not instructor.check_password(current_password):
            raise AccountError("Your current password is not right; your password is unchanged.")
        if len(new_password) < MIN_PASSWORD_LENGTH:
            raise AccountError(f"A password must be at least {MIN_PASSWORD_LENGTH} characters.")
        instructor.set_password(new_password)
    instructor.display_name = display_name
    db.session.commit()


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


def guesser_key(ip_address: str) -> str:
    """Whose failures these are: the IPv4 address, or the /64 network of an IPv6 address (one
    subscriber usually holds a whole /64, and could otherwise take a fresh address per guess)."""
    try:
        address = ipaddress.ip_address(ip_address)
    except ValueError:
        return ip_address[:45]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


def recent_failures(guesser: str, now: datetime) -> list[datetime]:
    """Failure times in the window from this guesser (address or IPv6 network), any username."""
    return list(
        db.session.scalars(
            db.select(LoginFailure.failed_at).where(
                LoginFailure.ip_address == guesser,
                LoginFailure.failed_at > now - FAILURE_WINDOW,
            )
        )
    )


def login_lockout(ip_address: str, now: datetime) -> timedelta | None:
    """How long this address must wait before trying again, if it is locked out.

    Failures count against the address they came from, whatever usernames it tried, which
    covers one username tried from there. They never lock a username for everyone: a lockout
    anyone could trigger for the instructor's username would let anyone lock the instructor
    out, from anywhere, for as long as they kept guessing.
    """
    return lockout_remaining(recent_failures(guesser_key(ip_address), now), now)


def authenticate(username: str, password: str, ip_address: str, now: datetime) -> Instructor | None:
    """The instructor for these credentials, or None.

    Failures are recorded against the address for the lockout; a success clears the failures
    of that username from that address only (not a guesser's, elsewhere).
    """
    username = username.strip()[:64]
    guesser = guesser_key(ip_address)
    instructor = db.session.scalar(db.select(Instructor).filter_by(username=username))
    if instructor is None:
        check_password_hash(_DUMMY_HASH, password)
    elif instructor.check_password(password):
        db.session.execute(db.delete(LoginFailure).filter_by(username=username, ip_address=guesser))
        db.session.commit()
        return instructor
    db.session.add(LoginFailure(username=username, ip_address=guesser, failed_at=now))
    db.session.execute(db.delete(LoginFailure).where(LoginFailure.failed_at < now - FAILURE_WINDOW))
    db.session.commit()
    return None


INVALID = "Invalid username or password."


class LoginRefused(Exception):
    """A refused login, with the words and HTTP status to show at the form."""

    def __init__(self, message: str, status_code: int) -> None:
        super().__init__(message)
        self.message = message
        self.status_code = status_code


def log_in(username: str, password: str, ip_address: str, now: datetime) -> Instructor:
    """The instructor these credentials belong to.

    Refuses (``LoginRefused``) an address that is locked out (429, with how long to wait; even
    the right password waits) and wrong credentials (401, the same words for an unknown username
    and a wrong password). Records each failure for the lockout.
    """
    wait = login_lockout(ip_address, now)
    if wait is not None:
        minutes = minutes_to_wait(wait)
        raise LoginRefused(
            f"Too many failed logins; try again in {plural(minutes, 'minute')}.", 429
        )
    instructor = authenticate(username, password, ip_address, now)
    if instructor is None:
        raise LoginRefused(INVALID, 401)
    return instructor


def load_instructor(user_id: str) -> Instructor | None:
    """Flask-Login's user loader: the instructor whose id the session holds, if any."""
    instructor_id = positive_id(user_id)
    return None if instructor_id is None else db.session.get(Instructor, instructor_id)
