"""A browser-like HTTP client for the tests against gunicorn that need what the test client
cannot fake on a real socket: the Host header it sends, and the address it connects from.

Any loopback address (127.0.0.2, 127.0.0.3, ...) can be a source on Linux, so "two readers on
different machines" are two clients bound to two of them, connecting to 127.0.0.1.
"""

from __future__ import annotations

import http.client
import re
from dataclasses import dataclass, field
from urllib.parse import urlencode

CSRF_FIELD = re.compile(r'<input[^>]*name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    text: str


@dataclass
class RawClient:
    """Keeps its cookies, sends forms with the page's CSRF token, and can choose its source
    address and its Host header."""

    port: int
    source: str = "127.0.0.1"
    host: str | None = None
    cookies: dict[str, str] = field(default_factory=dict)

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Response:
        connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=30, source_address=(self.source, 0)
        )
        headers = {"Host": self.host or f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";", 1)[0]
            return Response(response.status, {k.lower(): v for k, v in response.getheaders()}, text)
        finally:
            connection.close()

    def submit(self, page: str, action: str, **fields: str) -> Response:
        """GET ``page``, then POST ``fields`` to ``action`` with that page's CSRF token."""
        shown = self.request("GET", page)
        match = CSRF_FIELD.search(shown.text)
        assert match, (shown.status, shown.text[:300])
        return self.request("POST", action, {"csrf_token": match.group(1), **fields})
