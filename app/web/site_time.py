"""The site's time zone (``SITE_TIMEZONE``): reading it, and showing times in it.

Times are stored as aware UTC; only what people type and read is in the site's zone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, current_app

from ..text import format_datetime


@cache
def zone_named(name: str) -> ZoneInfo:
    """The IANA zone ``name`` (``"Europe/Paris"``); refuses (``ValueError``) an unknown name."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(
            f"SITE_TIMEZONE {name!r} is not a time zone name; use one such as "
            "'Europe/Paris', 'America/New_York' or 'UTC'."
        ) from error


def site_zone() -> ZoneInfo:
    """The configured zone of the application handling this request."""
    return zone_named(current_app.config["SITE_TIMEZONE"])


def site_datetime(value: datetime) -> str:
    """``March 3, 2026 at 9:00 am CET``: a time as the site's readers read it, zone named."""
    zone = site_zone()
    return f"{format_datetime(value, zone)} {value.astimezone(zone).tzname()}"


def site_short(value: datetime) -> str:
    """``Mar 3, 09:15``: a compact time in the site's zone, for tables."""
    local = value.astimezone(site_zone())
    return f"{local:%b} {local.day}, {local:%H:%M}"


def site_clock(value: datetime) -> str:
    """``14:32``: the time of day in the site's zone (an edit window's end, minutes away)."""
    return f"{value.astimezone(site_zone()):%H:%M}"


def register_site_time(app: Flask) -> None:
    """Check ``SITE_TIMEZONE`` once at start (a typo fails here, not on a page) and add the
    ``site_datetime`` and ``site_short`` template filters."""
    zone_named(app.config["SITE_TIMEZONE"])
    app.jinja_env.filters["site_datetime"] = site_datetime
    app.jinja_env.filters["site_short"] = site_short
    app.jinja_env.filters["site_clock"] = site_clock


def from_site_time(local: datetime, zone: ZoneInfo) -> datetime:
    """A naive date-time typed in the site's zone (a datetime-local field), as aware UTC."""
    return local.replace(tzinfo=zone).astimezone(UTC)


def to_site_time(moment: datetime, zone: ZoneInfo) -> datetime:
    """An aware date-time as a naive one in the site's zone (what a datetime-local field shows)."""
    return moment.astimezone(zone).replace(tzinfo=None)
