"""The blog's own address, ``SITE_URL``: links that leave the site (in emails) are built on it,
and by default it names the host the blog answers to.

A request's Host header (or X-Forwarded-Host behind a proxy) is whatever the client chose to
send, so it never goes into a link someone else will follow: a held comment posted with
``Host: attacker.example`` once put the instructor's signed Approve link on that host.
"""

from __future__ import annotations

from typing import Any, TypedDict
from urllib.parse import SplitResult, quote, urlsplit

from flask import current_app
from werkzeug.routing import Map, MapAdapter

from .chrome import site_chrome

# Hosts a developer reaches the blog under on their own machine (``make run``, the tests).
THIS_MACHINE = ("localhost", "127.0.0.1")


class SiteUrlError(ValueError):
    """A ``SITE_URL`` that is not an http(s) address of a host; the message says what is."""


def split_site_url(site_url: str) -> SplitResult:
    """The parts of ``site_url``; refuses anything but ``http(s)://host[:port][/path]``."""
    parts = urlsplit(site_url)
    valid = (
        parts.scheme in ("http", "https")
        and bool(parts.hostname)
        and not (parts.query or parts.fragment or parts.username or parts.password)
    )
    if not valid:
        raise SiteUrlError(
            f"SITE_URL must be the blog's address, such as https://blog.example.edu "
            f"(http or https, a host, optionally a port and a path), not {site_url!r}."
        )
    return parts


def default_trusted_hosts(site_url: str) -> list[str]:
    """The Host names to answer to when ``TRUSTED_HOSTS`` is not set: the site's own, and this
    machine's (which only someone on it can reach). Anything else, a DNS-rebinding page
    included, gets a 400."""
    host = split_site_url(site_url).hostname or ""
    return list(dict.fromkeys([host, *THIS_MACHINE]))


class SiteLinks:
    """Absolute links to our pages on ``SITE_URL``, built with the app's URL map."""

    def __init__(self, url_map: Map, site_url: str) -> None:
        parts = split_site_url(site_url)
        self._adapter: MapAdapter = url_map.bind(
            parts.netloc.lower(), script_name=parts.path or "/", url_scheme=parts.scheme
        )

    def __call__(self, endpoint: str, /, *, anchor: str | None = None, **values: Any) -> str:
        """``url_for(endpoint, _external=True, _anchor=anchor, **values)``, on ``SITE_URL``."""
        url = self._adapter.build(endpoint, values, force_external=True)
        return f"{url}#{quote(anchor, safe='')}" if anchor else url


class MailValues(TypedDict):
    """The configuration an email needs, as the domain's ``NotificationSettings`` takes it."""

    url_for: SiteLinks
    secret_key: str
    from_address: str
    blog_title: str


def mail_values() -> MailValues:
    """What the domain needs to write an email, read from the app's configuration: links on
    ``SITE_URL`` (the request's Host is the client's to choose), the key that signs them, the
    sender and the blog's name. Views hand it down as ``NotificationSettings(**mail_values())``."""
    config = current_app.config
    return MailValues(
        url_for=SiteLinks(current_app.url_map, config["SITE_URL"]),
        secret_key=config["SECRET_KEY"],
        from_address=config["MAIL_FROM"],
        blog_title=site_chrome().name,  # the course name, as the pages show it
    )
