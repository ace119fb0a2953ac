"""The unsubscribe page's form: a CSRF token and the choice of what to stop."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import StringField


class UnsubscribeForm(FlaskForm):
    # Sent by the button pressed (``name="scope"``), not rendered as a field: "address" stops
    # every email to the address; anything else, the emails about the one comment.
    scope = StringField()
