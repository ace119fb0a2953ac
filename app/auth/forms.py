"""Logging in and out."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from ..web.fields import clean_line


class LoginForm(FlaskForm):
    username = StringField(
        "Username",
        filters=[clean_line],
        validators=[DataRequired("Please enter your username."), Length(max=64)],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Please enter your password."), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class EmptyForm(FlaskForm):
    """A form with only a CSRF token, for buttons that change state (Log out)."""
