"""The author's forms: their comment's new text, and what to stop on the unsubscribe page."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField

from ..web.fields import comment_body_field


class AuthorEditForm(FlaskForm):
    body = comment_body_field("Your comment")
    # The status the author's page showed: a change meanwhile (returned, approved, removed)
    # refuses the edit with the reason rather than acting on a state they did not see.
    seen_status = HiddenField()


class UnsubscribeForm(FlaskForm):
    # Sent by the button pressed (``name="scope"``), not rendered as a field: "address" stops
    # every email to the address; anything else, the emails about the one comment.
    scope = StringField()
