"""The reader's "Leave a Reply" form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, StringField

from ..text import positive_id
from ..web.fields import MAX_URL, AuthorFieldsMixin, comment_body_field


class CommentForm(AuthorFieldsMixin, FlaskForm):
    body = comment_body_field()
    remember = BooleanField(
        "Save my name, email, and website in this browser for the next time I comment."
    )
    parent_id = HiddenField(default="")
    # A trap for bots: hidden from people by CSS and from screen readers; anything in it means spam.
    homepage_confirm = StringField(
        "Leave this field empty",
        render_kw={"tabindex": "-1", "autocomplete": "off", "maxlength": MAX_URL},
    )

    def parent_comment_id(self) -> int | None:
        """The comment being answered, if any; ``-1`` for a value that is not an id."""
        raw = (self.parent_id.data or "").strip()
        if not raw or raw == "0":
            return None
        parsed = positive_id(raw)
        return -1 if parsed is None else parsed
