"""A real gunicorn server on 127.0.0.1 and a minimal browser-like client, for the tests that need
real processes (concurrency, crashes)."""

from __future__ import annotations

import http.client
import os
import random
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
CSRF_FIELD = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


def free_port(first: int | None = None) -> int:
    """A free port below the ephemeral range (where TIME-WAIT sockets can hold a port).

    Without ``first``, the search starts at a random port: two test runs on one machine (two
    checkouts) then rarely try the same ports, so a test never talks to the other run's server.
    """
    if first is None:
        first = random.randrange(20000, 30000)
    for port in range(first, 32000, 7):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port")


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    def kill(self) -> None:
        """SIGKILL the master and every worker at once: no chance to clean up."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def gunicorn(
    database_uri: str, tmp_path: Path, *, workers: int = 4, **config: str
) -> Iterator[Server]:
    """Serve the production entry point ``wsgi:app`` with gunicorn until the block ends."""
    port = free_port()
    env = {
        **os.environ,
        "FLASK_SQLALCHEMY_DATABASE_URI": database_uri,
        "FLASK_SECRET_KEY": "live-server-test",
        "FLASK_OUTBOX_DIR": str(tmp_path / "outbox"),
        # No daily purge thread writing behind a test's back (test_retention covers it).
        "FLASK_PURGE_CHECK_SECONDS": "0",
        **{f"FLASK_{key}": value for key, value in config.items()},
    }
    log_path = tmp_path / f"gunicorn-{port}.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(GUNICORN), "-w", str(workers), "-b", f"127.0.0.1:{port}", "--no-control-socket",
             "--graceful-timeout", "5", "wsgi:app"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    server = Server(port, process, log_path)
    try:
        wait_until_serving(server)
        yield server
    finally:
        server.stop()


def wait_until_serving(server: Server, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn exited:\n{server.log_path.read_text()}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=2)
            connection.request("GET", "/")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
        finally:
            connection.close()
    raise RuntimeError(f"gunicorn did not start:\n{server.log_path.read_text()}")


@dataclass
class Browser:
    """Keeps the session cookie and sends forms with the page's CSRF token, as a browser does."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], str]:
        """One request with the kept cookies; the body is read as text (so no gzip asked for
        unless ``headers`` asks, and then only its headers are of use)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            **(headers or {}),
        }
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            raw = response.read()
            text = raw.decode() if response.getheader("Content-Encoding") != "gzip" else ""
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";", 1)[0]
            return response.status, {k.lower(): v for k, v in response.getheaders()}, text
        finally:
            connection.close()

    def submit_comment(self, slug: str, **fields: str) -> tuple[int, dict[str, str], str]:
        status, _, page = self.request("GET", f"/posts/{slug}/")
        assert status == 200, page[:300]
        token = CSRF_FIELD.search(page).group(1)
        return self.request("POST", f"/posts/{slug}/comments", {"csrf_token": token, **fields})
