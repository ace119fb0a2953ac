"""Every configuration key the application reads, with its default.

Order of precedence (later wins): these defaults, ``instance/config.py``, ``FLASK_*`` environment
variables (parsed as JSON, so ``FLASK_COMMENT_FLOOD_SECONDS=0`` is the number 0), and in tests the
mapping passed to ``create_app``.
"""

from __future__ import annotations


class DefaultConfig:
    # None means: read or create a random key in instance/secret_key (the code never holds one).
    SECRET_KEY: str | None = None
    # None means: an SQLite file, instance/blog.sqlite3.
    SQLALCHEMY_DATABASE_URI: str | None = None
    # How long an SQLite writer waits for a lock before giving up, in milliseconds.
    SQLITE_BUSY_TIMEOUT_MS = 10_000

    # Site name shown in the header and page titles.
    BLOG_TITLE = "Class Blog"
    # Posts per page on the front page.
    POSTS_PER_PAGE = 10

    # Seconds a reader (same IP address or email) waits between two comments; 0 switches it off.
    COMMENT_FLOOD_SECONDS = 15

    # Notifications of held comments. With no MAIL_SERVER they go to instance/outbox/ as .eml files.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    # Connecting to a mail server that is down must not hold up the reader for long.
    MAIL_TIMEOUT_SECONDS = 5
    MAIL_FROM = "Class Blog <classblog@localhost>"

    # Largest request body accepted; a comment is at most 65,525 characters (up to 4 bytes each).
    MAX_CONTENT_LENGTH = 512 * 1024

    # Session cookie: never readable from JavaScript, not sent on cross-site subrequests.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Set to true when the blog is served over HTTPS.
    SESSION_COOKIE_SECURE = False
    # Signed CSRF tokens stay valid as long as the session (a reader may write slowly).
    WTF_CSRF_TIME_LIMIT: int | None = None
