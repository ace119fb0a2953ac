"""Forms of the personal-data page."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField


class ExportForm(FlaskForm):
    email = HiddenField()


class EraseForm(FlaskForm):
    email = HiddenField()
    remove_text = BooleanField(
        "Also replace their comments' text with “[removed at the author's request]”"
    )
