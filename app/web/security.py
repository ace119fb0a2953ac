"""HTTP hardening: security headers on every response, and trusting a proxy only as configured."""

from __future__ import annotations

from flask import Flask, Response
from werkzeug.middleware.proxy_fix import ProxyFix

from .library_state import has_login_session

# No inline script or style and nothing from another host; forms post only to us; no framing.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)


SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Permissions-Policy", PERMISSIONS_POLICY),
    ("X-Frame-Options", "DENY"),
)


def add_security_headers(response: Response) -> Response:
    # Added in one step: this runs on every response, the busiest pages included.
    response.headers.extend(SECURITY_HEADERS)
    if has_login_session():
        # Pages for the instructor hold readers' emails and IPs: keep them out of every cache.
        response.headers["Cache-Control"] = "private, no-store"
    return response


def trust_proxies(app: Flask) -> None:
    """Believe X-Forwarded-* headers only from the configured number of proxies in front of us.

    With the default of 0 they are ignored, so a reader cannot fake their IP address to escape
    flood control or the login lockout.
    """
    hops = int(app.config["PROXY_FIX_HOPS"])
    if hops > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops
        )


def register_security(app: Flask) -> None:
    app.after_request(add_security_headers)
    trust_proxies(app)
