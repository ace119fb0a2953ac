"""Rate limits on the few views that take a submission, with the ``limits`` library's public API.

Only the views that need a limit ask for one (``check_rate_limit``), so reading a page costs
nothing here. Limits are written in the ``limits`` notation (``"10 per minute; 60 per hour"``);
counts live in ``RATELIMIT_STORAGE_URI`` (``memory://`` per process, or ``redis://...`` shared by
every worker), and ``RATELIMIT_ENABLED = False`` switches every limit off.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from flask import Flask, current_app
from limits import parse_many
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

EXTENSION_KEY = "rate_limits"


@dataclass(frozen=True)
class RateLimiter:
    storage: Storage
    strategy: MovingWindowRateLimiter
    enabled: bool


@dataclass(frozen=True)
class Breach:
    """A refused request: which limit it broke and how many seconds until it would pass."""

    limit: str
    retry_after: int


def init_rate_limits(app: Flask) -> None:
    """Bind a limiter to ``app``, from RATELIMIT_STORAGE_URI and RATELIMIT_ENABLED."""
    storage = storage_from_string(app.config["RATELIMIT_STORAGE_URI"])
    app.extensions[EXTENSION_KEY] = RateLimiter(
        storage, MovingWindowRateLimiter(storage), bool(app.config["RATELIMIT_ENABLED"])
    )


def check_rate_limit(scope: str, limits: str, *identifiers: str) -> Breach | None:
    """Count one request of ``scope`` (``"comment"``) by ``identifiers`` (an address, an email)
    against each of ``limits``; the first limit it breaks, or None when it may go on.

    A refused request still counts against the limits it was under, as it did reach the server.
    """
    limiter: RateLimiter = current_app.extensions[EXTENSION_KEY]
    if not limiter.enabled:
        return None
    breach = None
    for item in parse_many(limits):
        if not limiter.strategy.hit(item, scope, *identifiers) and breach is None:
            reset_at = limiter.strategy.get_window_stats(item, scope, *identifiers).reset_time
            breach = Breach(str(item), max(1, math.ceil(reset_at - time.time())))
    return breach


def reset_rate_limits(app: Flask) -> None:
    """Forget every count (tests; and after changing limits on a running shared store)."""
    app.extensions[EXTENSION_KEY].storage.reset()
