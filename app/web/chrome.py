"""The site's chrome: the course name and tagline every page's header and <title> show.

They are stored with the instructor's settings. A page reads them at most once per request, and
the reader pages read them for free: the post page's and front page's one small query carries
them (and their cache keys hold them, so a change shows at once, even on cached pages).
"""

from __future__ import annotations

from typing import NamedTuple

from flask import current_app, g
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..models import DiscussionSettings


class SiteChrome(NamedTuple):
    name: str
    tagline: str


def use_chrome(name: str | None, tagline: str | None) -> SiteChrome:
    """Adopt a course name and tagline read by the view's own query for this request's pages
    (an empty name is the ``BLOG_TITLE`` setting)."""
    chrome = SiteChrome(name or current_app.config["BLOG_TITLE"], tagline or "")
    g.site_chrome = chrome
    return chrome


SITE_CHROME = db.select(DiscussionSettings.site_name, DiscussionSettings.site_tagline).limit(1)


def site_chrome() -> SiteChrome:
    """This request's course name and tagline: what the view already read, else one query.

    A database that fails here (the 500 page after a lost connection) gives the ``BLOG_TITLE``
    setting rather than a second failure."""
    chrome: SiteChrome | None = g.get("site_chrome")
    if chrome is not None:
        return chrome
    try:
        row = db.session.execute(SITE_CHROME).first()
    except SQLAlchemyError:
        db.session.rollback()
        row = None
    return use_chrome(*(row or ("", "")))


class LazyChrome:
    """``site`` in templates: reads the chrome only when a template shows it (a fragment that
    does not, such as a queue row sent to a script, costs no query)."""

    @property
    def name(self) -> str:
        return site_chrome().name

    @property
    def tagline(self) -> str:
        return site_chrome().tagline


def chrome_context() -> dict[str, LazyChrome]:
    """The template context processor that provides ``site``."""
    return {"site": LazyChrome()}
