"""HTTP hardening: security headers on every response, and trusting a proxy only as configured."""

from __future__ import annotations

from flask import Flask, Response
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

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


def add_security_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
    response.headers.setdefault("X-Frame-Options", "DENY")
    if current_user and current_user.is_authenticated:
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
