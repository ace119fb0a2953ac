"""The reader's "Report this comment" form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from ..models import ReportReason
from ..web.fields import clean_line

MAX_NOTE = 200


class ReportForm(FlaskForm):
    # Optional: a report without a reason is still a report.
    reason = RadioField(
        "Why? (optional)",
        choices=[
            SelectChoice(reason.value, reason.label)
            for reason in ReportReason
            if reason is not ReportReason.NONE
        ],
        validators=[Optional()],
    )
    note = StringField(
        "With “Other”: in a few words (optional)",
        filters=[clean_line],
        validators=[
            Length(max=MAX_NOTE, message=f"Keep it to {MAX_NOTE} characters or fewer."),
        ],
        render_kw={"maxlength": MAX_NOTE, "autocomplete": "off"},
    )

    def chosen_reason(self) -> ReportReason:
        return ReportReason(self.reason.data) if self.reason.data else ReportReason.NONE
