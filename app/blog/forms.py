"""The reader's "Leave a Reply" form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, RadioField, StringField
from wtforms.fields.choices import SelectChoice

from ..text import positive_id
from ..web.fields import MAX_URL, AuthorFieldsMixin, comment_body_field


class ReplyTarget:
    """The hidden field that says which comment is being answered."""

    parent_id = HiddenField(default="")

    def parent_comment_id(self) -> int | None:
        """The comment being answered, if any; ``-1`` for a value that is not an id."""
        raw = (self.parent_id.data or "").strip()
        if not raw or raw == "0":
            return None
        parsed = positive_id(raw)
        return -1 if parsed is None else parsed


class InstructorCommentForm(ReplyTarget, FlaskForm):
    """The same form for the logged-in instructor: their name is their account's, so no
    name, email or website to type (as WordPress does for a logged-in user)."""

    body = comment_body_field()


class CommentForm(ReplyTarget, AuthorFieldsMixin, FlaskForm):
    body = comment_body_field()
    remember = BooleanField(
        "Save my name, email, and website in this browser for the next time I comment."
    )
    notify_me = BooleanField("Email me about this comment")
    # Only read when notify_me is ticked. A form from before this field (a page cached or left
    # open) sends nothing and gets the default.
    replies_from = RadioField(
        "Tell me about replies from:",
        choices=[
            SelectChoice("instructor", "the instructor only"),
            SelectChoice("anyone", "anyone"),
        ],
        default="instructor",
        validate_choice=True,
    )
    # A trap for bots: hidden from people by CSS and from screen readers; anything in it means spam.
    homepage_confirm = StringField(
        "Leave this field empty",
        render_kw={"tabindex": "-1", "autocomplete": "off", "maxlength": MAX_URL},
    )
