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

    # The blog's public address: links in emails are built on it, never on the Host header a
    # request came with (anyone can send any). Set it to the address readers use.
    SITE_URL = "http://127.0.0.1:5000"
    # Host names the blog answers to (Flask's own key); any other Host header gets a 400.
    # None means SITE_URL's host plus localhost and 127.0.0.1; an empty list lets any host in.
    TRUSTED_HOSTS: list[str] | None = None

    # Site name shown in the header and page titles.
    BLOG_TITLE = "Class Blog"
    # Posts per page on the front page.
    POSTS_PER_PAGE = 10
    # The site's time zone (an IANA name such as "Europe/Paris"): dates people type and read, such
    # as a post's publish time and assignment windows. Times are stored in UTC whatever it is.
    SITE_TIMEZONE = "UTC"
    # The largest WordPress export (WXR) file the Posts screen accepts, in bytes.
    WXR_UPLOAD_MAX_BYTES = 20 * 1024 * 1024

    # Seconds a reader waits between two comments, told apart by email and by their browser's
    # signed session (never by IP address: a class shares one); 0 switches it off.
    COMMENT_FLOOD_SECONDS = 15

    # Notifications of held comments, stored in the outbox table with the comment and sent by a
    # background thread after the response. With no MAIL_SERVER they are written to OUTBOX_DIR
    # as .eml files.
    MAIL_SERVER: str | None = None
    MAIL_PORT = 25
    MAIL_USE_TLS = False
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    # How long the sender waits on each step with a mail server (readers never wait for it).
    MAIL_TIMEOUT_SECONDS = 5
    MAIL_FROM = "Class Blog <classblog@localhost>"
    # A message that could not be sent is tried again after this many seconds, doubling up to an
    # hour, until MAIL_MAX_ATTEMPTS attempts failed; then it waits for `flask send-mail`.
    MAIL_RETRY_SECONDS = 60
    MAIL_MAX_ATTEMPTS = 10

    # How many reverse proxies in front of the app set X-Forwarded-For/-Proto/-Host. 0 (direct
    # serving) ignores those headers; behind one nginx, set 1.
    PROXY_FIX_HOPS = 0

    # Rate limits (the `limits` notation), per client IP address. RATELIMIT_ENABLED=false turns
    # them off; RATELIMIT_STORAGE_URI shares counts between processes (e.g. redis://localhost).
    # Comments: a whole class behind one school address (40 students in the same minute, with
    # room for retries) gets through; a script from one address is stopped after 60.
    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    COMMENT_RATE_LIMIT = "60 per minute; 400 per hour"
    LOGIN_RATE_LIMIT = "20 per minute"
    # Readers' reports of comments: per browser, and per address (a class shares one address).
    REPORT_RATE_LIMIT = "10 per hour"
    REPORT_ADDRESS_RATE_LIMIT = "60 per hour"

    # Rendered page parts. The default keeps them in each server process's memory, which is safe
    # with several processes (keys carry a version read from the database); set CACHE_REDIS_URL
    # (e.g. redis://localhost:6379/0, needs the "redis" extra) to share one cache between them.
    CACHE_TYPE = "SimpleCache"
    CACHE_REDIS_URL: str | None = None
    CACHE_KEY_PREFIX = "classblog:"
    # Stale versions are never read again; let them age out instead of filling memory.
    CACHE_DEFAULT_TIMEOUT = 3600
    CACHE_THRESHOLD = 500

    # How often each server process asks whether today's purge of commenters' IP addresses has
    # run (one process runs it once a day; see discussion.retention). 0: never, run
    # `flask purge-addresses` from cron instead.
    PURGE_CHECK_SECONDS = 3600

    # Where notifications go when no MAIL_SERVER is set (None: instance/outbox).
    OUTBOX_DIR: str | None = None

    # Largest request body, in bytes; the largest form a browser can send must fit. That is the
    # reply form with every field at its maxlength (65,525 + 245 + 100 + 200 + 200 characters)
    # in a script of 4-byte characters, URL-encoded as "%XX" per byte (12 bytes a character):
    # 795,240 bytes, plus the field names and the CSRF token.
    MAX_CONTENT_LENGTH = 800 * 1024
    # Largest text field of a multipart form, in bytes (Flask's key; its default is 500,000). A
    # comment is at most 65,525 × 4 = 262,100 bytes there. URL-encoded forms, what browsers send
    # here, are bounded by MAX_CONTENT_LENGTH alone.
    MAX_FORM_MEMORY_SIZE = 512 * 1024

    # Session cookie: never readable from JavaScript, not sent on cross-site subrequests.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    # Set to true when the blog is served over HTTPS.
    SESSION_COOKIE_SECURE = False
    # Signed CSRF tokens stay valid as long as the session (a reader may write slowly).
    WTF_CSRF_TIME_LIMIT: int | None = None
