"""The Posts screen's forms: the editor and the WordPress upload."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    HiddenField,
    IntegerField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from ..web.fields import clean_line, clean_text

MAX_BODY = 200_000


class PostForm(FlaskForm):
    title = StringField(
        "Title",
        filters=[clean_line],
        validators=[
            DataRequired("Give the post a title."),
            Length(max=200, message="A title can be at most 200 characters."),
        ],
    )
    slug = StringField(
        "Slug",
        filters=[clean_line],
        validators=[
            Optional(),
            Length(max=200, message="A slug can be at most 200 characters."),
            Regexp(r"^[A-Za-z0-9_-]+$", message="Use letters, digits, hyphens and underscores."),
        ],
    )
    author_name = StringField(
        "Byline",
        filters=[clean_line],
        validators=[
            DataRequired("Say who wrote the post."),
            Length(max=100, message="A byline can be at most 100 characters."),
        ],
    )
    body = TextAreaField(
        "Body",
        filters=[clean_text],
        validators=[
            Length(max=MAX_BODY, message=f"A post can be at most {MAX_BODY:,} characters.")
        ],
        render_kw={"rows": 18, "spellcheck": "true"},
    )
    excerpt = TextAreaField(
        "Excerpt",
        filters=[clean_text],
        validators=[Length(max=2_000, message="An excerpt can be at most 2,000 characters.")],
        render_kw={"rows": 3},
    )
    publish_at = DateTimeLocalField(
        "Publish on",
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional()],
    )
    comments_open = BooleanField("Allow comments", default=True)
    close_after_days = IntegerField(
        "Close comments after this many days (empty: the site's setting)",
        validators=[Optional(), NumberRange(1, 36_500, "Enter a number of days from 1 to 36,500.")],
    )
    post_first = BooleanField("Readers post before seeing replies")
    # The edit version this form was loaded from; a save from an older one is a conflict.
    edit_version = HiddenField()
    # Set when the instructor has seen a conflict and chose to keep their own text.
    overwrite_version = HiddenField()

    save = SubmitField("Save draft")
    update = SubmitField("Update")
    preview = SubmitField("Preview")
    publish = SubmitField("Publish")
    unpublish = SubmitField("Unpublish")
    overwrite = SubmitField("Save mine over theirs")


class EmptyForm(FlaskForm):
    """A button that changes something: only the CSRF token."""


class WxrUploadForm(FlaskForm):
    file = FileField("WordPress export file (.xml)", validators=[FileRequired("Choose a file.")])
