"""The site's time zone: dates people type and read in it, stored as aware UTC."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def from_site_time(local: datetime, zone_name: str) -> datetime:
    """A naive date-time typed in the site's zone, as aware UTC."""
    return local.replace(tzinfo=ZoneInfo(zone_name)).astimezone(UTC)


def to_site_time(moment: datetime, zone_name: str) -> datetime:
    """An aware date-time as a naive one in the site's zone (what a datetime-local field shows)."""
    return moment.astimezone(ZoneInfo(zone_name)).replace(tzinfo=None)


def format_site_datetime(moment: datetime, zone_name: str) -> str:
    """``March 1, 2016 at 1:05 pm CET``: a moment as people in the site's zone read it."""
    local = moment.astimezone(ZoneInfo(zone_name))
    hour = local.hour % 12 or 12
    suffix = "am" if local.hour < 12 else "pm"
    return f"{local:%B} {local.day}, {local.year} at {hour}:{local:%M} {suffix} {local.tzname()}"
