"""Real mail servers on 127.0.0.1 for the notification tests: one that accepts connections and
never says a word, and a small working SMTP server; and ways to wait for the sender thread.

The SMTP server speaks just enough of RFC 5321 for smtplib (EHLO/HELO, MAIL, RCPT, DATA, RSET,
NOOP, QUIT) and keeps what it received. Each runs in a daemon thread until its block ends.
"""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from flask import Flask

from app.discussion.outbox import mail_sender
from app.extensions import db
from app.models import OutboxMessage


def wait_until(condition: Callable[[], Any], timeout: float = 15, interval: float = 0.02) -> Any:
    """``condition()``'s first true value, polling until ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def sender_done(app: Flask, timeout: float = 15) -> None:
    """Wait for the application's sender thread to finish what it was woken for."""
    assert mail_sender(app).wait_until_idle(timeout), "the mail sender is still at work"


def outbox_rows(app: Flask) -> list[OutboxMessage]:
    """Every message in the outbox table, oldest first, detached for inspection."""
    with app.app_context():
        rows = list(db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)))
        db.session.expunge_all()
        return rows


def listening_socket(port: int = 0) -> socket.socket:
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(16)
    server.settimeout(0.1)
    return server


@dataclass
class HangingServer:
    """Accepts every connection and never answers: a mail server that hangs."""

    port: int
    connections: list[socket.socket] = field(default_factory=list)


@contextmanager
def accepting(listener: socket.socket, handle: Callable[[socket.socket], None]) -> Iterator[None]:
    """Accept connections on ``listener`` in a thread, handing each to ``handle``, until the
    block ends; then stop and close the listener."""
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            handle(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(5)
        listener.close()


@contextmanager
def hanging_server() -> Iterator[HangingServer]:
    listener = listening_socket()
    server = HangingServer(listener.getsockname()[1])
    # Each connection is held open, unread, until the block ends.
    with accepting(listener, server.connections.append):
        try:
            yield server
        finally:
            for connection in server.connections:
                connection.close()


@dataclass
class SmtpServer:
    port: int
    received: list[EmailMessage] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)  # each message as it came over the wire
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)


def serve_smtp(connection: socket.socket, server: SmtpServer) -> None:
    """One SMTP session: greet, answer each command, keep each message."""
    stream = connection.makefile("rwb")

    def reply(line: str) -> None:
        stream.write(line.encode() + b"\r\n")
        stream.flush()

    sender, recipients = "", []
    reply("220 test.invalid ESMTP ready")
    for raw in stream:
        command = raw.decode("ascii", "replace").strip()
        verb = command[:4].upper()
        if verb in ("EHLO", "HELO"):
            reply("250 test.invalid")
        elif verb == "MAIL":
            sender, recipients = command.partition(":")[2].strip(), []
            reply("250 OK")
        elif verb == "RCPT":
            recipients.append(command.partition(":")[2].strip())
            reply("250 OK")
        elif verb == "DATA":
            reply("354 End data with <CR><LF>.<CR><LF>")
            lines = []
            for data in stream:
                if data in (b".\r\n", b".\n"):
                    break
                lines.append(data[1:] if data.startswith(b"..") else data)
            message = email.message_from_bytes(b"".join(lines), policy=email.policy.default)
            server.raw.append(b"".join(lines))
            server.received.append(message)  # type: ignore[arg-type]
            server.envelopes.append((sender, recipients))
            reply("250 OK: queued")
        elif verb in ("RSET", "NOOP"):
            reply("250 OK")
        elif verb == "QUIT":
            reply("221 Bye")
            break
        else:
            reply("502 Command not implemented")
    stream.close()
    connection.close()


@contextmanager
def smtp_server(port: int = 0) -> Iterator[SmtpServer]:
    """A working SMTP server on 127.0.0.1 (on ``port``, e.g. one a hanging server just left)."""
    listener = listening_socket(port)
    server = SmtpServer(listener.getsockname()[1])

    def session(connection: socket.socket) -> None:
        connection.settimeout(10)
        threading.Thread(target=serve_smtp, args=(connection, server), daemon=True).start()

    with accepting(listener, session):
        yield server
