"""Logging in and out."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional

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


class AccountForm(FlaskForm):
    display_name = StringField(
        "Display name",
        filters=[clean_line],
        validators=[
            DataRequired("Please enter the name readers see."),
            Length(max=100, message="A display name can be at most 100 characters."),
        ],
        render_kw={"autocomplete": "name"},
    )
    current_password = PasswordField(
        "Current password",
        validators=[Optional(), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        "New password",
        validators=[
            Optional(),
            Length(min=8, max=1024, message="A password must be at least 8 characters."),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm_password = PasswordField(
        "New password, again",
        validators=[EqualTo("new_password", message="The two new passwords are not the same.")],
        render_kw={"autocomplete": "new-password"},
    )


class EmptyForm(FlaskForm):
    """A form with only a CSRF token, for buttons that change state (Log out)."""
