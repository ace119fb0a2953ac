"""The author's form: their comment's new text."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField

from ..web.fields import comment_body_field


class AuthorEditForm(FlaskForm):
    body = comment_body_field("Your comment")
    # The status the author's page showed: a change meanwhile (returned, approved, removed)
    # refuses the edit with the reason rather than acting on a state they did not see.
    seen_status = HiddenField()
