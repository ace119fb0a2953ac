"""Form fields and filters shared by every form that takes a comment or a name: the reader's
reply form, the instructor's edit and reply forms, and the login form."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from wtforms import Field, Form, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    Email,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)

# Control characters a reader can't mean to send; newlines and tabs are kept in the comment text.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
LINE_BREAKS_AND_TABS = re.compile(r"[\r\n\t]+")

# WordPress's column sizes.
MAX_COMMENT = 65_525
MAX_NAME = 245
MAX_EMAIL = 100
MAX_URL = 200


def clean_text(value: str | None) -> str | None:
    """Normalise line endings, drop control characters, trim the ends (multi-line text)."""
    if value is None:
        return None
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return CONTROL_CHARACTERS.sub("", value).strip()


def clean_line(value: str | None) -> str | None:
    """Like ``clean_text`` for one-line fields: line breaks and tabs become a space."""
    if value is None:
        return None
    return clean_text(LINE_BREAKS_AND_TABS.sub(" ", value))


# "javascript:", "mailto:", "https:": a scheme, unlike "example.com:8080", whose colon is a port's.
HAS_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:(?!\d)", re.IGNORECASE)


def website_address(value: str | None) -> str | None:
    """A website as people type it ("www.example.com", "example.com/blog"), with the https://
    they left out; an address that names a scheme is kept as it is, for ``http_url`` to judge."""
    if not value or HAS_SCHEME.match(value) or value.startswith("//"):
        return value
    return f"https://{value}"


def email_address(form: Form, field: Field) -> None:
    """Says what is missing from an email address, in words; then the general check, which
    would only repeat it in vaguer words, is not run."""
    local, at, domain = (field.data or "").partition("@")
    if not at:
        raise StopValidation("An email address needs an @, as in name@example.com.")
    if not local:
        raise StopValidation("This email address has nothing before the @.")
    if not domain:
        raise StopValidation("This email address has no domain after the @ (such as @example.com).")


def http_url(form: Form, field: Field) -> None:
    """Only http:// and https:// addresses with a host are accepted as a website."""
    if not field.data:
        return
    parts = urlsplit(field.data)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or " " in field.data:
        raise ValidationError("Enter a website address that starts with http:// or https://.")


class AuthorFieldsMixin:
    """Name, email and website: the same fields and checks for readers and the instructor."""

    author_name = StringField(
        "Name",
        filters=[clean_line],
        validators=[
            DataRequired("Please enter your name."),
            Length(max=MAX_NAME, message=f"Your name can be at most {MAX_NAME} characters."),
        ],
        render_kw={"autocomplete": "name"},
    )
    author_email = StringField(
        "Email",
        filters=[clean_line],
        validators=[
            DataRequired("Please enter your email address."),
            Length(max=MAX_EMAIL, message=f"Your email can be at most {MAX_EMAIL} characters."),
            email_address,
            Email("Please enter a valid email address."),
        ],
        render_kw={"type": "email", "autocomplete": "email"},
    )
    author_url = StringField(
        "Website",
        # After clean_line: the address is trimmed before https:// goes in front of it.
        filters=[clean_line, website_address],
        validators=[
            Optional(),
            Length(max=MAX_URL, message=f"Your website can be at most {MAX_URL} characters."),
            http_url,
        ],
        # Not type="url": the browser would refuse "www.example.com", which we take.
        render_kw={"inputmode": "url", "autocomplete": "url", "spellcheck": "false"},
    )


def comment_body_field(label: str = "Comment") -> TextAreaField:
    return TextAreaField(
        label,
        filters=[clean_text],
        validators=[
            DataRequired("Please type your comment."),
            Length(
                max=MAX_COMMENT,
                message=f"Your comment is too long; it can be at most {MAX_COMMENT:,} characters.",
            ),
        ],
        render_kw={"rows": 8},
    )
