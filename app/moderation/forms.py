"""Forms of the moderation workspace."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from ..discussion.returns import MAX_NOTE, NOTE_REQUIRED, NOTE_TOO_LONG
from ..web.fields import AuthorFieldsMixin, clean_line, clean_text, comment_body_field


class CommentEditForm(AuthorFieldsMixin, FlaskForm):
    """The instructor's corrections: the same fields and checks as the reader's form."""

    body = comment_body_field()


class ReplyForm(FlaskForm):
    body = comment_body_field("Reply")


class ReturnForm(FlaskForm):
    """Return for revision: the private note to the author is required."""

    note = TextAreaField(
        "Note to the author",
        filters=[clean_text],
        validators=[
            DataRequired(NOTE_REQUIRED),
            Length(max=MAX_NOTE, message=NOTE_TOO_LONG),
        ],
        render_kw={"rows": 4, "maxlength": MAX_NOTE},
    )


class DiscussionSettingsForm(FlaskForm):
    manual_approval = BooleanField("Hold every comment for review until I approve it")
    require_prior_approval = BooleanField(
        "Hold a student's first comment for review; later comments appear at once"
    )
    max_links = IntegerField(
        "Hold a comment with this many links or more (0: never hold for links)",
        validators=[NumberRange(0, 100, "Enter a number from 0 to 100.")],
    )
    moderation_words = TextAreaField(
        "Hold comments containing these words",
        validators=[Length(max=20_000, message="Keep the list under 20,000 characters.")],
        render_kw={"rows": 5},
    )
    disallowed_words = TextAreaField(
        "Send comments containing these words straight to Spam",
        validators=[Length(max=20_000, message="Keep the list under 20,000 characters.")],
        render_kw={"rows": 5},
    )
    close_after_days = IntegerField(
        "Close comments on posts older than this many days (empty: never)",
        validators=[Optional(), NumberRange(1, 36_500, "Enter a number of days from 1 to 36,500.")],
    )
    comments_per_page = IntegerField(
        "Break comments into pages with this many top-level comments per page (empty: one page)",
        validators=[Optional(), NumberRange(1, 1_000, "Enter a number from 1 to 1,000.")],
    )
    newest_comments_first = BooleanField("With pages, show the newest page of comments first")
    digest_minutes = IntegerField(
        "After an email about a held comment, gather the next ones for this many minutes into "
        "one email (0: one email per comment)",
        validators=[NumberRange(0, 1_440, "Enter a number of minutes from 0 to 1,440.")],
    )
    privacy_mode = BooleanField("Privacy mode: show commenters as first name and last initial")
    address_retention_days = IntegerField(
        "Keep commenters' IP addresses for this many days",
        validators=[NumberRange(1, 3_650, "Enter a number of days from 1 to 3,650.")],
    )
    reports_to_hold = IntegerField(
        "Hold a published comment for review once this many readers report it (0: never)",
        validators=[NumberRange(0, 100, "Enter a number from 0 to 100.")],
    )
    edit_minutes = IntegerField(
        "Authors may edit their comments for this many minutes after posting (0: never)",
        validators=[NumberRange(0, 10_080, "Enter a number of minutes from 0 to 10,080.")],
    )
    notify_email = StringField(
        "Email me when a comment is held for review, at",
        filters=[clean_line],
        validators=[
            Optional(),
            Length(max=254, message="An email address can be at most 254 characters."),
            Email("Please enter a valid email address."),
        ],
        render_kw={"type": "email"},
    )

    site_name = StringField(
        "Course name, at the top of every page",
        filters=[clean_line],
        validators=[Length(max=200, message="Keep the course name under 200 characters.")],
    )
    site_tagline = StringField(
        "Tagline, under the course name (empty: none)",
        filters=[clean_line],
        validators=[Length(max=300, message="Keep the tagline under 300 characters.")],
    )

    def settings(self) -> dict[str, Any]:
        """The submitted settings, by name (everything but the CSRF token)."""
        return {name: field.data for name, field in self._fields.items() if name != "csrf_token"}
